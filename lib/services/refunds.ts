import "server-only";
import { and, desc, eq, gte, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx } from "../db";
import {
  charges,
  orders,
  refunds,
  type ChargeRow,
  type OrderRow,
  type RefundRow,
  type RefundStatus,
} from "../db/schema";
import { PingppResponseError, type Refund } from "../pingpp";
import { formatMoney } from "../money";
import { byCurrency } from "../money-totals";
import { shanghaiDayEnd, shanghaiDayStart } from "../dates";
import { audit, type AuditEntry } from "./audit";
import { idPrefix, orderNoPrefix } from "./search";
import { AppError, isAppError } from "./errors";
import { pingpp } from "./pingpp-client";
import { callPingpp, refuse } from "./pingpp-audited-call";
import { keepClaim, retakeClaim, undoClaim } from "./idempotent-claim";
import { IN_PROGRESS } from "../retry-codes";
import { SYSTEM, sweep, type SweepResult } from "./background";
import { canSeeOrder, orderChargeLines, refundedByCharge, remainderOf } from "./orders";
import { can } from "../auth/policy";
import type { Actor } from "./actor";
import { approvalHold } from "./refund-approval";
import type { RefundChargeData, RefundFilter, RefundOrderData } from "../validations/refunds";

const RANK: Record<RefundStatus, number> = { awaiting_approval: -1, creating: 0, pending: 1, succeeded: 2, failed: 2 };
export const REFUNDS_PER_PAGE = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toDate = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);

/** The order a charge pays, if it is one of ours. */
const orderOfCharge = (chargeId: string, orderNo?: string | null) =>
  or(
    eq(orders.chargeId, chargeId),
    orderNo ? or(eq(orders.chargeOrderNo, orderNo), eq(orders.merchantOrderNo, orderNo)) : undefined,
  );

/**
 * Store what Ping++ says about a refund, forward only (pending → succeeded/failed, never back).
 * Matches by Ping++ id, else by our claim id in its metadata (a create whose answer was lost);
 * creates a row for refunds made outside the console. Then the charge's refunded amount follows.
 */
export async function applyRefund(tx: DbOrTx, r: Refund): Promise<RefundRow> {
  const claimId =
    typeof r.metadata.console_refund === "string" && UUID.test(r.metadata.console_refund)
      ? r.metadata.console_refund
      : null;
  const [existing] = await tx
    .select()
    .from(refunds)
    .where(or(eq(refunds.pingppId, r.id), claimId ? eq(refunds.id, claimId) : undefined))
    .for("update");
  const fields = {
    pingppId: r.id,
    timeSucceed: toDate(r.time_succeed) ?? existing?.timeSucceed ?? null,
    transactionNo: r.transaction_no ?? existing?.transactionNo ?? null,
    failureCode: r.failure_code,
    failureMsg: r.failure_msg,
    fundingSource: r.funding_source ?? existing?.fundingSource ?? null,
    livemode: r.livemode ?? false,
    raw: r as Record<string, unknown>,
    updatedAt: new Date(),
  };
  let row: RefundRow | undefined;
  if (existing) {
    const status = RANK[r.status] > RANK[existing.status] ? r.status : existing.status;
    [row] = await tx
      .update(refunds)
      .set({ ...fields, status })
      .where(eq(refunds.id, existing.id))
      .returning();
  } else {
    const [order] = await tx.select({ id: orders.id }).from(orders).where(orderOfCharge(r.charge, r.charge_order_no));
    [row] = await tx
      .insert(refunds)
      .values({
        ...fields,
        chargeId: r.charge,
        orderId: order?.id ?? null,
        amount: r.amount,
        description: r.description ?? "",
        status: r.status,
      })
      .returning();
  }
  // The charge's refunded total: forward only, from the refunds that succeeded.
  await tx
    .update(charges)
    .set({
      amountRefunded: sql`greatest(${charges.amountRefunded}, (select coalesce(sum(r.amount), 0) from refunds r where r.charge_id = ${r.charge} and r.status = 'succeeded'))::bigint`,
      refunded: true,
      updatedAt: new Date(),
    })
    .where(eq(charges.pingppId, r.charge));
  return row!;
}

// ---------------------------------------------------------------- create

/** What a refund goes against, read under a row lock so two staff at once cannot over-refund. */
interface Target {
  type: "order" | "charge";
  /** Ping++ id of the order or charge, for the audit log. */
  pingppId: string;
  chargeId: string;
  orderId: string | null;
  currency: string;
  remainder: number;
}

type RefundInput = Pick<RefundOrderData, "idempotencyKey" | "amount" | "description" | "fundingSource"> &
  Partial<Pick<RefundOrderData, "royaltyUsers">> &
  Partial<Pick<RefundOrderData, "refundMode">>;

/** A refund of an order: of the charge given, else of its paid charge with the most left. */
export async function refundOrder(actor: Actor, input: RefundOrderData): Promise<RefundRow> {
  return submit(actor, input, async (tx) => {
    const [row] = await tx.select().from(orders).where(eq(orders.id, input.orderId)).for("update");
    if (!row || !canSeeOrder(actor, row) || !row.pingppId) throw new AppError("orders.errors.notFound");
    const lines = (await orderChargeLines(tx, row)).filter((c) => c.paid);
    const line = input.chargeId
      ? lines.find((c) => c.id === input.chargeId)
      : [...lines].sort((a, b) => b.remainder - a.remainder)[0];
    if (!line) throw new AppError("refunds.errors.notPaid");
    return {
      type: "order",
      pingppId: row.pingppId,
      chargeId: line.id,
      orderId: row.id,
      currency: line.currency,
      remainder: line.remainder,
    };
  });
}

/** A refund of a plain QR charge (a charge that pays an order is refunded through the order). */
export async function refundCharge(actor: Actor, input: RefundChargeData): Promise<RefundRow> {
  return submit(actor, input, async (tx) => {
    const [c] = await tx.select().from(charges).where(eq(charges.pingppId, input.chargeId)).for("update");
    const t = await chargeTarget(tx, c);
    if (t.orderId) throw new AppError("refunds.errors.orderCharge");
    return t;
  });
}

async function chargeTarget(
  tx: DbOrTx,
  c: ChargeRow | undefined,
): Promise<Target & { order: OrderRow | null; charge: ChargeRow }> {
  if (!c?.pingppId) throw new AppError("refunds.errors.chargeNotFound");
  const [order] = await tx.select().from(orders).where(orderOfCharge(c.pingppId, c.orderNo));
  if (c.status !== "paid") throw new AppError("refunds.errors.notPaid");
  const local = (await refundedByCharge(tx, [c.pingppId])).get(c.pingppId) ?? 0;
  return {
    type: "charge",
    pingppId: c.pingppId,
    chargeId: c.pingppId,
    orderId: order?.id ?? null,
    order: order ?? null,
    charge: c,
    currency: c.currency,
    remainder: remainderOf({ amount: c.amount, amount_refunded: c.amountRefunded }, local),
  };
}

/**
 * validate → idempotency → Ping++ → persist → audit. The form's key and the refundable
 * remainder are checked and a claim row written in one transaction holding the order's or
 * charge's row lock; only then is Ping++ asked, with the claim id in the refund's metadata, so a
 * retry after a lost answer finds the refund at Ping++ instead of making a second one.
 */
async function submit(
  actor: Actor,
  input: RefundInput,
  lockTarget: (tx: DbOrTx) => Promise<Target>,
): Promise<RefundRow> {
  const db = await getDb();
  const params = { amount: input.amount, reason: input.description, idempotency: input.idempotencyKey };
  const entryFor = (type: string, id: string, more: Record<string, unknown> = {}) => ({
    actor,
    action: "refund.create",
    target: { type, id },
    params: { ...params, ...more },
  });
  let entry = entryFor("refund", input.idempotencyKey);
  /**
   * A claim made earlier is audited under the target its first attempt named (the order's or the charge's Ping++ id),
   * with its own amount.
   */
  const claimEntry = async (claim: RefundRow, more: Record<string, unknown> = {}) => {
    const [o] = claim.orderId
      ? await db.select({ pingppId: orders.pingppId }).from(orders).where(eq(orders.id, claim.orderId))
      : [];
    return claim.orderId
      ? entryFor("order", o?.pingppId ?? claim.orderId, { charge: claim.chargeId, amount: claim.amount, ...more })
      : entryFor("charge", claim.chargeId, { charge: claim.chargeId, amount: claim.amount, ...more });
  };
  if (!can(actor.role, "refunds.create")) return refuse(entry, "forbidden");

  let claim: RefundRow | undefined;
  try {
    claim = await byKey(actor, input.idempotencyKey);
  } catch (e) {
    if (isAppError(e)) return refuse(entry, e.code); // another staff member's key: refused, and audited
    throw e;
  }
  let resumed = false;
  if (!claim) {
    let mine = false;
    let hold: string | null = null;
    try {
      claim = await db.transaction(async (tx) => {
        const t = await lockTarget(tx);
        entry = entryFor(t.type, t.pingppId, { charge: t.chargeId });
        const [again] = await tx.select().from(refunds).where(eq(refunds.idempotencyKey, input.idempotencyKey));
        if (again) return again;
        if (input.amount > t.remainder)
          throw new AppError(
            "refunds.errors.overRefund",
            { remainder: formatMoney(t.remainder, t.currency) },
            undefined,
            "amount",
          );
        // Above the admin's limits: kept here for a second person (its amount is held all the same).
        hold = await approvalHold(tx, actor, input.amount);
        mine = true;
        const [row] = await tx
          .insert(refunds)
          .values({
            idempotencyKey: input.idempotencyKey,
            orderId: t.orderId,
            chargeId: t.chargeId,
            amount: input.amount,
            currency: t.currency,
            description: input.description,
            refundMode: input.refundMode ?? null,
            royaltyUsers: input.royaltyUsers ?? null,
            fundingSource: input.fundingSource ?? null,
            status: hold ? "awaiting_approval" : "creating",
            createdBy: actor.id,
          })
          .returning();
        return row!;
      });
    } catch (e) {
      if (isAppError(e)) return refuse(entry, e.code, e.values, e.field);
      throw e;
    }
    // the same form submitted again while the first is at Ping++: refused, and audited like every attempt
    if (!mine) return refuse(entry, IN_PROGRESS.refund);
    if (hold) {
      await audit({ ...entry, params: { ...entry.params, hold }, result: "ok", message: "awaiting approval" });
      return claim;
    }
  } else {
    if (claim.status !== "creating") {
      // the same form again after it was answered: the refund it made (or its refusal), and a record of the attempt
      // (a replay: "ok" rows with `replay` are not new refunds; exactly one row without it made the refund)
      entry = await claimEntry(claim, { refund: claim.pingppId, replay: true });
      await audit({
        ...entry,
        result: claim.pingppId || claim.status === "awaiting_approval" ? "ok" : "refused",
        message: "repeated form: answered with the earlier result",
      });
      return done(claim);
    }
    // Still `creating`: another request is at Ping++ now, or an earlier try got no answer.
    const retaken = await retakeClaim(refunds, claim.id);
    entry = await claimEntry(claim);
    if (!retaken) return refuse(entry, IN_PROGRESS.refund);
    resumed = true;
  }

  return sendClaim(entry, claim, resumed);
}

/**
 * The claim (status `creating`, ours alone) goes to Ping++: found there first if an earlier try
 * got no answer, else sent with the claim id in its metadata; then stored and audited.
 */
async function sendClaim(
  entry: Omit<AuditEntry, "result" | "message">,
  c: RefundRow,
  resumed: boolean,
): Promise<RefundRow> {
  const db = await getDb();
  const found = resumed
    ? await callPingpp(
        entry,
        () => findAtPingpp(c),
        () => keepClaim(refunds, c.id),
      )
    : null;
  const refund =
    found ??
    (await callPingpp(
      entry,
      () => send(c),
      undoClaim(refunds, c.id, (failureMsg) => ({ status: "failed", failureMsg, updatedAt: new Date() })),
    ));
  const saved = await db.transaction((tx) => applyRefund(tx, refund));
  await audit({ ...entry, params: { ...entry.params, refund: refund.id }, result: "ok" });
  return saved;
}

// ---------------------------------------------------------------- approval (issue 17)

/** The audit entry of a decision about a held refund: the refund, its order or charge, amount and note. */
async function decisionEntry(actor: Actor, action: string, row: RefundRow, note?: string) {
  const db = await getDb();
  const [o] = row.orderId
    ? await db.select({ pingppId: orders.pingppId }).from(orders).where(eq(orders.id, row.orderId))
    : [];
  return {
    actor,
    action,
    target: { type: "refund", id: row.id },
    params: {
      order: o?.pingppId ?? undefined,
      charge: row.chargeId,
      amount: row.amount,
      requestedBy: row.createdBy,
      note,
    },
  };
}

/**
 * Approve a held refund: another finance or admin user (never its requester). The row moves
 * awaiting_approval → creating in one conditional update, so of two approvals at once (a double
 * click, two tabs, two people) exactly one goes on to Ping++; the other is refused. Then the
 * same path as a new refund: claim → Ping++ → persist → audit.
 */
export async function approveRefund(actor: Actor, id: string, note: string): Promise<RefundRow> {
  const db = await getDb();
  const row = await loadRefund(id);
  const entry = await decisionEntry(actor, "refund.approve", row, note);
  if (!can(actor.role, "refunds.decide")) return refuse(entry, "forbidden");
  if (row.status !== "awaiting_approval") return refuse(entry, "refunds.errors.notAwaiting");
  if (row.createdBy === actor.id) return refuse(entry, "refunds.errors.ownApproval");
  const [claimed] = await db
    .update(refunds)
    .set({ status: "creating", decidedBy: actor.id, decidedAt: new Date(), decisionNote: note, updatedAt: new Date() })
    .where(and(eq(refunds.id, id), eq(refunds.status, "awaiting_approval")))
    .returning();
  if (!claimed) return refuse(entry, "refunds.errors.notAwaiting");
  return sendClaim(entry, claimed, false);
}

/** Reject a held refund (another finance/admin user, with a note): it fails, its amount is released. */
export async function rejectRefund(actor: Actor, id: string, note: string): Promise<RefundRow> {
  return close(actor, id, note, "reject");
}

/** The requester takes back their own held refund: it fails, its amount is released. */
export async function withdrawRefund(actor: Actor, id: string, note: string): Promise<RefundRow> {
  return close(actor, id, note, "withdraw");
}

async function close(actor: Actor, id: string, note: string, how: "reject" | "withdraw"): Promise<RefundRow> {
  const db = await getDb();
  const row = await loadRefund(id);
  const entry = await decisionEntry(actor, `refund.${how}`, row, note);
  if (!can(actor.role, "refunds.decide")) return refuse(entry, "forbidden");
  if (row.status !== "awaiting_approval") return refuse(entry, "refunds.errors.notAwaiting");
  if (how === "reject" && row.createdBy === actor.id) return refuse(entry, "refunds.errors.ownApproval");
  if (how === "withdraw" && row.createdBy !== actor.id) return refuse(entry, "refunds.errors.notRequester");
  const closed = await db.transaction(async (tx) => {
    const [c] = await tx
      .update(refunds)
      .set({
        status: "failed",
        failureCode: how === "reject" ? "approval_rejected" : "approval_withdrawn",
        failureMsg: note || null,
        decidedBy: actor.id,
        decidedAt: new Date(),
        decisionNote: note || null,
        updatedAt: new Date(),
      })
      .where(and(eq(refunds.id, id), eq(refunds.status, "awaiting_approval")))
      .returning();
    if (c) await audit({ ...entry, result: "ok" }, tx);
    return c;
  });
  // another decision came first (a double click, two tabs)
  if (!closed) return refuse(entry, "refunds.errors.notAwaiting");
  return closed;
}

/** Refunds waiting for a second person, oldest first (needs-attention, the order page). */
export async function awaitingRefunds(limit = 200): Promise<RefundRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(refunds)
    .where(eq(refunds.status, "awaiting_approval"))
    .orderBy(refunds.createdAt)
    .limit(limit);
}

/** The refund a key already made (or a refusal it already got). */
async function byKey(actor: Actor, key: string): Promise<RefundRow | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(refunds).where(eq(refunds.idempotencyKey, key));
  if (row && row.createdBy !== actor.id) throw new AppError("idempotencyConflict");
  return row;
}

function done(row: RefundRow): RefundRow {
  // held and then rejected or withdrawn (issue 17): that decision, not a Ping++ refusal
  if (!row.pingppId && row.status === "failed" && row.failureCode === "approval_rejected")
    throw new AppError("refunds.errors.approvalRejected", {}, row.decisionNote ?? undefined);
  if (!row.pingppId && row.status === "failed" && row.failureCode === "approval_withdrawn")
    throw new AppError("refunds.errors.approvalWithdrawn");
  if (!row.pingppId && row.status === "failed") throw new AppError("pingppRefused", {}, row.failureMsg ?? undefined);
  return row;
}

/** A claim that was sent before without an answer: did Ping++ make it? (Found by our claim id.) */
async function findAtPingpp(claim: RefundRow): Promise<Refund | null> {
  const list = await pingpp().charges.refunds.list(claim.chargeId, { limit: 100 });
  return list.data.find((r) => r.metadata.console_refund === claim.id) ?? null;
}

async function send(claim: RefundRow): Promise<Refund> {
  const common = {
    description: claim.description,
    metadata: { console_refund: claim.id },
    funding_source: (claim.fundingSource ?? undefined) as "unsettled_funds" | undefined,
  };
  if (!claim.orderId) return pingpp().charges.refunds.create(claim.chargeId, { ...common, amount: claim.amount });
  const db = await getDb();
  const [o] = await db.select({ pingppId: orders.pingppId }).from(orders).where(eq(orders.id, claim.orderId));
  const list = await pingpp().orders.refunds.create(o!.pingppId!, {
    ...common,
    charge: claim.chargeId,
    charge_amount: claim.amount,
    refund_mode: claim.refundMode ?? undefined,
    royalty_users: claim.royaltyUsers?.map((u) => ({ user: u.user, amount_refunded: u.amountRefunded })),
  });
  // Ours by the claim id we sent; never another charge's refund from the same answer.
  const r =
    list.data.find((x) => x.metadata?.console_refund === claim.id) ??
    list.data.find((x) => x.charge === claim.chargeId);
  // An answer without the refund is no usable answer: callPingpp keeps the claim and audits "error".
  if (!r)
    throw new PingppResponseError("order refund answer lists no refund", {
      status: 200,
      rawBody: JSON.stringify(list).slice(0, 2000),
    });
  return r;
}

// ---------------------------------------------------------------- refresh, read

/** Ask Ping++ where a pending refund stands (the detail page's refresh). */
export async function refreshRefund(actor: Actor, id: string): Promise<RefundRow> {
  const db = await getDb();
  const row = await loadRefund(id);
  if (!row.pingppId) return row;
  const entry = { actor, action: "refund.refresh", target: { type: "refund", id: row.pingppId } };
  const r = await callPingpp(entry, () => pingpp().charges.refunds.retrieve(row.chargeId, row.pingppId!));
  return db.transaction(async (tx) => {
    const saved = await applyRefund(tx, r);
    await audit({ ...entry, result: "ok", message: `${row.status} → ${saved.status}` }, tx);
    return saved;
  });
}

/** A pending refund is first asked about this long after it was sent (its webhook usually comes first)… */
export const REFUND_SYNC_AFTER_MS = 60_000;

/**
 * …and then again after a quarter of its age (at least REFUND_SYNC_AFTER_MS): the scheduler's
 * refund sync (ARCHITECTURE.md rule 5). Ping++ sends no event when a channel fails a refund, so without it
 * a failed refund would stay pending until someone pressed "refresh". Each stored answer bumps
 * updated_at, which spaces the next question; a status change is audited as the system's.
 */
export async function syncPendingRefunds(opts: { now?: number; signal?: AbortSignal } = {}): Promise<SweepResult> {
  const now = opts.now ?? Date.now();
  const at = new Date(now).toISOString();
  const db = await getDb();
  const rows = await db
    .select({ id: refunds.id, pingppId: refunds.pingppId, chargeId: refunds.chargeId, status: refunds.status })
    .from(refunds)
    .where(
      and(
        eq(refunds.status, "pending"),
        isNotNull(refunds.pingppId),
        lt(refunds.createdAt, new Date(now - REFUND_SYNC_AFTER_MS)),
        sql`${refunds.updatedAt} < ${at}::timestamptz - greatest(${REFUND_SYNC_AFTER_MS}::int * interval '1 millisecond', (${at}::timestamptz - ${refunds.createdAt}) / 4)`,
      ),
    )
    .orderBy(refunds.updatedAt)
    .limit(100);
  return sweep(
    "refund sync",
    rows,
    async (row) => {
      const r = await pingpp().charges.refunds.retrieve(row.chargeId, row.pingppId!);
      return db.transaction(async (tx) => {
        const saved = await applyRefund(tx, r);
        if (saved.status === row.status) return false;
        await audit(
          {
            actor: SYSTEM,
            action: "refund.sync",
            target: { type: "refund", id: row.pingppId! },
            params: { from: row.status, to: saved.status },
            result: "ok",
          },
          tx,
        );
        return true;
      });
    },
    { signal: opts.signal },
  );
}

async function loadRefund(id: string): Promise<RefundRow> {
  const db = await getDb();
  const [row] = await db.select().from(refunds).where(eq(refunds.id, id));
  if (!row) throw new AppError("refunds.errors.notFound");
  return row;
}

export async function getRefund(id: string): Promise<{ row: RefundRow; order: OrderRow | null }> {
  const db = await getDb();
  const row = await loadRefund(id);
  const [order] = row.orderId ? await db.select().from(orders).where(eq(orders.id, row.orderId)) : [];
  return { row, order: order ?? null };
}

/** A plain charge with what can still be refunded, for the refund form. */
export async function chargeForRefund(chargeId: string) {
  const db = await getDb();
  const [c] = await db.select().from(charges).where(eq(charges.pingppId, chargeId));
  try {
    const t = await chargeTarget(db, c);
    const rs = await db.select().from(refunds).where(eq(refunds.chargeId, chargeId)).orderBy(desc(refunds.createdAt));
    return { ...t, refunds: rs, error: null };
  } catch (e) {
    if (isAppError(e)) return { charge: c ?? null, error: e.code };
    throw e;
  }
}

/** The WHERE of a refunds filter (joined with orders): shared by the list and the export. */
export function refundWhere(f: RefundFilter) {
  // sent refunds, and those held for approval (never sent, so without a Ping++ id)
  const where: (SQL | undefined)[] = [or(isNotNull(refunds.pingppId), eq(refunds.status, "awaiting_approval"))];
  if (f.status) where.push(eq(refunds.status, f.status));
  if (f.kind) where.push(f.kind === "order" ? isNotNull(refunds.orderId) : isNull(refunds.orderId));
  if (f.from) where.push(gte(refunds.createdAt, shanghaiDayStart(f.from)));
  if (f.to) where.push(lt(refunds.createdAt, shanghaiDayEnd(f.to)));
  // prefixes: Ping++ ids (case matters), the merchant order number (any case)
  if (f.q)
    where.push(
      or(
        idPrefix(refunds.pingppId, f.q),
        idPrefix(refunds.chargeId, f.q),
        idPrefix(orders.pingppId, f.q),
        orderNoPrefix(orders.merchantOrderNo, f.q),
      ),
    );
  return and(...where);
}

export async function listRefunds(f: RefundFilter) {
  const db = await getDb();
  const cond = refundWhere(f);
  const page = f.page ?? 1;
  const [rows, perCurrency] = await Promise.all([
    db
      .select({ row: refunds, orderPingppId: orders.pingppId })
      .from(refunds)
      .leftJoin(orders, eq(orders.id, refunds.orderId))
      .where(cond)
      .orderBy(desc(refunds.createdAt), desc(refunds.id))
      .limit(REFUNDS_PER_PAGE)
      .offset((page - 1) * REFUNDS_PER_PAGE),
    db
      .select({
        currency: refunds.currency,
        count: sql<string>`count(*)`,
        amount: sql<string>`coalesce(sum(${refunds.amount}), 0)`,
        succeeded: sql<string>`coalesce(sum(${refunds.amount}) filter (where ${refunds.status} = 'succeeded'), 0)`,
        pending: sql<string>`coalesce(sum(${refunds.amount}) filter (where ${refunds.status} in ('pending', 'creating')), 0)`,
      })
      .from(refunds)
      .leftJoin(orders, eq(orders.id, refunds.orderId))
      .where(cond)
      .groupBy(refunds.currency),
  ]);
  const entries = perCurrency.map((t) => ({
    currency: t.currency,
    count: Number(t.count),
    amount: Number(t.amount),
    succeeded: Number(t.succeeded),
    pending: Number(t.pending),
  }));
  const totals: RefundTotals = {
    count: entries.reduce((n, e) => n + e.count, 0),
    byCurrency: byCurrency(entries, (currency) => ({ currency, count: 0, amount: 0, succeeded: 0, pending: 0 })),
  };
  return { rows, totals, page, pages: Math.max(1, Math.ceil(totals.count / REFUNDS_PER_PAGE)) };
}

/** Refund totals of a filter: one entry per currency, yuan first; amounts never added across currencies. */
export interface RefundTotals {
  count: number;
  byCurrency: { currency: string; count: number; amount: number; succeeded: number; pending: number }[];
}
