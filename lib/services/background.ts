import "server-only";
import pLimit from "p-limit";

/** Who acts when the console acts by itself (the scheduler's jobs), in the audit log. */
export const SYSTEM = { id: null, email: "system" } as const;

/** What one sweep of a background job did. */
export interface SweepResult {
  /** objects looked at */
  checked: number;
  /** of which Ping++'s answer moved ours (or the job acted on it) */
  changed: number;
  failed: number;
}

/**
 * Do `fn` for each item, at most `concurrency` at once; one failing item never stops the others.
 * Throws after all of them when any failed (the scheduler records it as the run's error), with the
 * first failure's message. `fn` answers whether it changed something. Stops starting new items
 * once `signal` is aborted.
 */
export async function sweep<T>(
  what: string,
  items: readonly T[],
  fn: (item: T) => Promise<boolean>,
  opts: { concurrency?: number; signal?: AbortSignal } = {},
): Promise<SweepResult> {
  const limit = pLimit(opts.concurrency ?? 4);
  let changed = 0;
  const failures: unknown[] = [];
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (opts.signal?.aborted) return;
        try {
          if (await fn(item)) changed++;
        } catch (e) {
          failures.push(e);
        }
      }),
    ),
  );
  if (failures.length) {
    const first = failures[0];
    throw new Error(
      `${what}: ${failures.length} of ${items.length} failed; first: ${first instanceof Error ? first.message : String(first)}`,
      { cause: first },
    );
  }
  return { checked: items.length, changed, failed: 0 };
}
