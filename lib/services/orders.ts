import "server-only";
import { and, desc, eq, gte, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import { getDb, runSql, type DbOrTx } from "../db";
import { charges, orders, refunds, type OrderRow, type OrderStatus, type RefundRow } from "../db/schema";
import { currencyForChannel, generateOrderNo, type Charge, type Order, type OrderPayParams } from "../pingpp";
import { env } from "../env";
import { shanghaiDayEnd, shanghaiDayStart } from "../dates";
import { audit } from "./audit";
import { idPrefix, orderNoPrefix } from "./search";
import { AppError } from "./errors";
import { pingpp } from "./pingpp-client";
import { callPingpp, refuse } from "./pingpp-audited-call";
import { claimByKey, expiredLease, keepClaim, leaseExpired, undoClaim } from "./idempotent-claim";
import { IN_PROGRESS } from "../retry-codes";
import { applyCharge, extraFor, terminalFor, toView, type ChargeView } from "./charges";
import { byCurrency } from "../money-totals";
import { refundState, shownOrderStatus, type RefundState, type ShownOrderStatus } from "../refund-state";
import { can } from "../auth/policy";
import type { Actor } from "./actor";
import type { CreateOrderData, OrderFilter } from "../validations/orders";

/** Order statuses move up this rank only (ARCHITECTURE.md rule 2). */
const RANK: Record<OrderStatus, number> = { creating: 0, failed: 1, created: 1, canceled: 2, paid: 2, refunded: 3 };
/**
 * A cancel's lease (idempotent-claim's LEASE_MS is one call's): longer than a resumed cancel can take (a retrieve, then
 * the cancel: 15 s each at most).
 */
const CANCEL_LEASE_MS = 45_000;
/** Pages of `GET /orders` one sync reads at most (20 orders each). */
const SYNC_MAX_PAGES = 500;
export const ORDERS_PER_PAGE = 20;

const toDate = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);

/** The charges embedded in a stored Ping++ order. */
export function chargesOf(row: Pick<OrderRow, "raw">): Charge[] {
  const list = (row.raw as { charges?: { data?: Charge[] } } | null)?.charges;
  return list?.data ?? [];
}

const paidTotal = (cs: Charge[]) => cs.filter((c) => c.paid).reduce((n, c) => n + c.amount, 0);

/**
 * Store what Ping++ says about an order, forward only: the status only climbs its rank, and
 * `paid`, `refunded`, `canceled` and the amounts never go back. Matches by Ping++ id, else by
 * merchant_order_no (our claim); creates a row for orders made outside the console.
 */
export async function applyOrder(tx: DbOrTx, o: Order): Promise<OrderRow> {
  const [existing] = await tx
    .select()
    .from(orders)
    .where(or(eq(orders.pingppId, o.id), eq(orders.merchantOrderNo, o.merchant_order_no)))
    .for("update");
  const essentials = (o.charge_essentials ?? {}) as { channel?: string };
  const amountPaid = Math.max(o.amount_paid, paidTotal(o.charges?.data ?? []), existing?.amountPaid ?? 0);
  const fields = {
    pingppId: o.id,
    uid: o.uid,
    amountPaid,
    amountRefunded: Math.max(o.amount_refunded, existing?.amountRefunded ?? 0),
    paid: o.paid || !!existing?.paid,
    refunded: o.refunded || !!existing?.refunded,
    canceled: o.status === "canceled" || !!existing?.canceled,
    canceledAt: existing?.canceledAt ?? (o.status === "canceled" ? new Date() : null),
    chargeId: o.charge ?? existing?.chargeId ?? null,
    channel: essentials.channel ?? existing?.channel ?? null,
    timePaid: toDate(o.time_paid) ?? existing?.timePaid ?? null,
    timeExpire: toDate(o.time_expire),
    livemode: o.livemode,
    raw: mergeCharges(o, existing),
    updatedAt: new Date(),
  };
  if (!existing) {
    const [row] = await tx
      .insert(orders)
      .values({
        ...fields,
        merchantOrderNo: o.merchant_order_no,
        appId: o.app,
        amount: o.amount,
        actualAmount: o.actual_amount,
        currency: o.currency,
        subject: o.subject,
        body: o.body,
        status: o.status,
      })
      .returning();
    return row!;
  }
  const status = RANK[o.status] > RANK[existing.status] ? o.status : existing.status;
  const [row] = await tx
    .update(orders)
    .set({ ...fields, status })
    .where(eq(orders.id, existing.id))
    .returning();
  return row!;
}

/** The new order object, keeping charges we know of that it no longer lists (or lists as unpaid). */
function mergeCharges(o: Order, existing: OrderRow | undefined): Record<string, unknown> {
  const known = existing ? chargesOf(existing) : [];
  const fresh = o.charges?.data ?? [];
  const byId = new Map(known.map((c) => [c.id, c]));
  for (const c of fresh) byId.set(c.id, byId.get(c.id)?.paid && !c.paid ? byId.get(c.id)! : c);
  return {
    ...o,
    charges: { object: "list", url: `/v1/orders/${o.id}/charges`, has_more: false, data: [...byId.values()] },
  };
}

/**
 * The order a charge pays, locked (FOR UPDATE), or null. Every charge.succeeded asks; most charges
 * (plain QR) belong to no order. Plain SQL (drizzle's builder costs more than the statement on the
 * webhook path). The webhook sends it right behind the charge's update, in the same round trip
 * (lib/services/webhooks/order-charge-succeeded.ts), and passes the promise to applyOrderCharge.
 */
export async function lockOrderOfCharge(tx: DbOrTx, c: Charge): Promise<{ id: string } | null> {
  const [hit] = await runSql<{ id: string }>(
    tx,
    "select id from orders where charge_id = $1 or charge_order_no = $2 or merchant_order_no = $2 limit 1 for update",
    [c.id, c.order_no],
  );
  return hit ?? null;
}

/**
 * A charge of one of our orders was paid (`charge.succeeded`). Ping++ sends `order.succeeded`
 * only once, so a second payment of the same order (two channels at once, or after a cancel)
 * is seen here: merge the charge into the order and count what was paid, forward only.
 */
export async function applyOrderCharge(
  tx: DbOrTx,
  c: Charge,
  locked: Promise<{ id: string } | null> = lockOrderOfCharge(tx, c),
): Promise<OrderRow | null> {
  const hit = await locked;
  if (!hit) return null;
  const [row] = await tx.select().from(orders).where(eq(orders.id, hit.id));
  if (!row?.raw) return null;
  const merged = [...chargesOf(row).filter((x) => x.id !== c.id), c];
  const amountPaid = Math.max(row.amountPaid, paidTotal(merged));
  const [saved] = await tx
    .update(orders)
    .set({
      raw: {
        ...row.raw,
        charges: { object: "list", url: `/v1/orders/${row.pingppId}/charges`, has_more: false, data: merged },
      },
      amountPaid,
      paid: row.paid || amountPaid >= row.actualAmount,
      timePaid: row.timePaid ?? toDate(c.time_paid),
      updatedAt: new Date(),
    })
    .where(eq(orders.id, row.id))
    .returning();
  return saved!;
}

// ---------------------------------------------------------------- who sees what

export function canSeeOrder(actor: Actor, row: Pick<OrderRow, "createdBy" | "terminalId">): boolean {
  if (can(actor.role, "terminals.all")) return true;
  return row.createdBy === actor.id || (!!actor.terminalId && row.terminalId === actor.terminalId);
}

function visibleWhere(actor: Actor): SQL | undefined {
  if (can(actor.role, "terminals.all")) return undefined;
  return or(eq(orders.createdBy, actor.id), actor.terminalId ? eq(orders.terminalId, actor.terminalId) : sql`false`);
}

export async function loadOrder(actor: Actor, id: string, tx?: DbOrTx): Promise<OrderRow> {
  const db = tx ?? (await getDb());
  const [row] = await db.select().from(orders).where(eq(orders.id, id));
  if (!row || !canSeeOrder(actor, row)) throw new AppError("orders.errors.notFound");
  return row;
}

// ---------------------------------------------------------------- money held back

/** Refunds that count against what is left: everything but failed ones. */
export const liveRefund = ne(refunds.status, "failed");

/** Per charge id: the sum of refunds that have not failed. */
export async function refundedByCharge(tx: DbOrTx, chargeIds: string[]): Promise<Map<string, number>> {
  if (chargeIds.length === 0) return new Map();
  const rows = await tx
    .select({ chargeId: refunds.chargeId, n: sql<number>`coalesce(sum(${refunds.amount}), 0)::bigint`.mapWith(Number) })
    .from(refunds)
    .where(and(sql`${refunds.chargeId} in ${chargeIds}`, liveRefund))
    .groupBy(refunds.chargeId);
  return new Map(rows.map((r) => [r.chargeId, r.n]));
}

/**
 * Per charge id: refunds that succeeded, those still on their way (pending, or being sent), and those held for approval
 * (not sent, but counted against the remainder).
 */
export async function refundSplitByCharge(
  tx: DbOrTx,
  chargeIds: string[],
): Promise<Map<string, { succeeded: number; pending: number; held: number }>> {
  if (chargeIds.length === 0) return new Map();
  const rows = await tx
    .select({
      chargeId: refunds.chargeId,
      succeeded: sql<string>`coalesce(sum(${refunds.amount}) filter (where ${refunds.status} = 'succeeded'), 0)`,
      pending: sql<string>`coalesce(sum(${refunds.amount}) filter (where ${refunds.status} in ('pending', 'creating')), 0)`,
      held: sql<string>`coalesce(sum(${refunds.amount}) filter (where ${refunds.status} = 'awaiting_approval'), 0)`,
    })
    .from(refunds)
    .where(sql`${refunds.chargeId} in ${chargeIds}`)
    .groupBy(refunds.chargeId);
  return new Map(
    rows.map((r) => [r.chargeId, { succeeded: Number(r.succeeded), pending: Number(r.pending), held: Number(r.held) }]),
  );
}

/** An order's refund state: what was paid, what went back (Ping++'s count or ours, the larger), what is on its way. */
export const orderRefundState = (
  row: Pick<OrderRow, "amountPaid" | "amountRefunded">,
  local: { succeeded: number; pending: number },
): RefundState => refundState(row.amountPaid, Math.max(row.amountRefunded, local.succeeded), local.pending);

/** What can still go back on a charge: its amount less the larger of Ping++'s and our refunded counts. */
export const remainderOf = (c: Pick<Charge, "amount" | "amount_refunded">, localRefunded: number) =>
  Math.max(c.amount - Math.max(c.amount_refunded, localRefunded), 0);

export type Anomaly = "paidAfterCancel" | "paidTwice";

/**
 * The guide's 注意事项: a canceled order that was paid anyway, or one paid more than its
 * amount (two channels). `excess` is what should go back; the flag clears once it has.
 */
export function anomalyOf(row: OrderRow, refunded: number): { kind: Anomaly; excess: number } | null {
  const kind: Anomaly | null =
    row.canceled && row.amountPaid > 0 ? "paidAfterCancel" : row.amountPaid > row.actualAmount ? "paidTwice" : null;
  const excess = row.amountPaid - Math.max(row.amountRefunded, refunded) - (row.canceled ? 0 : row.actualAmount);
  return kind && excess > 0 ? { kind, excess } : null;
}

/** SQL twin of anomalyOf(): orders with money that should go back. */
const refundedSql = sql`greatest(${orders.amountRefunded}, coalesce((select sum(r.amount) from refunds r where r.order_id = ${orders.id} and r.status <> 'failed'), 0))`;
/** SQL: our refunds of an order that succeeded / are still on their way. */
const succeededLocalSql = sql`coalesce((select sum(r.amount) from refunds r where r.order_id = ${orders.id} and r.status = 'succeeded'), 0)`;
const pendingLocalSql = sql`coalesce((select sum(r.amount) from refunds r where r.order_id = ${orders.id} and r.status in ('pending', 'creating')), 0)`;
/** For reads of whole order rows elsewhere (the export): our succeeded and pending refunds of each. */
export const orderRefundColumns = {
  succeeded: sql<string>`${succeededLocalSql}`,
  pending: sql<string>`${pendingLocalSql}`,
};
/** SQL twin of orderRefundState()'s succeeded amount. */
const succeededSql = sql`greatest(${orders.amountRefunded}, ${succeededLocalSql})`;
/** SQL twin of shownOrderStatus(): the status filter selects what the list shows. */
const paidish = sql`${orders.status} in ('paid', 'refunded')`;
const shownStatusSql: Record<"paid" | "partially_refunded" | "refunded", SQL> = {
  paid: sql`(${paidish} and ${succeededSql} <= 0)`,
  partially_refunded: sql`(${paidish} and ${succeededSql} > 0 and (${orders.amountPaid} <= 0 or ${succeededSql} < ${orders.amountPaid}))`,
  refunded: sql`(${paidish} and ${orders.amountPaid} > 0 and ${succeededSql} >= ${orders.amountPaid})`,
};
export const needsAttentionSql = sql`(${orders.amountPaid} > ${orders.actualAmount} or (${orders.canceled} and ${orders.amountPaid} > 0)) and ${orders.amountPaid} - ${refundedSql} - case when ${orders.canceled} then 0 else ${orders.actualAmount} end > 0`;

// ---------------------------------------------------------------- order mode (cashier)

/**
 * Order mode on the cashier screen: `POST /orders` then `/pay` with a QR channel, and the
 * order's charge shown on the same QR panel. The form's key claims an order row first, so a
 * double click or a retry makes one order and one charge; each step is skipped on a retry once
 * it is done (the pay re-sends the same charge_order_no).
 */
export async function createOrderCharge(actor: Actor, input: CreateOrderData): Promise<ChargeView> {
  const db = await getDb();
  const terminalId = await terminalFor(actor, input.terminalId, "order.create", {
    amount: input.amount,
    channel: input.channel,
    idempotency: input.idempotencyKey,
  });
  if (input.channel.startsWith("isv_") && !terminalId)
    throw new AppError("terminalRequired", {}, undefined, "terminalId");
  const { appId } = env().pingpp;
  const claim = await claimByKey(
    orders,
    {
      idempotencyKey: input.idempotencyKey,
      merchantOrderNo: generateOrderNo(),
      chargeOrderNo: generateOrderNo(),
      appId,
      uid: input.uid || (terminalId ? `terminal_${terminalId}` : `staff_${actor.id.slice(0, 8)}`),
      amount: input.amount,
      actualAmount: input.amount,
      currency: currencyForChannel(input.channel),
      subject: input.subject,
      body: input.body,
      status: "creating",
      channel: input.channel,
      terminalId,
      createdBy: actor.id,
    },
    {
      inProgress: IN_PROGRESS.charge,
      // answered: refused, or its charge made (retaken while the create or the pay may still be owed)
      settled: (r) => r.status === "failed" || (!!r.chargeId && r.status !== "creating"),
      open: and(ne(orders.status, "failed"), or(eq(orders.status, "creating"), isNull(orders.chargeId))),
    },
  );
  const row = claim.row;
  if (row.status === "failed") throw new AppError("pingppRefused", {}, row.failureMsg ?? undefined);
  if (row.chargeId && row.status !== "creating") {
    const [c] = await db.select().from(charges).where(eq(charges.pingppId, row.chargeId));
    if (c) return toView(c);
  }

  const entry = {
    actor,
    action: "order.create",
    target: { type: "order", id: row.merchantOrderNo },
    params: { amount: row.amount, channel: input.channel, terminalId, idempotency: input.idempotencyKey },
  };
  // On a refusal of the create nothing exists at Ping++; otherwise leave the claim for a retry.
  const keep = () => keepClaim(orders, row.id);

  // A retried claim may have been created at Ping++ although the answer was lost: look first.
  const known =
    row.pingppId ?? (claim.state === "new" ? null : (await callPingpp(entry, () => findByUid(row), keep))?.id);
  let order = known
    ? await callPingpp(entry, () => pingpp().orders.retrieve(known), keep)
    : await callPingpp(
        entry,
        () =>
          pingpp().orders.create({
            app: appId,
            merchant_order_no: row.merchantOrderNo,
            amount: row.amount,
            currency: row.currency as "cny",
            client_ip: actor.ip && actor.ip !== "unknown" ? actor.ip : "127.0.0.1",
            subject: row.subject,
            body: row.body,
            uid: row.uid!,
            metadata: { terminal_id: terminalId ?? "", staff: actor.email },
          }),
        undoClaim(orders, row.id, (failureMsg) => ({ status: "failed", failureMsg })),
      );
  await db.transaction((tx) => applyOrder(tx, order));
  if (!order.charge) {
    const pay = {
      channel: input.channel,
      charge_amount: row.amount,
      extra: extraFor(input, terminalId),
      time_expire: Math.floor(Date.now() / 1000) + env().chargeTtlSeconds,
      charge_order_no: row.chargeOrderNo!,
    } as OrderPayParams;
    order = await callPingpp(entry, () => pingpp().orders.pay(order.id, pay), keep);
  }
  const charge = await callPingpp(entry, () => pingpp().orders.charges.retrieve(order.id, order.charge!), keep);
  const saved = await db.transaction(async (tx) => {
    await applyOrder(tx, order);
    const c = await applyCharge(tx, charge, { lastSyncedAt: new Date() });
    const [mine] = await tx
      .update(charges)
      .set({ createdBy: actor.id, terminalId })
      .where(eq(charges.id, c.id))
      .returning();
    return mine!;
  });
  await audit({ ...entry, target: { type: "order", id: order.id }, result: "ok" });
  return toView(saved);
}

/** Our claimed order at Ping++, if it exists: the newest orders of its uid, by merchant_order_no. */
async function findByUid(row: OrderRow): Promise<Order | undefined> {
  const list = await pingpp().orders.list({ app: row.appId, uid: row.uid ?? undefined, per_page: 20 });
  return list.data.find((o) => o.merchant_order_no === row.merchantOrderNo);
}

// ---------------------------------------------------------------- cancel

/**
 * Cancel an unpaid order (`PUT status=canceled`, with `user` when it has one). The form's key
 * claims the cancel first, so a double click or a second tab sends one PUT; a refusal from
 * Ping++ (already canceled, expired, paid) is shown and nothing changes locally.
 */
export async function cancelOrder(actor: Actor, id: string, key: string): Promise<OrderRow> {
  const db = await getDb();
  const row = await loadOrder(actor, id);
  const entry = {
    actor,
    action: "order.cancel",
    target: { type: "order", id: row.pingppId ?? row.id },
    params: { amount: row.actualAmount, idempotency: key },
  };
  if (!can(actor.role, "orders.manage")) return refuse(entry, "forbidden");
  if (row.canceled && row.cancelKey === key) return row; // a retry of the cancel that worked
  if (row.status !== "created" || row.paid || !row.pingppId) return refuse(entry, "orders.errors.notCancelable");
  // A claim left by a try that got no answer: that try may have gone through. Retake it once its
  // lease ended (at once after no answer) and ask Ping++ before sending the cancel again.
  const resumed = row.cancelKey !== null;
  const [claimed] = await db
    .update(orders)
    .set({ cancelKey: key, updatedAt: new Date() })
    .where(
      and(
        eq(orders.id, row.id),
        eq(orders.status, "created"),
        resumed
          ? and(eq(orders.cancelKey, row.cancelKey!), leaseExpired(orders.updatedAt, CANCEL_LEASE_MS))
          : isNull(orders.cancelKey),
      ),
    )
    .returning();
  if (!claimed) return refuse(entry, IN_PROGRESS.orderCancel);
  const o = await callPingpp(
    entry,
    async () => {
      const earlier = resumed ? await pingpp().orders.retrieve(row.pingppId!) : null;
      return earlier?.status === "canceled"
        ? earlier
        : pingpp().orders.cancel(row.pingppId!, row.uid ? { user: row.uid } : {});
    },
    // Refused: nothing happened, release the claim. No answer: keep it, free to retry at once.
    // Only while the claim is still this request's: a later one may have taken it over.
    (refused) =>
      db
        .update(orders)
        .set(refused ? { cancelKey: null } : { updatedAt: expiredLease() })
        .where(and(eq(orders.id, row.id), eq(orders.cancelKey, key), eq(orders.updatedAt, claimed.updatedAt))),
  );
  const saved = await db.transaction((tx) => applyOrder(tx, o));
  await audit({ ...entry, result: "ok" });
  return saved;
}

// ---------------------------------------------------------------- sync from Ping++

/** Read every order of the app from Ping++ (`GET /orders`, page by page) and store each, forward only. */
export async function syncOrders(actor: Actor): Promise<{ pages: number; orders: number }> {
  const db = await getDb();
  const { appId } = env().pingpp;
  const entry = { actor, action: "order.sync", target: { type: "app", id: appId } };
  let page = 1;
  let count = 0;
  for (; page <= SYNC_MAX_PAGES; page++) {
    const list = await callPingpp(entry, () => pingpp().orders.list({ app: appId, page, per_page: 20 }));
    for (const o of list.data) await db.transaction((tx) => applyOrder(tx, o));
    count += list.data.length;
    if (!list.has_more || list.data.length === 0) break;
  }
  await audit({ ...entry, params: { pages: page, orders: count }, result: "ok" });
  return { pages: page, orders: count };
}

/** Ask Ping++ for one order now (the detail page's refresh). */
export async function refreshOrder(actor: Actor, id: string): Promise<OrderRow> {
  const row = await loadOrder(actor, id);
  if (!row.pingppId) return row;
  const db = await getDb();
  const entry = { actor, action: "order.refresh", target: { type: "order", id: row.pingppId } };
  const o = await callPingpp(entry, () => pingpp().orders.retrieve(row.pingppId!));
  return db.transaction(async (tx) => {
    const saved = await applyOrder(tx, o);
    await audit({ ...entry, result: "ok", message: `${row.status} → ${saved.status}` }, tx);
    return saved;
  });
}

// ---------------------------------------------------------------- list and detail

export interface OrderListItem {
  row: OrderRow;
  anomaly: { kind: Anomaly; excess: number } | null;
  refund: RefundState;
  /** The status to show (Ping++'s `refunded` read by what succeeded: paid, 部分退款 or 已退款). */
  shownStatus: ShownOrderStatus;
}

/** One currency's order totals: never added to another currency's. */
export interface OrderCurrencyTotals {
  currency: string;
  count: number;
  amount: number;
  paid: number;
  refunded: number;
  pendingRefund: number;
}

/** The WHERE of an orders filter with the actor's scope: shared by the list and the export. */
export function orderWhere(actor: Actor, f: OrderFilter) {
  const where: (SQL | undefined)[] = [visibleWhere(actor), sql`${orders.status} not in ('creating', 'failed')`];
  if (f.status === "paid" || f.status === "partially_refunded" || f.status === "refunded")
    where.push(shownStatusSql[f.status]);
  else if (f.status) where.push(eq(orders.status, f.status));
  const flag = (col: typeof orders.paid | typeof orders.refunded | typeof orders.canceled, v?: "yes" | "no") =>
    v ? where.push(eq(col, v === "yes")) : undefined;
  flag(orders.paid, f.paid);
  flag(orders.refunded, f.refunded);
  flag(orders.canceled, f.canceled);
  if (f.attention) where.push(needsAttentionSql);
  if (f.from) where.push(gte(orders.createdAt, shanghaiDayStart(f.from)));
  if (f.to) where.push(lt(orders.createdAt, shanghaiDayEnd(f.to)));
  // a prefix of Ping++'s order id (case matters) or of the merchant order number (any case), or the whole user id
  if (f.q)
    where.push(or(idPrefix(orders.pingppId, f.q), orderNoPrefix(orders.merchantOrderNo, f.q), eq(orders.uid, f.q)));
  return and(...where);
}

export async function listOrders(actor: Actor, f: OrderFilter) {
  const db = await getDb();
  const cond = orderWhere(actor, f);
  const page = f.page ?? 1;
  const [rows, perCurrency, [counts]] = await Promise.all([
    db
      .select({
        row: orders,
        refunded: sql<string>`${refundedSql}`,
        succeeded: sql<string>`${succeededLocalSql}`,
        pending: sql<string>`${pendingLocalSql}`,
      })
      .from(orders)
      .where(cond)
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(ORDERS_PER_PAGE)
      .offset((page - 1) * ORDERS_PER_PAGE),
    db
      .select({
        currency: orders.currency,
        count: sql<string>`count(*)`,
        amount: sql<string>`coalesce(sum(${orders.actualAmount}), 0)`,
        paid: sql<string>`coalesce(sum(${orders.amountPaid}), 0)`,
        refunded: sql<string>`coalesce(sum(${succeededSql}), 0)`,
        pendingRefund: sql<string>`coalesce(sum(least(${pendingLocalSql}, greatest(${orders.amountPaid} - ${succeededSql}, 0))), 0)`,
      })
      .from(orders)
      .where(cond)
      .groupBy(orders.currency),
    db
      .select({
        count: sql<number>`count(*)::int`,
        attention: sql<number>`count(*) filter (where ${needsAttentionSql})::int`,
      })
      .from(orders)
      .where(cond),
  ]);
  const items: OrderListItem[] = rows.map((r) => {
    const refund = orderRefundState(r.row, { succeeded: Number(r.succeeded), pending: Number(r.pending) });
    return {
      row: r.row,
      anomaly: anomalyOf(r.row, Number(r.refunded)),
      refund,
      shownStatus: shownOrderStatus(r.row.status, refund),
    };
  });
  const byCur = byCurrency(
    perCurrency.map((t) => ({
      currency: t.currency,
      count: Number(t.count),
      amount: Number(t.amount),
      paid: Number(t.paid),
      refunded: Number(t.refunded),
      pendingRefund: Number(t.pendingRefund),
    })),
    (currency) => ({ currency, count: 0, amount: 0, paid: 0, refunded: 0, pendingRefund: 0 }),
  );
  const totals = { count: counts!.count, attention: counts!.attention, byCurrency: byCur };
  return { items, totals, page, pages: Math.max(1, Math.ceil(totals.count / ORDERS_PER_PAGE)) };
}

export interface OrderChargeLine {
  id: string;
  channel: string;
  amount: number;
  currency: string;
  paid: boolean;
  timePaid: Date | null;
  /** Refunds of this charge that succeeded. */
  refunded: number;
  /** Succeeded and pending refunds of this charge apart (lib/refund-state). */
  refund: RefundState;
  remainder: number;
}

export interface OrderDetail {
  row: OrderRow;
  charges: OrderChargeLine[];
  refunds: RefundRow[];
  anomaly: { kind: Anomaly; excess: number } | null;
  refund: RefundState;
  shownStatus: ShownOrderStatus;
  /** Total that can still be refunded, over all paid charges. */
  refundable: number;
  timeline: { at: Date; what: string; detail?: string }[];
}

/** The order's paid charges with what each can still give back (locks nothing). */
export async function orderChargeLines(tx: DbOrTx, row: OrderRow): Promise<OrderChargeLine[]> {
  const cs = chargesOf(row);
  const split = await refundSplitByCharge(
    tx,
    cs.map((c) => c.id),
  );
  return cs.map((c) => {
    const mine = split.get(c.id) ?? { succeeded: 0, pending: 0, held: 0 };
    const refund = refundState(c.paid ? c.amount : 0, Math.max(c.amount_refunded, mine.succeeded), mine.pending);
    return {
      id: c.id,
      channel: c.channel,
      amount: c.amount,
      currency: c.currency,
      paid: c.paid,
      timePaid: toDate(c.time_paid),
      refunded: refund.succeeded,
      refund,
      // refunds held for approval keep their amount: two of them can never together exceed what is left
      remainder: c.paid ? remainderOf(c, mine.succeeded + mine.pending + mine.held) : 0,
    };
  });
}

export async function getOrder(actor: Actor, id: string): Promise<OrderDetail> {
  const db = await getDb();
  const row = await loadOrder(actor, id);
  const [lines, rs] = await Promise.all([
    orderChargeLines(db, row),
    db.select().from(refunds).where(eq(refunds.orderId, row.id)).orderBy(desc(refunds.createdAt)),
  ]);
  const sum = (keep: (r: RefundRow) => boolean) => rs.filter(keep).reduce((n, r) => n + r.amount, 0);
  const refunded = sum((r) => r.status !== "failed");
  const refund = orderRefundState(row, {
    succeeded: sum((r) => r.status === "succeeded"),
    pending: sum((r) => r.status === "pending" || r.status === "creating"),
  });
  const timeline: OrderDetail["timeline"] = [{ at: row.createdAt, what: "created" }];
  for (const c of lines) if (c.timePaid) timeline.push({ at: c.timePaid, what: "paid", detail: c.id });
  if (row.canceledAt) timeline.push({ at: row.canceledAt, what: "canceled" });
  for (const r of rs) {
    timeline.push({ at: r.createdAt, what: "refundRequested", detail: r.pingppId ?? undefined });
    if (r.timeSucceed) timeline.push({ at: r.timeSucceed, what: "refundSucceeded", detail: r.pingppId ?? undefined });
    if (r.status === "failed")
      timeline.push({ at: r.updatedAt, what: "refundFailed", detail: r.failureMsg ?? undefined });
  }
  timeline.sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    row,
    charges: lines,
    refunds: rs,
    anomaly: anomalyOf(row, refunded),
    refund,
    shownStatus: shownOrderStatus(row.status, refund),
    refundable: lines.reduce((n, c) => n + c.remainder, 0),
    timeline,
  };
}
