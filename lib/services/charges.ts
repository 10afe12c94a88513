import "server-only";
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { getDb, mapRow, preparedQuery, runSql, type DbOrTx } from "../db";
import { charges, refunds, type ChargeRow, type ChargeStatus } from "../db/schema";
import { byCurrency } from "../money-totals";
import { refundState, type RefundState } from "../refund-state";
import { shanghaiDayEnd, shanghaiDayStart } from "../dates";
import {
  currencyForChannel,
  generateOrderNo,
  isReversibleChannel,
  type Charge,
  type ChargeCreateParams,
} from "../pingpp";
import { env } from "../env";
import { audit } from "./audit";
import { idPrefix, orderNoPrefix } from "./search";
import { AppError } from "./errors";
import { pingpp } from "./pingpp-client";
import { callPingpp, refuse } from "./pingpp-audited-call";
import { claimByKey, undoClaim } from "./idempotent-claim";
import { IN_PROGRESS } from "../retry-codes";
import { SYSTEM, sweep, type SweepResult } from "./background";
import { can } from "../auth/policy";
import type { Actor } from "./actor";
import type { ChargeFilter, CreateChargeData } from "../validations/charges";
import type { ChargeView } from "./charge-view";

export type { ChargeView };

/** Pending this long without a webhook → ask Ping++ (ARCHITECTURE.md rule 5)… */
export const SYNC_AFTER_MS = 5_000;
/** …at most once per this interval per charge, across all instances. */
export const SYNC_INTERVAL_MS = 5_000;
/** ISV channels unpaid this long are reversed (the QR guide). */
export const ISV_REVERSE_AFTER_MS = 60_000;

/**
 * Forward only, by rank. A reversed row never moves again (a reversed charge is never paid). An
 * incoming reversal outranks paid only when Ping++ says both (an isv_* charge reversed the day it
 * was paid: the money went back); an unpaid reversal does not undo a payment we have seen.
 * `failed` is a create Ping++ refused (no QR exists); a row an older version marked failed after a
 * failed payment attempt ranks with pending, so Ping++'s paid, expired or reversed still moves it.
 */
const RANK: Record<ChargeStatus, number> = { creating: 0, pending: 1, failed: 1, expired: 2, paid: 3, reversed: 4 };
const incomingRank = (c: Charge, next: ChargeStatus) => (next === "reversed" && !c.paid ? 2 : RANK[next]);
/** RANK of the row's current status, in SQL. */
const STATUS_RANK = `(case status ${Object.entries(RANK)
  .map(([status, rank]) => `when '${status}' then ${rank}`)
  .join(" ")} end)`;
export const TERMINAL_STATUSES: readonly ChargeStatus[] = ["paid", "expired", "reversed", "failed"];

/** The columns a live status needs (the view, who may see it, when to ask Ping++): not the raw Ping++ object. */
const LIVE_COLUMNS = {
  id: charges.id,
  pingppId: charges.pingppId,
  status: charges.status,
  amount: charges.amount,
  currency: charges.currency,
  channel: charges.channel,
  qrPayload: charges.qrPayload,
  timeExpire: charges.timeExpire,
  timePaid: charges.timePaid,
  failureMsg: charges.failureMsg,
  terminalId: charges.terminalId,
  createdBy: charges.createdBy,
  createdAt: charges.createdAt,
  lastSyncedAt: charges.lastSyncedAt,
};
type LiveRow = Pick<ChargeRow, keyof typeof LIVE_COLUMNS>;

export function toView(row: LiveRow): ChargeView {
  return {
    id: row.id,
    chargeId: row.pingppId,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    channel: row.channel,
    qrPayload: row.status === "pending" ? row.qrPayload : null,
    timeExpire: row.timeExpire?.toISOString() ?? null,
    timePaid: row.timePaid?.toISOString() ?? null,
    failureMsg: row.failureMsg,
    reversible: row.status === "pending" && isReversibleChannel(row.channel),
    terminalId: row.terminalId,
  };
}

/**
 * Our status for a Ping++ charge object. A QR charge is final only when paid, expired or reversed:
 * a failed payment attempt (failure_code set) leaves it open, since the customer may scan the same
 * QR again and pay; it stays pending, and failure_msg is shown as a notice until Ping++ clears it.
 */
export function statusOf(c: Charge, now = Date.now()): ChargeStatus {
  if (c.reversed) return "reversed"; // also when paid: reversed after payment, the money went back
  if (c.paid) return "paid";
  if (c.time_expire && c.time_expire * 1000 <= now) return "expired";
  return "pending";
}

const toDate = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);

/** The payload a QR encodes: the credential entry of the charge's channel. */
function qrPayloadOf(c: Charge): string | null {
  const v = c.credential[c.channel];
  if (typeof v === "string") return v;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    for (const k of ["qr_code", "code_url", "url", "pay_url"]) if (typeof o[k] === "string") return o[k] as string;
  }
  return null;
}

/**
 * Store what Ping++ says about a charge, forward only (ARCHITECTURE.md rule 2): a late or repeated
 * object never moves a status back, and refunded amounts never shrink. Matches our row by
 * Ping++ id, else our claim with the same order_no and no id yet (a create whose answer was
 * lost); creates one for charges made outside the console. Returns the stored row.
 */
export async function applyCharge(tx: DbOrTx, c: Charge, extra: { lastSyncedAt?: Date } = {}): Promise<ChargeRow> {
  const next = statusOf(c);
  const fields = {
    pingppId: c.id,
    timeExpire: toDate(c.time_expire),
    transactionNo: c.transaction_no,
    failureCode: c.failure_code,
    failureMsg: c.failure_msg,
    livemode: c.livemode,
    raw: c as Record<string, unknown>,
    updatedAt: new Date(),
    ...extra,
  };
  // One statement: lock the row (by Ping++ id; else our own claim still waiting for its answer,
  // same order_no and no id yet) and move it forward only: the status by rank, and a paid time,
  // QR, refunded amount or refunded flag once known are never taken back. SQL text on the driver
  // (runSql): every webhook runs it, and drizzle's builder spent more CPU building it than
  // Postgres running it.
  const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
  const [raw] = await runSql(
    tx,
    `update charges set
       pingpp_id = $1, time_expire = $2::timestamptz, transaction_no = $3, failure_code = $4, failure_msg = $5,
       livemode = $6, raw = $7::jsonb, updated_at = $8::timestamptz,
       last_synced_at = coalesce($9::timestamptz, last_synced_at),
       status = case when $10::int > ${STATUS_RANK} then $11::charge_status else status end,
       time_paid = coalesce($12::timestamptz, time_paid),
       qr_payload = coalesce(qr_payload, $13::text),
       amount_refunded = greatest(amount_refunded, $14::bigint),
       refunded = (refunded or $15::boolean)
     where id = (
       select id from charges where pingpp_id = $1 or (order_no = $16 and pingpp_id is null)
       order by pingpp_id is null limit 1 for update
     )
     returning *`,
    [
      c.id,
      iso(fields.timeExpire),
      c.transaction_no,
      c.failure_code,
      c.failure_msg,
      c.livemode,
      JSON.stringify(c),
      iso(fields.updatedAt),
      iso(extra.lastSyncedAt),
      incomingRank(c, next),
      next,
      iso(toDate(c.time_paid)),
      qrPayloadOf(c),
      c.amount_refunded,
      c.refunded,
      c.order_no,
    ],
  );
  const updated = raw && mapRow(charges, raw);
  if (updated) return updated;
  const [row] = await tx
    .insert(charges)
    .values({
      ...fields,
      timePaid: toDate(c.time_paid),
      orderNo: c.order_no,
      appId: typeof c.app === "string" ? c.app : (c.app as { id: string }).id,
      channel: c.channel,
      amount: c.amount,
      currency: c.currency,
      subject: c.subject,
      body: c.body,
      status: next,
      amountRefunded: c.amount_refunded,
      refunded: c.refunded,
      qrPayload: qrPayloadOf(c),
    })
    .returning();
  return row!;
}

async function save(c: Charge, extra?: { lastSyncedAt?: Date }): Promise<ChargeRow> {
  const db = await getDb();
  return db.transaction((tx) => applyCharge(tx, c, extra));
}

/**
 * isv_wap's result_url left at the form's default, our customer page `/paid`: that page for this
 * very charge (`/paid/{our id}`: it shows the customer only the status and the amount).
 */
export function withResultPage(
  extra: Record<string, unknown> | undefined,
  id: string,
): Record<string, unknown> | undefined {
  const url = typeof extra?.result_url === "string" ? extra.result_url : null;
  if (!url || !/^https?:\/\/[^/]+\/paid\/?$/i.test(url)) return extra;
  return { ...extra, result_url: `${url.replace(/\/$/, "")}/${id}` };
}

/**
 * What the customer's result page may show of a charge: its status and amount, nothing else; null for no such charge.
 */
export async function paymentResult(
  id: string,
): Promise<{ status: "paid" | "pending" | "closed"; amount: number; currency: string } | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const db = await getDb();
  const [r] = await db
    .select({
      status: charges.status,
      amount: charges.amount,
      currency: charges.currency,
      timeExpire: charges.timeExpire,
    })
    .from(charges)
    .where(eq(charges.id, id));
  if (!r || r.status === "creating") return null;
  const shown = shownStatus(r);
  return {
    status: shown === "paid" ? "paid" : shown === "pending" ? "pending" : "closed",
    amount: r.amount,
    currency: r.currency,
  };
}

/** The `extra` of a QR channel from the cashier form (also used by order mode's `/pay`). */
export function extraFor(input: CreateChargeData, terminalId: string | null): Record<string, unknown> | undefined {
  switch (input.channel) {
    case "wx_pub_qr":
      return { product_id: input.productId };
    case "cb_wx_pub_qr":
      return { product_id: input.productId, goods_list: [{ goods_name: input.goodsName, goods_num: input.goodsNum }] };
    case "isv_qr":
      return { terminal_id: terminalId, pay_channel: input.payChannel };
    case "isv_scan":
      return { terminal_id: terminalId, scan_code: input.scanCode };
    case "isv_wap":
      return { terminal_id: terminalId, pay_channel: input.payChannel, result_url: input.resultUrl };
    default:
      return undefined;
  }
}

/** Read a charge the actor may see (cashiers: their terminal's or their own). */
const chargeById = preparedQuery((db) =>
  db
    .select()
    .from(charges)
    .where(eq(charges.id, sql.placeholder("id")))
    .prepare("charge_by_id"),
);

async function loadVisible(actor: Actor, id: string): Promise<ChargeRow> {
  return visibleTo(actor, (await chargeById({ id }))[0]);
}

/** The row if this actor may see it; "not found" otherwise (a cashier learns nothing of other terminals). */
function visibleTo<R extends Pick<ChargeRow, "createdBy" | "terminalId">>(actor: Actor, row: R | undefined): R {
  if (!row || !canSee(actor, row)) throw new AppError("chargeNotFound");
  return row;
}

/** The SQL twin of canSee(): a cashier's charges are their own and their terminal's; others see all. */
export function cashierScope(actor: Actor): SQL | undefined {
  if (can(actor.role, "terminals.all")) return undefined;
  return or(eq(charges.createdBy, actor.id), actor.terminalId ? eq(charges.terminalId, actor.terminalId) : sql`false`);
}

export function canSee(actor: Actor, row: Pick<ChargeRow, "createdBy" | "terminalId">): boolean {
  if (can(actor.role, "terminals.all")) return true;
  return row.createdBy === actor.id || (!!actor.terminalId && row.terminalId === actor.terminalId);
}

/**
 * The terminal a new charge (or order) goes on, ARCHITECTURE.md §4: a cashier charges on their own terminal
 * only (the form may repeat it or leave it empty); another terminal is refused, on record, before
 * anything is claimed or asked of Ping++. Finance and admin may choose any, else their own if any.
 */
export async function terminalFor(
  actor: Actor,
  requested: string | undefined,
  action: string,
  params: Record<string, unknown>,
): Promise<string | null> {
  const asked = requested?.trim() || null;
  if (can(actor.role, "terminals.all")) return asked ?? actor.terminalId ?? null;
  if (asked === null || asked === actor.terminalId) return actor.terminalId;
  const entry = { actor, action, target: { type: "terminal", id: asked }, params: { ...params, terminalId: asked } };
  return actor.terminalId
    ? refuse(entry, "ownTerminalOnly", { terminal: actor.terminalId }, "terminalId")
    : refuse(entry, "noTerminalAssigned", {}, "terminalId");
}

/**
 * Create a QR charge (validate → idempotency → Ping++ → persist → audit). The form's
 * idempotency key claims a row first, so a double click or a retried request never makes a
 * second charge; a retry after a lost answer re-sends the same order_no, which Ping++ dedupes.
 */
export async function createCharge(actor: Actor, input: CreateChargeData): Promise<ChargeView> {
  const { appId } = env().pingpp;
  const currency = currencyForChannel(input.channel);
  const terminalId = await terminalFor(actor, input.terminalId, "charge.create", {
    amount: input.amount,
    currency,
    channel: input.channel,
    idempotencyKey: input.idempotencyKey,
  });
  if (input.channel.startsWith("isv_") && !terminalId)
    throw new AppError("terminalRequired", {}, undefined, "terminalId");
  const auditParams = {
    amount: input.amount,
    currency,
    channel: input.channel,
    terminalId,
    idempotencyKey: input.idempotencyKey,
  };

  const claim = await claimByKey(
    charges,
    {
      idempotencyKey: input.idempotencyKey,
      orderNo: generateOrderNo(),
      appId,
      channel: input.channel,
      amount: input.amount,
      currency,
      subject: input.subject,
      body: input.body,
      status: "creating",
      terminalId,
      createdBy: actor.id,
    },
    { inProgress: IN_PROGRESS.charge },
  );
  if (claim.state === "settled") return toView(claim.row);
  const row = claim.row;

  const params = {
    order_no: row.orderNo,
    app: { id: appId },
    channel: row.channel,
    amount: row.amount,
    currency: row.currency,
    client_ip: actor.ip && actor.ip !== "unknown" ? actor.ip : "127.0.0.1",
    subject: row.subject,
    body: row.body,
    time_expire: Math.floor(Date.now() / 1000) + env().chargeTtlSeconds,
    extra: withResultPage(extraFor(input, terminalId), row.id),
    metadata: { terminal_id: terminalId ?? "", staff: actor.email },
  } as ChargeCreateParams;

  const charge = await callPingpp(
    { actor, action: "charge.create", target: { type: "charge", id: row.id }, params: auditParams },
    () => pingpp().charges.create(params),
    // Refused: the claim becomes a failed charge. No answer: keep the claim, so a retry with the
    // same key re-sends the same order_no (which Ping++ dedupes) instead of making a second charge.
    undoClaim(charges, row.id, (failureMsg) => ({
      status: "failed",
      failureMsg,
      failureCode: "refused",
      updatedAt: new Date(),
    })),
  );
  const saved = await save(charge, { lastSyncedAt: new Date() });
  await audit({
    actor,
    action: "charge.create",
    target: { type: "charge", id: saved.pingppId ?? saved.id },
    params: auditParams,
    result: "ok",
  });
  return toView(saved);
}

/**
 * The live status a cashier screen polls: one indexed read, nothing else. Asking Ping++ when a
 * webhook is late and reversing unpaid ISV charges after 60 s are the scheduler's jobs
 * (syncDueCharges, reverseUnpaidIsvCharges; ARCHITECTURE.md rule 5), whether or not a screen is open.
 */
export async function chargeStatus(actor: Actor, id: string): Promise<ChargeView> {
  return toView(visibleTo(actor, (await liveChargeById({ id }))[0]));
}

/**
 * Open (pending, or marked failed after an attempt by an older version: Ping++ has the charge) past
 * SYNC_AFTER_MS (or past its expiry) and not asked about within SYNC_INTERVAL_MS.
 */
function dueForSync(row: LiveRow, now: number): row is LiveRow & { pingppId: string } {
  if ((row.status !== "pending" && row.status !== "failed") || !row.pingppId) return false;
  if (now - row.createdAt.getTime() < SYNC_AFTER_MS && !(row.timeExpire && row.timeExpire.getTime() <= now))
    return false;
  return !(row.lastSyncedAt && now - row.lastSyncedAt.getTime() < SYNC_INTERVAL_MS); // no write per poll
}

const liveChargeById = preparedQuery((db) =>
  db
    .select(LIVE_COLUMNS)
    .from(charges)
    .where(eq(charges.id, sql.placeholder("id")))
    .prepare("live_charge_by_id"),
);

/**
 * Ask Ping++ about one charge due for it and store the answer (forward only), unless another
 * instance asked within SYNC_INTERVAL_MS (the claim on last_synced_at). Answers whether the status
 * moved. Throws when Ping++ cannot be asked (the job records it; the next sweep tries again).
 */
async function syncOne(row: LiveRow, now: number): Promise<boolean> {
  if (!dueForSync(row, now)) return false;
  const db = await getDb();
  // Claim the sync slot: at most one Ping++ call per SYNC_INTERVAL_MS per charge, across instances.
  const [claimed] = await db
    .update(charges)
    .set({ lastSyncedAt: new Date(now) })
    .where(
      and(
        eq(charges.id, row.id),
        or(isNull(charges.lastSyncedAt), lt(charges.lastSyncedAt, new Date(now - SYNC_INTERVAL_MS))),
      ),
    )
    .returning({ id: charges.id });
  if (!claimed) return false;
  const saved = await save(await pingpp().charges.retrieve(row.pingppId));
  return saved.status !== row.status;
}

/** Charges one sweep looks at, at most (the rest wait for the next sweep, a few seconds later). */
const SWEEP_LIMIT = 200;
/** Ping++ calls in flight at once per sweep: a slow Ping++ must not pile them up. */
const SYNC_CONCURRENCY = 16;

/**
 * The scheduler's charge sync (ARCHITECTURE.md rule 5): every open charge with a Ping++ id, past
 * SYNC_AFTER_MS (or past its expiry) and not asked about within its interval, is asked about and
 * stored, so a lost webhook still turns a screen green (or expired) with nobody watching. The
 * interval grows with the charge's age (a quarter of it, at least SYNC_INTERVAL_MS): a QR left
 * unpaid for its whole 15 minutes costs about twenty calls, not one every few seconds.
 */
export async function syncDueCharges(opts: { now?: number; signal?: AbortSignal } = {}): Promise<SweepResult> {
  const now = opts.now ?? Date.now();
  const db = await getDb();
  const at = new Date(now).toISOString();
  const rows = await db
    .select(LIVE_COLUMNS)
    .from(charges)
    .where(
      and(
        inArray(charges.status, ["pending", "failed"]),
        isNotNull(charges.pingppId),
        or(lt(charges.createdAt, new Date(now - SYNC_AFTER_MS)), lt(charges.timeExpire, new Date(now))),
        or(
          isNull(charges.lastSyncedAt),
          // not asked since it expired: ask once more, to learn it is expired (or paid at the last moment)
          and(lt(charges.timeExpire, new Date(now)), lt(charges.lastSyncedAt, charges.timeExpire)),
          sql`${charges.lastSyncedAt} < ${at}::timestamptz - greatest(${SYNC_INTERVAL_MS}::int * interval '1 millisecond', (${at}::timestamptz - ${charges.createdAt}) / 4)`,
        ),
      ),
    )
    .orderBy(sql`${charges.lastSyncedAt} asc nulls first`)
    .limit(SWEEP_LIMIT);
  return sweep("charge sync", rows, (row) => syncOne(row, now), { concurrency: SYNC_CONCURRENCY, signal: opts.signal });
}

/**
 * The scheduler's ISV rule (Ping++'s QR guide): an isv_* charge still unpaid ISV_REVERSE_AFTER_MS
 * after it was made is reversed, whether or not its screen is open. Ping++ is asked first (a
 * payment whose webhook is late is kept, not reversed); each reversal is audited as the system's.
 */
export async function reverseUnpaidIsvCharges(opts: { now?: number; signal?: AbortSignal } = {}): Promise<SweepResult> {
  const now = opts.now ?? Date.now();
  const at = new Date(now).toISOString();
  const db = await getDb();
  const rows = await db
    .select({ id: charges.id, pingppId: charges.pingppId, channel: charges.channel, amount: charges.amount })
    .from(charges)
    .where(
      and(
        eq(charges.status, "pending"),
        isNotNull(charges.pingppId),
        sql`left(${charges.channel}, 4) = 'isv_'`,
        lt(charges.createdAt, new Date(now - ISV_REVERSE_AFTER_MS)),
        // Not asked about within 5 s, nor, when a reversal keeps failing, within a quarter of the
        // time since it became due: one stuck charge must not cost a Ping++ call every sweep.
        or(
          isNull(charges.lastSyncedAt),
          sql`${charges.lastSyncedAt} < ${at}::timestamptz - greatest(${SYNC_INTERVAL_MS}::int * interval '1 millisecond', (${at}::timestamptz - ${charges.createdAt} - ${ISV_REVERSE_AFTER_MS}::int * interval '1 millisecond') / 4)`,
        ),
      ),
    )
    .orderBy(charges.createdAt)
    .limit(SWEEP_LIMIT);
  return sweep(
    "isv reversal",
    rows,
    async (row) => {
      const pingppId = row.pingppId!;
      // asked now, whatever Ping++ answers
      await db
        .update(charges)
        .set({ lastSyncedAt: new Date(now) })
        .where(eq(charges.id, row.id));
      const fresh = await save(await pingpp().charges.retrieve(pingppId), { lastSyncedAt: new Date(now) });
      if (fresh.status !== "pending") return false;
      const target = { type: "charge", id: pingppId };
      const params = { channel: row.channel, amount: row.amount, reason: "isv_unpaid_60s" };
      await callPingpp({ actor: SYSTEM, action: "charge.reverse", target, params }, () =>
        pingpp().charges.reverse(pingppId),
      ).then((c) => save(c, { lastSyncedAt: new Date(now) }));
      await audit({ actor: SYSTEM, action: "charge.reverse", target, params, result: "ok" });
      return true;
    },
    { concurrency: SYNC_CONCURRENCY, signal: opts.signal },
  );
}

/** Reverse (撤销) an unpaid charge where the channel allows it. Idempotent. */
export async function reverseCharge(actor: Actor, id: string): Promise<ChargeView> {
  const row = await loadVisible(actor, id);
  const params = { channel: row.channel, amount: row.amount };
  const target = { type: "charge", id: row.pingppId ?? row.id };
  if (row.status === "reversed") return toView(row);
  if (!isReversibleChannel(row.channel)) {
    await audit({
      actor,
      action: "charge.reverse",
      target,
      params,
      result: "refused",
      message: "channel not reversible",
    });
    throw new AppError("notReversibleChannel", { channel: row.channel });
  }
  if (row.status !== "pending" || !row.pingppId) {
    await audit({
      actor,
      action: "charge.reverse",
      target,
      params,
      result: "refused",
      message: `status ${row.status}`,
    });
    throw new AppError("notReversibleStatus");
  }
  const c = await callPingpp({ actor, action: "charge.reverse", target, params }, () =>
    pingpp().charges.reverse(row.pingppId!),
  );
  const saved = await save(c, { lastSyncedAt: new Date() });
  await audit({ actor, action: "charge.reverse", target, params, result: "ok" });
  return toView(saved);
}

/** What the customer display of a terminal shows: the newest live charge there, or nothing. */
export async function activeChargeForTerminal(actor: Actor, terminalId: string): Promise<ChargeView | null> {
  if (!can(actor.role, "terminals.all") && actor.terminalId !== terminalId) throw new AppError("forbiddenTerminal");
  const db = await getDb();
  const now = Date.now();
  const [row] = await db
    .select(LIVE_COLUMNS)
    .from(charges)
    .where(
      and(
        eq(charges.terminalId, terminalId),
        gt(charges.createdAt, new Date(now - env().chargeTtlSeconds * 1000)),
        or(
          eq(charges.status, "pending"),
          and(
            inArray(charges.status, TERMINAL_STATUSES as ChargeStatus[]),
            gt(charges.updatedAt, new Date(now - 15_000)),
          ),
        ),
      ),
    )
    .orderBy(desc(charges.createdAt))
    .limit(1);
  if (!row) return null;
  return toView(row);
}

/** Recent charges the actor may see (the cashier screen's history strip). */
export async function recentCharges(actor: Actor, limit = 10): Promise<ChargeView[]> {
  const db = await getDb();
  const rows = await db
    .select()
    .from(charges)
    .where(and(cashierScope(actor), sql`${charges.status} <> 'creating'`))
    .orderBy(desc(charges.createdAt))
    .limit(limit);
  return rows.map(toView);
}

// ---------------------------------------------------------------- lists and detail

export interface ChargeListRow {
  id: string;
  chargeId: string | null;
  orderNo: string;
  channel: string;
  amount: number;
  amountRefunded: number;
  currency: string;
  status: ChargeStatus;
  terminalId: string | null;
  subject: string;
  createdAt: string;
  timePaid: string | null;
  /** How refunded it is: succeeded and pending refunds apart (lib/refund-state). */
  refund: RefundState;
}

/** A pending charge past its time_expire is shown expired, whether or not the sync job has asked Ping++ since. */
const shownStatus = (r: Pick<ChargeRow, "status" | "timeExpire">): ChargeStatus =>
  r.status === "pending" && r.timeExpire && r.timeExpire.getTime() <= Date.now() ? "expired" : r.status;

/** Refunds sent and not yet answered (pending, or still being sent), per charge's ch_ id. */
const PENDING_REFUND = sql`${refunds.status} in ('pending', 'creating')`;

/** Per ch_ id: the refunds of those charges still on their way. */
export async function pendingRefundsByCharge(db: DbOrTx, chargeIds: string[]): Promise<Map<string, number>> {
  if (chargeIds.length === 0) return new Map();
  const rows = await db
    .select({ chargeId: refunds.chargeId, n: sql<string>`coalesce(sum(${refunds.amount}), 0)` })
    .from(refunds)
    .where(and(inArray(refunds.chargeId, chargeIds), PENDING_REFUND))
    .groupBy(refunds.chargeId);
  return new Map(rows.map((r) => [r.chargeId, Number(r.n)]));
}

/** A charge's refund state: succeeded = its refunded amount (only succeeded refunds raise it), pending apart. */
export const chargeRefundState = (
  r: Pick<ChargeRow, "status" | "amount" | "amountRefunded">,
  pending: number,
): RefundState => refundState(r.status === "paid" || r.amountRefunded > 0 ? r.amount : 0, r.amountRefunded, pending);

const toListRow = (r: ChargeRow, pending = 0): ChargeListRow => ({
  id: r.id,
  chargeId: r.pingppId,
  orderNo: r.orderNo,
  channel: r.channel,
  amount: r.amount,
  amountRefunded: r.amountRefunded,
  currency: r.currency,
  status: shownStatus(r),
  terminalId: r.terminalId,
  subject: r.subject,
  createdAt: r.createdAt.toISOString(),
  timePaid: r.timePaid?.toISOString() ?? null,
  refund: chargeRefundState(r, pending),
});

/**
 * The WHERE of a charges filter within `scope`, which charges the viewer may see: cashierScope (ARCHITECTURE.md §4),
 * or one half of it. Shared by the list and its totals (and so by their export).
 */
function chargeWhere(scope: SQL | undefined, f: Omit<ChargeFilter, "cursor" | "before">) {
  const conds = [sql`${charges.status} <> 'creating'`];
  if (scope) conds.push(scope);
  const lapsed = and(eq(charges.status, "pending"), lt(charges.timeExpire, new Date()))!;
  if (f.status === "pending") conds.push(eq(charges.status, "pending"), sql`not (${lapsed})`);
  else if (f.status === "expired") conds.push(or(eq(charges.status, "expired"), lapsed)!);
  else if (f.status) conds.push(eq(charges.status, f.status));
  if (f.channel) conds.push(eq(charges.channel, f.channel));
  if (f.terminal) conds.push(eq(charges.terminalId, f.terminal));
  if (f.from) conds.push(gte(charges.createdAt, shanghaiDayStart(f.from)));
  if (f.to) conds.push(lt(charges.createdAt, shanghaiDayEnd(f.to)));
  // a prefix of our or Ping++'s id, of the order number (any case), or the channel's whole transaction number
  if (f.q)
    conds.push(
      or(
        idPrefix(charges.pingppId, f.q),
        orderNoPrefix(charges.orderNo, f.q),
        eq(charges.transactionNo, f.q),
        ...(/^[0-9a-f-]{1,36}$/.test(f.q) ? [idPrefix(sql`${charges.id}::text`, f.q)] : []),
      )!,
    );
  return and(...conds);
}

function decodeCursor(c: string | undefined): { at: Date; id: string } | null {
  if (!c) return null;
  const [at, id] = Buffer.from(c, "base64url").toString("utf8").split("|");
  const d = new Date(at ?? "");
  return id && !Number.isNaN(d.getTime()) && /^[0-9a-f-]{36}$/.test(id) ? { at: d, id } : null;
}

const encodeCursor = (r: ChargeRow) => Buffer.from(`${r.createdAt.toISOString()}|${r.id}`).toString("base64url");

/**
 * A page of charges, newest first, by keyset (constant cost at any depth): `cursor` = the page after
 * that row, `before` = the page before that row (read oldest first, then turned round).
 */
export async function listCharges(
  actor: Actor,
  f: ChargeFilter,
  limit = 50,
): Promise<{ rows: ChargeListRow[]; nextCursor: string | null; prevCursor: string | null }> {
  const db = await getDb();
  const before = decodeCursor(f.before);
  const cursor = before ? null : decodeCursor(f.cursor);
  const key = sql`(${charges.createdAt}, ${charges.id})`;
  const bound = before
    ? sql`${key} > (${before.at.toISOString()}::timestamptz, ${before.id}::uuid)`
    : cursor
      ? sql`${key} < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`
      : undefined;
  const order = before ? [asc(charges.createdAt), asc(charges.id)] : [desc(charges.createdAt), desc(charges.id)];
  const query = (scope: SQL | undefined) =>
    db
      .select()
      .from(charges)
      .where(and(chargeWhere(scope, f), bound))
      .orderBy(...order)
      .limit(limit + 1);
  let rows: ChargeRow[];
  if (!can(actor.role, "terminals.all")) {
    // "created by me OR at my terminal" as two index-backed keyset reads, merged: an OR makes the
    // planner walk the whole created_at index for a cashier with few charges.
    const [mine, terminal] = await Promise.all([
      query(eq(charges.createdBy, actor.id)),
      actor.terminalId ? query(eq(charges.terminalId, actor.terminalId)) : Promise.resolve([]),
    ]);
    const byId = new Map([...mine, ...terminal].map((r) => [r.id, r]));
    const newestFirst = (a: ChargeRow, b: ChargeRow) =>
      b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);
    rows = [...byId.values()].sort(before ? (a, b) => newestFirst(b, a) : newestFirst).slice(0, limit + 1);
  } else {
    rows = await query(cashierScope(actor));
  }
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (before) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  // going forward, a page reached by a cursor has one before it; going back, the row we came from is after
  const nextCursor = before ? (last ? encodeCursor(last) : null) : more && last ? encodeCursor(last) : null;
  const prevCursor = before
    ? more && first
      ? encodeCursor(first)
      : null
    : cursor && first
      ? encodeCursor(first)
      : null;
  const pending = await pendingRefundsByCharge(
    db,
    page.flatMap((r) => (r.pingppId ? [r.pingppId] : [])),
  );
  return { rows: page.map((r) => toListRow(r, (r.pingppId && pending.get(r.pingppId)) || 0)), nextCursor, prevCursor };
}

/** One currency's totals of a charges filter (amounts are of paid charges). */
export interface ChargeCurrencyTotals {
  currency: string;
  count: number;
  paidCount: number;
  paidAmount: number;
  /** Refunds that succeeded. */
  refundedAmount: number;
  /** Refunds still on their way. */
  pendingRefundAmount: number;
}

export interface ChargeTotals {
  /** Every charge the filter selects, whatever its currency. */
  count: number;
  /**
   * One entry per currency, yuan first (always there, at zero when nothing is in yuan): amounts are never added across
   * currencies.
   */
  byCurrency: ChargeCurrencyTotals[];
}

/** Totals of everything a filter selects, per currency. */
export async function chargeTotals(actor: Actor, f: ChargeFilter): Promise<ChargeTotals> {
  const db = await getDb();
  const pending = db
    .select({ chargeId: refunds.chargeId, amount: sql<string>`sum(${refunds.amount})`.as("pending_amount") })
    .from(refunds)
    .where(PENDING_REFUND)
    .groupBy(refunds.chargeId)
    .as("pending_refunds");
  const rows = await db
    .select({
      currency: charges.currency,
      count: sql<string>`count(*)`,
      paidCount: sql<string>`count(*) filter (where ${charges.status} = 'paid')`,
      paidAmount: sql<string>`coalesce(sum(${charges.amount}) filter (where ${charges.status} = 'paid'), 0)`,
      refundedAmount: sql<string>`coalesce(sum(${charges.amountRefunded}), 0)`,
      pendingRefundAmount: sql<string>`coalesce(sum(least(coalesce(${pending.amount}, 0), greatest(${charges.amount} - ${charges.amountRefunded}, 0))), 0)`,
    })
    .from(charges)
    .leftJoin(pending, eq(pending.chargeId, charges.pingppId))
    .where(chargeWhere(cashierScope(actor), f))
    .groupBy(charges.currency);
  const entries = rows.map((t) => ({
    currency: t.currency,
    count: Number(t.count),
    paidCount: Number(t.paidCount),
    paidAmount: Number(t.paidAmount),
    refundedAmount: Number(t.refundedAmount),
    pendingRefundAmount: Number(t.pendingRefundAmount),
  }));
  return {
    count: entries.reduce((n, e) => n + e.count, 0),
    byCurrency: byCurrency(entries, (currency) => ({
      currency,
      count: 0,
      paidCount: 0,
      paidAmount: 0,
      refundedAmount: 0,
      pendingRefundAmount: 0,
    })),
  };
}

export interface ChargeDetail extends ChargeListRow {
  body: string;
  transactionNo: string | null;
  timeExpire: string | null;
  failureCode: string | null;
  failureMsg: string | null;
  livemode: boolean;
  refunded: boolean;
  qrPayload: string | null;
  reversible: boolean;
  /** Only for finance/admin (ARCHITECTURE.md §4): the last whole Ping++ object. */
  raw: Record<string, unknown> | null;
}

/** One charge by our id or its ch_ id (its events: objectEvents in event-log). */
export async function chargeDetail(actor: Actor, idOrChargeId: string): Promise<ChargeDetail> {
  const db = await getDb();
  const byPingpp = idOrChargeId.startsWith("ch_");
  if (!byPingpp && !/^[0-9a-f-]{36}$/.test(idOrChargeId)) throw new AppError("chargeNotFound");
  const [row] = await db
    .select()
    .from(charges)
    .where(byPingpp ? eq(charges.pingppId, idOrChargeId) : eq(charges.id, idOrChargeId));
  if (!row || row.status === "creating" || !canSee(actor, row)) throw new AppError("chargeNotFound");
  const view = toView(row);
  const pending = row.pingppId ? ((await pendingRefundsByCharge(db, [row.pingppId])).get(row.pingppId) ?? 0) : 0;
  return {
    ...toListRow(row, pending),
    body: row.body,
    transactionNo: row.transactionNo,
    timeExpire: view.timeExpire,
    failureCode: row.failureCode,
    failureMsg: row.failureMsg,
    livemode: row.livemode,
    refunded: row.refunded,
    qrPayload: view.qrPayload,
    reversible: view.reversible,
    raw: can(actor.role, "objects.raw") ? (row.raw ?? null) : null,
  };
}

/** "Sync from Ping++": retrieve one charge now and apply it (forward only). Audited. */
export async function syncCharge(actor: Actor, id: string): Promise<ChargeView> {
  const row = await loadVisible(actor, id);
  if (!row.pingppId) throw new AppError("chargeNotFound");
  const target = { type: "charge", id: row.pingppId };
  const fresh = await callPingpp({ actor, action: "charge.sync", target }, () =>
    pingpp().charges.retrieve(row.pingppId!),
  );
  const saved = await save(fresh, { lastSyncedAt: new Date() });
  await audit({ actor, action: "charge.sync", target, params: { from: row.status, to: saved.status }, result: "ok" });
  return toView(saved);
}
