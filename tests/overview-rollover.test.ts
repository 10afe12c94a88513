import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb, closeDb } from "@/tests/helpers/db";
import type { Db } from "@/lib/db";
import { charges, staffUsers } from "@/lib/db/schema";
import type { OverviewPoll } from "@/lib/services/overview";
import { afterDayChange, overviewPollUrl, type ShownPeriod } from "@/lib/overview-period";

/**
 * A console overview left open past midnight in Asia/Shanghai (16:00 UTC): what its live poll asks and what the
 * route answers, on each side of midnight. The route runs with the real session check behind a stood-in cookie
 * decoder (as tests/date-filters.test.ts).
 */
let session: { uid: string; sv: number } | null = null;
vi.mock("@/lib/auth/claims", () => ({ sessionClaims: async () => session }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ get: () => undefined }),
}));

let db: Db;
let signedIn: { uid: string; sv: number };
let seq = 0;

async function paid(amount: number, timePaid: string, currency = "cny") {
  seq++;
  await db.insert(charges).values({
    orderNo: `roll${seq}`,
    pingppId: `ch_roll${seq}`,
    appId: "app_x",
    channel: currency === "usd" ? "cb_alipay_qr" : "alipay_qr",
    amount,
    currency,
    subject: "s",
    body: "b",
    status: "paid",
    timePaid: new Date(timePaid),
  });
}

/** What the page's live poll gets: GET of the URL the client builds. */
async function poll(url: string): Promise<{ status: number; body: OverviewPoll }> {
  const { GET } = await import("@/app/api/overview/route");
  const res = await GET(new Request(`http://console.test${url}`));
  return { status: res.status, body: (await res.json()) as OverviewPoll };
}
const cny = (b: OverviewPoll) => b.currencies.find((c) => c.currency === "cny")!.totals;

beforeAll(async () => {
  db = await freshDb();
  const [u] = await db
    .insert(staffUsers)
    .values({ email: "fin@rollover.test", name: "F", role: "finance", passwordHash: "x" })
    .returning();
  signedIn = { uid: u!.id, sv: u!.sessionVersion };
  // 12-03 in Shanghai: one before midnight; 12-04: one just after; 12-01: an earlier day
  await paid(1000, "2026-12-03T15:30:00Z"); // 12-03 23:30 Shanghai
  await paid(250, "2026-12-03T16:00:02Z"); // 12-04 00:00:02 Shanghai
  await paid(4000, "2026-12-01T04:00:00Z"); // 12-01 12:00 Shanghai
});
afterEach(() => {
  vi.useRealTimers();
  session = null;
});
afterAll(closeDb);

describe("the overview's live poll across midnight in Asia/Shanghai", () => {
  it("the default view (and 今天): the same poll counts the new day once the server's clock passes 16:00 UTC", async () => {
    session = signedIn;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-03T15:59:30Z"));
    const shown: ShownPeriod = { today: "2026-12-03", from: "2026-12-03", to: "2026-12-03", inUrl: false };
    const url = overviewPollUrl(shown.from, shown.to, shown.today);

    const before = await poll(url);
    expect(before.status).toBe(200);
    expect(before.body.today).toBe("2026-12-03");
    expect(cny(before.body)).toMatchObject({ gross: 1000, count: 1 });
    expect(afterDayChange(shown, before.body.today)).toBeNull();

    vi.setSystemTime(new Date("2026-12-03T16:00:05Z")); // 12-04 00:00:05 in Shanghai
    const after = await poll(url);
    expect(after.body.today).toBe("2026-12-04");
    expect(cny(after.body)).toMatchObject({ gross: 250, count: 1 });
    // ... and the page re-renders on the new day (the default address)
    expect(afterDayChange(shown, after.body.today)).toBe("refresh");
    // 今天 as a link (/?from=…&to=… of the old day): the same poll, then the new day's address
    expect(afterDayChange({ ...shown, inUrl: true }, after.body.today)).toEqual({
      replace: "/?from=2026-12-04&to=2026-12-04",
    });
  });

  it("近 7 天 moves to the 7 days ending on the new day; an earlier chosen period stays as chosen", async () => {
    session = signedIn;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-03T16:00:05Z"));
    const week: ShownPeriod = { today: "2026-12-03", from: "2026-11-27", to: "2026-12-03", inUrl: true };
    const next = afterDayChange(week, "2026-12-04");
    expect(next).toEqual({ replace: "/?from=2026-11-28&to=2026-12-04" });
    const moved = new URL(`http://console.test${(next as { replace: string }).replace}`).searchParams;
    const weekNow = await poll(overviewPollUrl(moved.get("from")!, moved.get("to")!, "2026-12-04"));
    expect(cny(weekNow.body)).toMatchObject({ gross: 5250, count: 3 });

    // 12-01 chosen on 12-03: still 12-01 after midnight (only the page around it refreshes, for today's strip)
    const past: ShownPeriod = { today: "2026-12-03", from: "2026-12-01", to: "2026-12-01", inUrl: true };
    const url = overviewPollUrl(past.from, past.to, past.today);
    expect(url).toBe("/api/overview?from=2026-12-01&to=2026-12-01");
    expect(afterDayChange(past, "2026-12-04")).toBe("refresh");
    const still = await poll(url);
    expect(cny(still.body)).toMatchObject({ gross: 4000, count: 1 });
    expect(still.body.today).toBe("2026-12-04");
  });

  it("another instance's clock a little behind never moves the page back; the poll still needs a session", async () => {
    const shown: ShownPeriod = { today: "2026-12-04", from: "2026-12-04", to: "2026-12-04", inUrl: false };
    expect(afterDayChange(shown, "2026-12-03")).toBeNull();
    session = null;
    expect((await poll("/api/overview")).status).toBe(401);
  });
});
