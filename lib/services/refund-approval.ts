import "server-only";
import { and, eq, gte, ne, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "../db";
import { consoleSettings, refunds } from "../db/schema";
import { shanghaiDayStart, shanghaiToday } from "../dates";
import { audit } from "./audit";
import type { Actor } from "./actor";
import type { RefundApprovalSettings } from "../validations/refund-approval";

export type { RefundApprovalSettings };

const KEY = "refund_approval";
/** Off by default: no refund waits for anyone. */
export const APPROVAL_OFF: RefundApprovalSettings = { threshold: null, dayLimit: null };

const fen = (v: unknown): number | null => (typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : null);

/** The admin's refund limits (fen), from the database. */
export async function getRefundApproval(tx?: DbOrTx): Promise<RefundApprovalSettings> {
  const db = tx ?? (await getDb());
  const [row] = await db.select().from(consoleSettings).where(eq(consoleSettings.key, KEY));
  if (!row) return APPROVAL_OFF;
  return { threshold: fen(row.value.threshold), dayLimit: fen(row.value.dayLimit) };
}

/** An admin sets (or clears, with null) the per-refund threshold and the per-person daily limit. Audited. */
export async function setRefundApproval(actor: Actor, next: RefundApprovalSettings): Promise<RefundApprovalSettings> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const before = await getRefundApproval(tx);
    const value = { threshold: next.threshold, dayLimit: next.dayLimit };
    await tx
      .insert(consoleSettings)
      .values({ key: KEY, value, updatedBy: actor.id })
      .onConflictDoUpdate({ target: consoleSettings.key, set: { value, updatedBy: actor.id, updatedAt: new Date() } });
    await audit(
      {
        actor,
        action: "settings.refund_approval",
        target: { type: "setting", id: KEY },
        params: { before, after: value },
        result: "ok",
      },
      tx,
    );
    return value;
  });
}

/**
 * Inside the refund's claim transaction: does this refund wait for a second person? "threshold"
 * when it is at or above the per-refund threshold; "dayLimit" when it would take the requester's
 * refunds of today (Asia/Shanghai; every one not failed, held ones included) above the daily
 * limit; null otherwise. The daily total is read under a per-person transaction lock, so two
 * refunds by one person at once cannot both slip under the limit.
 */
export async function approvalHold(
  tx: DbOrTx,
  actor: Actor,
  amount: number,
  now = Date.now(),
): Promise<"threshold" | "dayLimit" | null> {
  const s = await getRefundApproval(tx);
  if (s.threshold !== null && amount >= s.threshold) return "threshold";
  if (s.dayLimit === null) return null;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`refund-day:${actor.id}`}))`);
  const [row] = await tx
    .select({ n: sql<string>`coalesce(sum(${refunds.amount}), 0)` })
    .from(refunds)
    .where(
      and(
        eq(refunds.createdBy, actor.id),
        ne(refunds.status, "failed"),
        gte(refunds.createdAt, shanghaiDayStart(shanghaiToday(now))),
      ),
    );
  return Number(row?.n ?? 0) + amount > s.dayLimit ? "dayLimit" : null;
}
