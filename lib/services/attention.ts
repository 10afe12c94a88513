import "server-only";
import { and, desc, eq, isNotNull, lt, notExists, sql } from "drizzle-orm";
import { getDb } from "../db";
import { attentionResolutions, charges, orders, pingppEvents, redEnvelopes, refunds, royaltySettlements, royaltyTransactions, type EventStatus } from "../db/schema";
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
const LIMIT = 200;

const unresolved = (kind: AttentionKind, idCol: Parameters<typeof eq>[0]) =>
  notExists(
    sql`(select 1 from ${attentionResolutions} where ${attentionResolutions.kind} = ${kind} and ${attentionResolutions.objectId} = ${idCol}::text)`,
  );

/** One queue of everything that needs a human (finance/admin). */
export async function listAttention(): Promise<AttentionItem[]> {
  const db = await getDb();
  const now = new Date();
  const [stuck, noWebhook, events, foreignEvents, anomalies, failedRefunds, failedEnvelopes, failedTx, pendingRefunds, sendingEnvelopes, awaiting] = await Promise.all([
    // pending past its time_expire: the charge sync job could not ask Ping++ (or has not yet)
    db.select().from(charges).where(and(eq(charges.status, "pending"), lt(charges.timeExpire, now), unresolved("chargeStuck", charges.id))).orderBy(desc(charges.createdAt)).limit(LIMIT),
    // paid according to Ping++'s answer to a retrieve, but its webhook never came: the two disagree
    db
      .select()
      .from(charges)
      .where(
        and(
          eq(charges.status, "paid"),
          lt(charges.timePaid, new Date(now.getTime() - NO_WEBHOOK_AFTER_MS)),
          notExists(sql`(select 1 from ${pingppEvents} where ${pingppEvents.objectId} = ${charges.pingppId} and ${pingppEvents.type} = 'charge.succeeded')`),
          unresolved("chargeNoWebhook", charges.id),
        ),
      )
      .orderBy(desc(charges.timePaid))
      .limit(LIMIT),
    db.select().from(pingppEvents).where(and(eq(pingppEvents.status, "failed"), unresolved("eventFailed", pingppEvents.id))).orderBy(desc(pingppEvents.firstReceivedAt)).limit(LIMIT),
    // correctly signed, but another app's or the other mode's: kept, never applied; someone should know
    db.select().from(pingppEvents).where(and(eq(pingppEvents.status, "foreign"), unresolved("eventForeign", pingppEvents.id))).orderBy(desc(pingppEvents.firstReceivedAt)).limit(LIMIT),
    db.select().from(orders).where(and(needsAttentionSql, unresolved("orderAnomaly", orders.id))).orderBy(desc(orders.updatedAt)).limit(LIMIT),
    db.select().from(refunds).where(and(eq(refunds.status, "failed"), isNotNull(refunds.pingppId), unresolved("refundFailed", refunds.id))).orderBy(desc(refunds.updatedAt)).limit(LIMIT),
    db.select().from(redEnvelopes).where(and(eq(redEnvelopes.status, "failed"), unresolved("redEnvelopeFailed", redEnvelopes.id))).orderBy(desc(redEnvelopes.updatedAt)).limit(LIMIT),
    db
      .select({ tx: royaltyTransactions })
      .from(royaltyTransactions)
      .innerJoin(royaltySettlements, eq(royaltySettlements.id, royaltyTransactions.settlementId))
      .where(and(eq(royaltyTransactions.status, "failed"), unresolved("royaltyTransactionFailed", royaltyTransactions.id)))
      .orderBy(desc(royaltyTransactions.updatedAt))
      .limit(LIMIT),
    db
      .select()
      .from(refunds)
      .where(and(eq(refunds.status, "pending"), isNotNull(refunds.pingppId), lt(refunds.createdAt, new Date(now.getTime() - REFUND_PENDING_AFTER_MS)), unresolved("refundPending", refunds.id)))
      .orderBy(desc(refunds.createdAt))
      .limit(LIMIT),
    db
      .select()
      .from(redEnvelopes)
      .where(and(eq(redEnvelopes.status, "sending"), isNotNull(redEnvelopes.pingppId), lt(redEnvelopes.createdAt, new Date(now.getTime() - ENVELOPE_SENDING_AFTER_MS)), unresolved("redEnvelopeSending", redEnvelopes.id)))
      .orderBy(desc(redEnvelopes.createdAt))
      .limit(LIMIT),
    // held for a second person's approval (issue 17): someone other than the requester decides
    db.select().from(refunds).where(and(eq(refunds.status, "awaiting_approval"), unresolved("refundAwaitingApproval", refunds.id))).orderBy(desc(refunds.createdAt)).limit(LIMIT),
  ]);
  const iso = (d: Date | null | undefined) => (d ?? now).toISOString();
  const items: AttentionItem[] = [
    ...stuck.map((c) => ({ kind: "chargeStuck" as const, objectId: c.id, label: c.pingppId ?? c.orderNo, amount: c.amount, currency: c.currency, since: iso(c.timeExpire), detail: null, href: `/charges/${c.pingppId ?? c.id}` })),
    ...noWebhook.map((c) => ({ kind: "chargeNoWebhook" as const, objectId: c.id, label: c.pingppId ?? c.orderNo, amount: c.amount, currency: c.currency, since: iso(c.timePaid), detail: null, href: `/charges/${c.pingppId ?? c.id}` })),
    ...events.map((e) => ({ kind: "eventFailed" as const, objectId: e.id, label: `${e.type} ${e.id}`, amount: null, currency: null, since: iso(e.firstReceivedAt), detail: e.result, href: `/events/${e.id}` })),
    ...foreignEvents.map((e) => ({ kind: "eventForeign" as const, objectId: e.id, label: `${e.type} ${e.id}`, amount: null, currency: null, since: iso(e.firstReceivedAt), detail: e.result, href: `/events/${e.id}` })),
    ...anomalies.map((o) => ({ kind: "orderAnomaly" as const, objectId: o.id, label: o.pingppId ?? o.id, amount: o.amountPaid, currency: "cny", since: iso(o.updatedAt), detail: null, href: `/orders/${o.id}` })),
    ...failedRefunds.map((r) => ({ kind: "refundFailed" as const, objectId: r.id, label: r.pingppId ?? r.id, amount: r.amount, currency: "cny", since: iso(r.updatedAt), detail: r.failureMsg ?? null, href: `/refunds/${r.id}` })),
    ...failedEnvelopes.map((r) => ({ kind: "redEnvelopeFailed" as const, objectId: r.id, label: r.pingppId ?? r.orderNo, amount: r.amount, currency: "cny", since: iso(r.updatedAt), detail: r.failureMsg ?? null, href: `/red-envelopes/${r.id}` })),
    ...pendingRefunds.map((r) => ({ kind: "refundPending" as const, objectId: r.id, label: r.pingppId ?? r.id, amount: r.amount, currency: "cny", since: iso(r.createdAt), detail: null, href: `/refunds/${r.id}` })),
    ...awaiting.map((r) => ({ kind: "refundAwaitingApproval" as const, objectId: r.id, label: r.id, amount: r.amount, currency: r.currency, since: iso(r.createdAt), detail: r.description, href: r.orderId ? `/orders/${r.orderId}` : `/refunds/${r.id}` })),
    ...sendingEnvelopes.map((r) => ({ kind: "redEnvelopeSending" as const, objectId: r.id, label: r.pingppId ?? r.orderNo, amount: r.amount, currency: "cny", since: iso(r.createdAt), detail: null, href: `/red-envelopes/${r.id}` })),
    ...failedTx.map(({ tx }) => ({ kind: "royaltyTransactionFailed" as const, objectId: tx.id, label: tx.id, amount: tx.amount, currency: "cny", since: iso(tx.updatedAt), detail: tx.failureMsg, href: `/settlements/${tx.settlementId}` })),
  ];
  return items.sort((a, b) => b.since.localeCompare(a.since));
}

/**
 * "Sync from Ping++" for one item: ask Ping++ for the object's current state and apply it. For a
 * failed event, 重新应用: what became of it (it may fail again, with the reason).
 */
export async function syncAttention(actor: Actor, kind: AttentionKind, objectId: string): Promise<{ eventStatus: EventStatus; result: string | null } | void> {
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
      const s = await callPingpp({ actor, action: "royalty_settlement.sync", target }, () => pingpp().royaltySettlements.retrieve(row.pingppId!));
      await db.transaction((tx) => applySettlement(tx, s));
      await audit({ actor, action: "royalty_settlement.sync", target, result: "ok" });
      return;
    }
  }
}

/** Close an item with a note; it leaves the queue. Idempotent per (kind, object). Audited. */
export async function resolveAttention(actor: Actor, kind: AttentionKind, objectId: string, note: string): Promise<void> {
  const db = await getDb();
  await db
    .insert(attentionResolutions)
    .values({ kind, objectId, note, resolvedBy: actor.id, resolvedByEmail: actor.email })
    .onConflictDoNothing();
  await audit({ actor, action: "attention.resolve", target: { type: kind, id: objectId }, params: { note }, result: "ok" });
}
