import "server-only";
import { and, desc, eq, isNotNull, lt, notExists, sql } from "drizzle-orm";
import pLimit from "p-limit";
import { getDb } from "../db";
import {
  attentionResolutions,
  charges,
  orders,
  pingppEvents,
  redEnvelopes,
  refunds,
  royaltySettlements,
  royaltyTransactions,
  type EventStatus,
} from "../db/schema";
import { audit } from "./audit";
import { AppError } from "./errors";
import { pingpp } from "./pingpp-client";
import { callPingpp } from "./pingpp-audited-call";
import { syncCharge } from "./charges";
import { applyAgain } from "./event-log";
import { needsAttentionSql, refreshOrder } from "./orders";
import { refreshRefund } from "./refunds";
import { refreshRedEnvelope } from "./red-envelopes";
import { applySettlement } from "./settlements";
import { ATTENTION_KINDS } from "../validations/attention";
import type { Actor } from "./actor";

export { ATTENTION_KINDS };
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

export interface AttentionItem {
  kind: AttentionKind;
  /** The id "sync" and "resolve" act on (our row id, or the Ping++ id where that is the key). */
  objectId: string;
  /** What people recognise: the Ping++ id. */
  label: string;
  amount: number | null;
  currency: string | null;
  since: string;
  detail: string | null;
  href: string | null;
}

/** How long a paid charge may go without its charge.succeeded webhook before someone should look. */
export const NO_WEBHOOK_AFTER_MS = 10 * 60_000;
/**
 * How long a refund may stay pending, and a red envelope sending, before someone should look.
 * Ping++ sends no event when a channel fails a refund or WeChat fails an envelope, so without a
 * sync these would wait here for ever while Ping++ already knows the outcome.
 */
export const REFUND_PENDING_AFTER_MS = 60 * 60_000;
export const ENVELOPE_SENDING_AFTER_MS = 10 * 60_000;
/**
 * A QR code nobody paid simply expires: the charge sync job asks Ping++ after its time_expire and
 * stores it as expired. Only a charge still pending this long after its time_expire (the job could
 * not ask Ping++, or Ping++ did not say) is stuck; an abandoned code never floods the queue.
 */
export const STUCK_AFTER_EXPIRY_MS = 15 * 60_000;
/** Items of one kind per page (the kind's own view); the overview shows the first few of each. */
export const ATTENTION_PER_PAGE = 50;
export const ATTENTION_PREVIEW = 5;
/** How many items one bulk 「从 Ping++ 同步」 takes, and how many Ping++ calls run at once. */
export const BULK_SYNC_MAX = 200;
export const BULK_SYNC_CONCURRENCY = 4;

const unresolved = (kind: AttentionKind, idCol: Parameters<typeof eq>[0]) =>
  notExists(
    sql`(select 1 from ${attentionResolutions} where ${attentionResolutions.kind} = ${kind} and ${attentionResolutions.objectId} = ${idCol}::text)`,
  );

type Db = Awaited<ReturnType<typeof getDb>>;
interface KindQuery {
  count(db: Db, now: Date): Promise<number>;
  rows(db: Db, now: Date, limit: number, offset: number): Promise<AttentionItem[]>;
}
const n = (r: { n: number }[]) => Number(r[0]?.n ?? 0);
const countSql = sql<number>`count(*)::int`;
const iso = (d: Date | null | undefined, now: Date) => (d ?? now).toISOString();

const stuckWhere = (now: Date) =>
  and(
    eq(charges.status, "pending"),
    lt(charges.timeExpire, new Date(now.getTime() - STUCK_AFTER_EXPIRY_MS)),
    unresolved("chargeStuck", charges.id),
  );
// paid according to Ping++'s answer to a retrieve, but its webhook never came: the two disagree
const noWebhookWhere = (now: Date) =>
  and(
    eq(charges.status, "paid"),
    lt(charges.timePaid, new Date(now.getTime() - NO_WEBHOOK_AFTER_MS)),
    notExists(
      sql`(select 1 from ${pingppEvents} where ${pingppEvents.objectId} = ${charges.pingppId} and ${pingppEvents.type} = 'charge.succeeded')`,
    ),
    unresolved("chargeNoWebhook", charges.id),
  );
const eventWhere = (status: "failed" | "foreign", kind: AttentionKind) =>
  and(eq(pingppEvents.status, status), unresolved(kind, pingppEvents.id));
const anomalyWhere = () => and(needsAttentionSql, unresolved("orderAnomaly", orders.id));
const refundFailedWhere = () =>
  and(eq(refunds.status, "failed"), isNotNull(refunds.pingppId), unresolved("refundFailed", refunds.id));
const refundPendingWhere = (now: Date) =>
  and(
    eq(refunds.status, "pending"),
    isNotNull(refunds.pingppId),
    lt(refunds.createdAt, new Date(now.getTime() - REFUND_PENDING_AFTER_MS)),
    unresolved("refundPending", refunds.id),
  );
// held for a second person's approval (issue 17): someone other than the requester decides
const awaitingWhere = () =>
  and(eq(refunds.status, "awaiting_approval"), unresolved("refundAwaitingApproval", refunds.id));
const envelopeFailedWhere = () =>
  and(eq(redEnvelopes.status, "failed"), unresolved("redEnvelopeFailed", redEnvelopes.id));
const envelopeSendingWhere = (now: Date) =>
  and(
    eq(redEnvelopes.status, "sending"),
    isNotNull(redEnvelopes.pingppId),
    lt(redEnvelopes.createdAt, new Date(now.getTime() - ENVELOPE_SENDING_AFTER_MS)),
    unresolved("redEnvelopeSending", redEnvelopes.id),
  );
const txFailedWhere = () =>
  and(eq(royaltyTransactions.status, "failed"), unresolved("royaltyTransactionFailed", royaltyTransactions.id));

const chargeItem = (
  kind: "chargeStuck" | "chargeNoWebhook",
  c: typeof charges.$inferSelect,
  since: Date | null,
  now: Date,
): AttentionItem => ({
  kind,
  objectId: c.id,
  label: c.pingppId ?? c.orderNo,
  amount: c.amount,
  currency: c.currency,
  since: iso(since, now),
  detail: null,
  href: `/charges/${c.pingppId ?? c.id}`,
});
const eventItem = (
  kind: "eventFailed" | "eventForeign",
  e: typeof pingppEvents.$inferSelect,
  now: Date,
): AttentionItem => ({
  kind,
  objectId: e.id,
  label: `${e.type} ${e.id}`,
  amount: null,
  currency: null,
  since: iso(e.firstReceivedAt, now),
  detail: e.result,
  href: `/events/${e.id}`,
});

/** Each kind's query: its count, and a page of it (newest first). */
const KINDS: Record<AttentionKind, KindQuery> = {
  chargeStuck: {
    count: async (db, now) => n(await db.select({ n: countSql }).from(charges).where(stuckWhere(now))),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(charges)
          .where(stuckWhere(now))
          .orderBy(desc(charges.createdAt), desc(charges.id))
          .limit(limit)
          .offset(offset)
      ).map((c) => chargeItem("chargeStuck", c, c.timeExpire, now)),
  },
  chargeNoWebhook: {
    count: async (db, now) => n(await db.select({ n: countSql }).from(charges).where(noWebhookWhere(now))),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(charges)
          .where(noWebhookWhere(now))
          .orderBy(desc(charges.timePaid), desc(charges.id))
          .limit(limit)
          .offset(offset)
      ).map((c) => chargeItem("chargeNoWebhook", c, c.timePaid, now)),
  },
  eventFailed: {
    count: async (db) =>
      n(await db.select({ n: countSql }).from(pingppEvents).where(eventWhere("failed", "eventFailed"))),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(pingppEvents)
          .where(eventWhere("failed", "eventFailed"))
          .orderBy(desc(pingppEvents.firstReceivedAt), desc(pingppEvents.id))
          .limit(limit)
          .offset(offset)
      ).map((e) => eventItem("eventFailed", e, now)),
  },
  // correctly signed, but another app's or the other mode's: kept, never applied; someone should know
  eventForeign: {
    count: async (db) =>
      n(await db.select({ n: countSql }).from(pingppEvents).where(eventWhere("foreign", "eventForeign"))),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(pingppEvents)
          .where(eventWhere("foreign", "eventForeign"))
          .orderBy(desc(pingppEvents.firstReceivedAt), desc(pingppEvents.id))
          .limit(limit)
          .offset(offset)
      ).map((e) => eventItem("eventForeign", e, now)),
  },
  orderAnomaly: {
    count: async (db) => n(await db.select({ n: countSql }).from(orders).where(anomalyWhere())),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(orders)
          .where(anomalyWhere())
          .orderBy(desc(orders.updatedAt), desc(orders.id))
          .limit(limit)
          .offset(offset)
      ).map((o) => ({
        kind: "orderAnomaly" as const,
        objectId: o.id,
        label: o.pingppId ?? o.id,
        amount: o.amountPaid,
        currency: "cny",
        since: iso(o.updatedAt, now),
        detail: null,
        href: `/orders/${o.id}`,
      })),
  },
  refundFailed: {
    count: async (db) => n(await db.select({ n: countSql }).from(refunds).where(refundFailedWhere())),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(refunds)
          .where(refundFailedWhere())
          .orderBy(desc(refunds.updatedAt), desc(refunds.id))
          .limit(limit)
          .offset(offset)
      ).map((r) => ({
        kind: "refundFailed" as const,
        objectId: r.id,
        label: r.pingppId ?? r.id,
        amount: r.amount,
        currency: "cny",
        since: iso(r.updatedAt, now),
        detail: r.failureMsg ?? null,
        href: `/refunds/${r.id}`,
      })),
  },
  refundPending: {
    count: async (db, now) => n(await db.select({ n: countSql }).from(refunds).where(refundPendingWhere(now))),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(refunds)
          .where(refundPendingWhere(now))
          .orderBy(desc(refunds.createdAt), desc(refunds.id))
          .limit(limit)
          .offset(offset)
      ).map((r) => ({
        kind: "refundPending" as const,
        objectId: r.id,
        label: r.pingppId ?? r.id,
        amount: r.amount,
        currency: "cny",
        since: iso(r.createdAt, now),
        detail: null,
        href: `/refunds/${r.id}`,
      })),
  },
  refundAwaitingApproval: {
    count: async (db) => n(await db.select({ n: countSql }).from(refunds).where(awaitingWhere())),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(refunds)
          .where(awaitingWhere())
          .orderBy(desc(refunds.createdAt), desc(refunds.id))
          .limit(limit)
          .offset(offset)
      ).map((r) => ({
        kind: "refundAwaitingApproval" as const,
        objectId: r.id,
        label: r.id,
        amount: r.amount,
        currency: r.currency,
        since: iso(r.createdAt, now),
        detail: r.description,
        href: r.orderId ? `/orders/${r.orderId}` : `/refunds/${r.id}`,
      })),
  },
  redEnvelopeFailed: {
    count: async (db) => n(await db.select({ n: countSql }).from(redEnvelopes).where(envelopeFailedWhere())),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(redEnvelopes)
          .where(envelopeFailedWhere())
          .orderBy(desc(redEnvelopes.updatedAt), desc(redEnvelopes.id))
          .limit(limit)
          .offset(offset)
      ).map((r) => ({
        kind: "redEnvelopeFailed" as const,
        objectId: r.id,
        label: r.pingppId ?? r.orderNo,
        amount: r.amount,
        currency: "cny",
        since: iso(r.updatedAt, now),
        detail: r.failureMsg ?? null,
        href: `/red-envelopes/${r.id}`,
      })),
  },
  redEnvelopeSending: {
    count: async (db, now) => n(await db.select({ n: countSql }).from(redEnvelopes).where(envelopeSendingWhere(now))),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select()
          .from(redEnvelopes)
          .where(envelopeSendingWhere(now))
          .orderBy(desc(redEnvelopes.createdAt), desc(redEnvelopes.id))
          .limit(limit)
          .offset(offset)
      ).map((r) => ({
        kind: "redEnvelopeSending" as const,
        objectId: r.id,
        label: r.pingppId ?? r.orderNo,
        amount: r.amount,
        currency: "cny",
        since: iso(r.createdAt, now),
        detail: null,
        href: `/red-envelopes/${r.id}`,
      })),
  },
  royaltyTransactionFailed: {
    count: async (db) => n(await db.select({ n: countSql }).from(royaltyTransactions).where(txFailedWhere())),
    rows: async (db, now, limit, offset) =>
      (
        await db
          .select({ tx: royaltyTransactions })
          .from(royaltyTransactions)
          .innerJoin(royaltySettlements, eq(royaltySettlements.id, royaltyTransactions.settlementId))
          .where(txFailedWhere())
          .orderBy(desc(royaltyTransactions.updatedAt), desc(royaltyTransactions.id))
          .limit(limit)
          .offset(offset)
      ).map(({ tx }) => ({
        kind: "royaltyTransactionFailed" as const,
        objectId: tx.id,
        label: tx.id,
        amount: tx.amount,
        currency: "cny",
        since: iso(tx.updatedAt, now),
        detail: tx.failureMsg,
        href: `/settlements/${tx.settlementId}`,
      })),
  },
};

/** How many items of each kind wait (every kind, 0 included), and their sum. */
export async function attentionCounts(
  now = new Date(),
): Promise<{ byKind: Record<AttentionKind, number>; total: number }> {
  const db = await getDb();
  const counts = await Promise.all(ATTENTION_KINDS.map((k) => KINDS[k].count(db, now)));
  const byKind = Object.fromEntries(ATTENTION_KINDS.map((k, i) => [k, counts[i]!])) as Record<AttentionKind, number>;
  return { byKind, total: counts.reduce((a, b) => a + b, 0) };
}

/** One page of one kind, with the kind's total: every item is reachable (no silent cap). */
export async function listAttentionKind(
  kind: AttentionKind,
  page = 1,
  perPage = ATTENTION_PER_PAGE,
  now = new Date(),
): Promise<{ items: AttentionItem[]; total: number; page: number; pages: number }> {
  const db = await getDb();
  const p = Math.max(1, Math.floor(page));
  const [items, total] = await Promise.all([
    KINDS[kind].rows(db, now, perPage, (p - 1) * perPage),
    KINDS[kind].count(db, now),
  ]);
  return { items, total, page: p, pages: Math.max(1, Math.ceil(total / perPage)) };
}

/** The overview: each kind's first `perKind` items (newest first within the kind), for the grouped page. */
export async function attentionPreview(
  perKind = ATTENTION_PREVIEW,
  now = new Date(),
): Promise<Record<AttentionKind, AttentionItem[]>> {
  const db = await getDb();
  const rows = await Promise.all(ATTENTION_KINDS.map((k) => KINDS[k].rows(db, now, perKind, 0)));
  return Object.fromEntries(ATTENTION_KINDS.map((k, i) => [k, rows[i]!])) as Record<AttentionKind, AttentionItem[]>;
}

/** Every kind's items together, newest first (up to `perKind` of each): for tests and small queues. */
export async function listAttention(perKind = 200, now = new Date()): Promise<AttentionItem[]> {
  const byKind = await attentionPreview(perKind, now);
  return Object.values(byKind)
    .flat()
    .sort((a, b) => b.since.localeCompare(a.since));
}

/**
 * 「从 Ping++ 同步」 for a whole kind: its items (newest first, up to BULK_SYNC_MAX a run), with at
 * most BULK_SYNC_CONCURRENCY Ping++ calls at a time. Each item's sync is audited as the single sync
 * is; the run is audited once with its counts. `remaining`: what still waits afterwards.
 */
export async function syncAttentionKind(
  actor: Actor,
  kind: AttentionKind,
): Promise<{ total: number; synced: number; failed: number; remaining: number }> {
  if (kind === "eventForeign" || kind === "refundAwaitingApproval") {
    await audit({
      actor,
      action: "attention.sync_kind",
      target: { type: "attention", id: kind },
      result: "refused",
      message: "nothing to sync",
    });
    throw new AppError("attentionNotSyncable");
  }
  const db = await getDb();
  const items = await KINDS[kind].rows(db, new Date(), BULK_SYNC_MAX, 0);
  const limit = pLimit(BULK_SYNC_CONCURRENCY);
  const outcomes = await Promise.all(
    items.map((i) =>
      limit(async () => {
        try {
          const out = await syncAttention(actor, kind, i.objectId);
          return out && out.eventStatus === "failed" ? "failed" : "synced";
        } catch {
          return "failed";
        }
      }),
    ),
  );
  const synced = outcomes.filter((o) => o === "synced").length;
  const failed = outcomes.length - synced;
  const remaining = await KINDS[kind].count(db, new Date());
  const result = { total: items.length, synced, failed, remaining };
  await audit({
    actor,
    action: "attention.sync_kind",
    target: { type: "attention", id: kind },
    params: { items: items.length, synced, failed },
    result: failed ? "error" : "ok",
    message: `${synced}/${items.length}`,
  });
  return result;
}

/**
 * "Sync from Ping++" for one item: ask Ping++ for the object's current state and apply it. For a
 * failed event, 重新应用: what became of it (it may fail again, with the reason).
 */
export async function syncAttention(
  actor: Actor,
  kind: AttentionKind,
  objectId: string,
): Promise<{ eventStatus: EventStatus; result: string | null } | void> {
  switch (kind) {
    case "chargeStuck":
    case "chargeNoWebhook":
      await syncCharge(actor, objectId);
      return;
    case "eventFailed": {
      const row = await applyAgain(actor, objectId);
      return { eventStatus: row.status, result: row.result };
    }
    case "refundAwaitingApproval":
      // never sent: nothing at Ping++ to sync; it is approved, rejected or withdrawn on its page
      throw new AppError("refunds.errors.notSent");
    case "eventForeign":
      // never applied: there is nothing to sync; it can only be resolved with a note
      throw new AppError("eventNotFailed");
    case "orderAnomaly":
      await refreshOrder(actor, objectId);
      return;
    case "refundFailed":
    case "refundPending":
      await refreshRefund(actor, objectId);
      return;
    case "redEnvelopeFailed":
    case "redEnvelopeSending":
      await refreshRedEnvelope(actor, objectId);
      return;
    case "royaltyTransactionFailed": {
      const db = await getDb();
      const [row] = await db
        .select({ pingppId: royaltySettlements.pingppId })
        .from(royaltyTransactions)
        .innerJoin(royaltySettlements, eq(royaltySettlements.id, royaltyTransactions.settlementId))
        .where(eq(royaltyTransactions.id, objectId));
      if (!row?.pingppId) throw new AppError("attentionNotFound");
      const target = { type: "royalty_settlement", id: row.pingppId };
      const s = await callPingpp({ actor, action: "royalty_settlement.sync", target }, () =>
        pingpp().royaltySettlements.retrieve(row.pingppId!),
      );
      await db.transaction((tx) => applySettlement(tx, s));
      await audit({ actor, action: "royalty_settlement.sync", target, result: "ok" });
      return;
    }
  }
}

/** Close an item with a note; it leaves the queue. Idempotent per (kind, object). Audited. */
export async function resolveAttention(
  actor: Actor,
  kind: AttentionKind,
  objectId: string,
  note: string,
): Promise<void> {
  // A refund held for approval is decided on its page (approve / reject), never marked handled:
  // that would hide a refund nobody decided from the queue. Refused and audited.
  const refused = kind === "refundAwaitingApproval" ? "decideOnItsPage" : null;
  if (!refused) {
    const db = await getDb();
    await db
      .insert(attentionResolutions)
      .values({ kind, objectId, note, resolvedBy: actor.id, resolvedByEmail: actor.email })
      .onConflictDoNothing();
  }
  await audit({
    actor,
    action: "attention.resolve",
    target: { type: kind, id: objectId },
    params: { note },
    ...(refused ? { result: "refused", message: refused } : { result: "ok" }),
  });
  if (refused) throw new AppError(refused);
}
