import { test } from "@playwright/test";
import { shanghaiToday } from "../lib/dates";

/**
 * Runs `check`, assertions that count what the test paid as today's. If they fail after the Shanghai date moved on
 * from `startDay` (a run crossing 16:00 UTC), they are not what broke: the overview follows the new day, and a charge
 * paid before midnight is no longer today's. Then the test notes it and goes on; the caller re-reads what it can.
 * On the same day a failure is thrown as it is. Returns whether the day changed (and `check` was let off).
 */
export async function unlessDayChanged(startDay: string, check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
  } catch (e) {
    if (shanghaiToday() === startDay) throw e;
    test.info().annotations.push({
      type: "midnight",
      description: `Asia/Shanghai's date moved from ${startDay} to ${shanghaiToday()} during the test: today's equalities skipped`,
    });
    return true;
  }
  return shanghaiToday() !== startDay;
}
