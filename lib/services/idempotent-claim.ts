import "server-only";
import { and, eq, lt, type SQL } from "drizzle-orm";
import type { PgColumn, PgInsertValue, PgTable, PgUpdateSetSource } from "drizzle-orm/pg-core";
import { getDb } from "../db";
import { AppError } from "./errors";
import type { InProgressCode } from "../retry-codes";

/**
 * Money moves once (ARCHITECTURE.md rule 4): a form's idempotency key claims a row before Ping++ is asked,
 * and the flow is always claim by key → callPingpp (./pingpp-audited-call) → persist, or release
 * the claim → audit. This module is the claim's half of it:
 *
 * - `claimByKey` inserts the claim, or finds the key's earlier row: the answer it already has
 *   (`settled`), or its claim `retaken` once the lease of the request that made it has run out.
 *   Another request inside the lease: AppError(inProgress), which the form retries with the same key.
 * - `undoClaim` is callPingpp's undo: a refusal releases the claim (nothing exists at Ping++); no
 *   answer keeps it with its lease ended (`expiredLease`), so a retry goes at once and, knowing
 *   it may have gone through, checks with Ping++ before sending again.
 *
 * Claims on other columns (an order's cancel, a settlement's confirm) use `leaseExpired` and
 * `expiredLease` on their own stamp.
 */

/** A claim stamped less than this ago is another request still talking to Ping++ (one call: 15 s at most). */
export const LEASE_MS = 20_000;

/** SQL: the claim stamped in `stamp` is older than its lease (or was given up by `expiredLease`). */
export function leaseExpired(stamp: PgColumn, ms = LEASE_MS): SQL {
  return lt(stamp, new Date(Date.now() - ms));
}

/** The stamp of a claim whose call got no answer: its lease is over, so a retry may retake it at once. */
export function expiredLease(): Date {
  return new Date(0);
}

/** A table whose rows are claimed by an idempotency key: a `creating` row is a claim, `updatedAt` its stamp. */
export type ClaimTable = PgTable & {
  id: PgColumn;
  idempotencyKey: PgColumn;
  status: PgColumn;
  createdBy: PgColumn;
  updatedAt: PgColumn;
};
type Row<T extends ClaimTable> = T["$inferSelect"] & { id: string; status: string; createdBy: string | null };
type Values<T extends ClaimTable> = Partial<T["$inferInsert"]>;

export type Claim<R> =
  /** inserted now: nothing was sent for this key before */
  | { state: "new"; row: R }
  /** an earlier attempt's claim, its lease over: it may have reached Ping++, so look before sending */
  | { state: "retaken"; row: R }
  /** the key's request was answered before: its row, as it stands */
  | { state: "settled"; row: R };

/**
 * Claim `values` (status `creating`) under its idempotency key. A key already used: another
 * person's → AppError("idempotencyConflict"); answered (`settled`, default: no longer `creating`)
 * → that row; still open → retaken once its lease has run out, else AppError(`inProgress`).
 */
export async function claimByKey<T extends ClaimTable>(
  table: T,
  values: T["$inferInsert"] & { idempotencyKey: string; createdBy: string },
  opts: {
    inProgress: InProgressCode;
    /** whether the key's earlier row has its answer (default: its status is no longer `creating`) */
    settled?: (row: Row<T>) => boolean;
    /** SQL twin of !settled, checked again as the claim is retaken (default: status = 'creating') */
    open?: SQL;
    /** more to set when a claim is retaken (its stamp, `updatedAt`, is set to `now`) */
    retake?: (now: Date) => Values<T>;
  },
): Promise<Claim<Row<T>>> {
  const db = await getDb();
  const [claimed] = (await db
    .insert(table)
    .values(values as PgInsertValue<T>)
    .onConflictDoNothing({ target: table.idempotencyKey })
    .returning()) as Row<T>[];
  if (claimed) return { state: "new", row: claimed };
  const [existing] = (await db
    .select()
    .from(table as PgTable)
    .where(eq(table.idempotencyKey, values.idempotencyKey))) as Row<T>[];
  if (!existing || existing.createdBy !== values.createdBy) throw new AppError("idempotencyConflict");
  if ((opts.settled ?? ((r: Row<T>) => r.status !== "creating"))(existing)) return { state: "settled", row: existing };
  // Still open: another request is talking to Ping++, or one ended without an answer.
  const retaken = await retakeClaim(table, existing.id, { open: opts.open, set: opts.retake });
  if (!retaken) throw new AppError(opts.inProgress);
  return { state: "retaken", row: retaken };
}

/**
 * Take over the claim `id` whose lease has run out (status still `creating`, or `open`): stamped
 * now, it is this request's. Undefined when another request holds it.
 */
export async function retakeClaim<T extends ClaimTable>(
  table: T,
  id: string,
  opts: { open?: SQL; set?: (now: Date) => Values<T> } = {},
): Promise<Row<T> | undefined> {
  const db = await getDb();
  const now = new Date();
  const [row] = (await db
    .update(table)
    .set({ ...opts.set?.(now), updatedAt: now } as PgUpdateSetSource<T>)
    .where(and(eq(table.id, id), opts.open ?? eq(table.status, "creating"), leaseExpired(table.updatedAt)))
    .returning()) as Row<T>[];
  return row;
}

/** Keep the claim `id` for a retry with the same key, free to be retaken at once (the call got no answer). */
export async function keepClaim<T extends ClaimTable>(table: T, id: string): Promise<void> {
  const db = await getDb();
  await db
    .update(table)
    .set({ updatedAt: expiredLease() } as PgUpdateSetSource<T>)
    .where(eq(table.id, id));
}

/**
 * callPingpp's undo for the claim `id`: refused → `onRefused` (the claim becomes a failed row with
 * Ping++'s message, or is deleted: nothing exists at Ping++); no answer → keepClaim.
 */
export function undoClaim<T extends ClaimTable>(
  table: T,
  id: string,
  // (`status?: "failed"` keeps the literal: TS widens it against the generic row type alone)
  onRefused: ((message: string) => Values<T> & { status?: "failed" }) | "delete",
): (refused: boolean, message: string) => Promise<void> {
  return async (refused, message) => {
    if (!refused) return keepClaim(table, id);
    const db = await getDb();
    if (onRefused === "delete") await db.delete(table).where(eq(table.id, id));
    else
      await db
        .update(table)
        .set(onRefused(message) as PgUpdateSetSource<T>)
        .where(eq(table.id, id));
  };
}
