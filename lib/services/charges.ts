import "server-only";
import { and, desc, eq, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "../db";
import { charges, type ChargeRow, type ChargeStatus } from "../db/schema";
import {
  currencyForChannel,
  generateOrderNo,
  isReversibleChannel,
  PingppConnectionError,
  PingppError,
  PingppValidationError,
  type Charge,
  type ChargeCreateParams,
} from "../pingpp";
import { env } from "../env";
import { audit } from "./audit";
import { AppError } from "./errors";
import { pingpp } from "./pingpp";
import type { Actor } from "./actor";
import type { CreateChargeData } from "../validations/charges";
import type { ChargeView } from "./charge-view";

export type { ChargeView };

/** How long a cashier QR stays payable. */
export const CHARGE_TTL_SECONDS = 15 * 60;
/** Pending this long without a webhook → ask Ping++ (DESIGN rule 5)… */
export const SYNC_AFTER_MS = 5_000;
/** …at most once per this interval per charge, across all instances. */
export const SYNC_INTERVAL_MS = 3_000;
/** ISV channels unpaid this long are reversed (the QR guide). */
export const ISV_REVERSE_AFTER_MS = 60_000;
/** A `creating` row younger than this is another request still talking to Ping++. */
const CREATING_LEASE_MS = 20_000;

const RANK: Record<ChargeStatus, number> = { creating: 0, pending: 1, expired: 2, reversed: 2, failed: 2, paid: 3 };
export const TERMINAL_STATUSES: readonly ChargeStatus[] = ["paid", "expired", "reversed", "failed"];

export function toView(row: ChargeRow): ChargeView {
  return {
    id: row.id,
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

/** Our status for a Ping++ charge object. */
export function statusOf(c: Charge, now = Date.now()): ChargeStatus {
  if (c.paid) return "paid";
  if (c.reversed) return "reversed";
  if (c.failure_code) return "failed";
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
 * Store what Ping++ says about a charge, forward only (DESIGN rule 2): a late or repeated
 * object never moves a status back, and refunded amounts never shrink. Matches our row by
 * Ping++ id, else by order_no (a create whose answer was lost); creates one for charges made
 * outside the console. Returns the stored row.
 */
export async function applyCharge(tx: DbOrTx, c: Charge, extra: { lastSyncedAt?: Date } = {}): Promise<ChargeRow> {
  const [existing] = await tx
    .select()
    .from(charges)
    .where(or(eq(charges.pingppId, c.id), eq(charges.orderNo, c.order_no)))
    .for("update");
  const next = statusOf(c);
  const fields = {
    pingppId: c.id,
    timeExpire: toDate(c.time_expire),
    timePaid: toDate(c.time_paid),
    transactionNo: c.transaction_no,
    failureCode: c.failure_code,
    failureMsg: c.failure_msg,
    livemode: c.livemode,
    raw: c as Record<string, unknown>,
    updatedAt: new Date(),
    ...extra,
  };
  if (!existing) {
    const [row] = await tx
      .insert(charges)
      .values({
        ...fields,
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
  const status = RANK[next] > RANK[existing.status] ? next : existing.status;
  const [row] = await tx
    .update(charges)
    .set({
      ...fields,
      status,
      timePaid: fields.timePaid ?? existing.timePaid,
      qrPayload: existing.qrPayload ?? qrPayloadOf(c),
      amountRefunded: Math.max(existing.amountRefunded, c.amount_refunded),
      refunded: existing.refunded || c.refunded,
    })
    .where(eq(charges.id, existing.id))
    .returning();
  return row!;
}

async function save(c: Charge, extra?: { lastSyncedAt?: Date }): Promise<ChargeRow> {
  const db = await getDb();
  return db.transaction((tx) => applyCharge(tx, c, extra));
}

function extraFor(input: CreateChargeData, terminalId: string | null): Record<string, unknown> | undefined {
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
async function loadVisible(actor: Actor, id: string): Promise<ChargeRow> {
  const db = await getDb();
  const [row] = await db.select().from(charges).where(eq(charges.id, id));
  if (!row || !canSee(actor, row)) throw new AppError("chargeNotFound");
  return row;
}

export function canSee(actor: Actor, row: Pick<ChargeRow, "createdBy" | "terminalId">): boolean {
  if (actor.role !== "cashier") return true;
  return row.createdBy === actor.id || (!!actor.terminalId && row.terminalId === actor.terminalId);
}

/**
 * Create a QR charge (validate → idempotency → Ping++ → persist → audit). The form's
 * idempotency key claims a row first, so a double click or a retried request never makes a
 * second charge; a retry after a lost answer re-sends the same order_no, which Ping++ dedupes.
 */
export async function createCharge(actor: Actor, input: CreateChargeData): Promise<ChargeView> {
  const db = await getDb();
  const terminalId = input.terminalId || actor.terminalId || null;
  const { appId } = env().pingpp;
  const currency = currencyForChannel(input.channel);
  if (input.channel.startsWith("isv_") && !terminalId) throw new AppError("terminalRequired", {}, undefined, "terminalId");
  const auditParams = { amount: input.amount, currency, channel: input.channel, terminalId, idempotencyKey: input.idempotencyKey };

  const [claimed] = await db
    .insert(charges)
    .values({
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
    })
    .onConflictDoNothing({ target: charges.idempotencyKey })
    .returning();
  let row = claimed;
  if (!row) {
    const [existing] = await db.select().from(charges).where(eq(charges.idempotencyKey, input.idempotencyKey));
    if (!existing || existing.createdBy !== actor.id) throw new AppError("idempotencyConflict");
    if (existing.status !== "creating") return toView(existing);
    // Still `creating`: another request is talking to Ping++, or one failed without an answer.
    const [retake] = await db
      .update(charges)
      .set({ updatedAt: new Date() })
      .where(and(eq(charges.id, existing.id), eq(charges.status, "creating"), lt(charges.updatedAt, new Date(Date.now() - CREATING_LEASE_MS))))
      .returning();
    if (!retake) throw new AppError("chargeInProgress");
    row = retake;
  }

  const params = {
    order_no: row.orderNo,
    app: { id: appId },
    channel: row.channel,
    amount: row.amount,
    currency: row.currency,
    client_ip: actor.ip && actor.ip !== "unknown" ? actor.ip : "127.0.0.1",
    subject: row.subject,
    body: row.body,
    time_expire: Math.floor(Date.now() / 1000) + CHARGE_TTL_SECONDS,
    extra: extraFor(input, terminalId),
    metadata: { terminal_id: terminalId ?? "", staff: actor.email },
  } as ChargeCreateParams;

  let charge: Charge;
  try {
    charge = await pingpp().charges.create(params);
  } catch (e) {
    // A 5xx from Ping++ says nothing about whether the charge exists: treat it like no answer.
    if ((e instanceof PingppError && e.status < 500) || e instanceof PingppValidationError) {
      const msg = e.message;
      await db.update(charges).set({ status: "failed", failureMsg: msg, failureCode: e instanceof PingppError ? (e.code ?? e.type) : "invalid_params", updatedAt: new Date() }).where(eq(charges.id, row.id));
      await audit({ actor, action: "charge.create", target: { type: "charge", id: row.id }, params: auditParams, result: "refused", message: msg });
      throw new AppError("pingppRefused", {}, msg);
    }
    if (e instanceof PingppConnectionError || e instanceof PingppError) {
      // Leave the claim: a retry with the same key re-sends the same order_no.
      await db.update(charges).set({ updatedAt: new Date(0) }).where(eq(charges.id, row.id));
      await audit({ actor, action: "charge.create", target: { type: "charge", id: row.id }, params: auditParams, result: "error", message: e.message });
      throw new AppError("pingppUnavailable");
    }
    throw e;
  }
  const saved = await save(charge, { lastSyncedAt: new Date() });
  await audit({ actor, action: "charge.create", target: { type: "charge", id: saved.pingppId ?? saved.id }, params: auditParams, result: "ok" });
  return toView(saved);
}

/**
 * The live status a cashier screen polls: one indexed read, plus the self-healing rules of
 * DESIGN rule 5 (ask Ping++ when a webhook is late; reverse unpaid ISV charges after 60 s).
 */
export async function chargeStatus(actor: Actor, id: string): Promise<ChargeView> {
  let row = await loadVisible(actor, id);
  row = await heal(row);
  return toView(row);
}

async function heal(row: ChargeRow): Promise<ChargeRow> {
  if (row.status !== "pending" || !row.pingppId) return row;
  const now = Date.now();
  if (now - row.createdAt.getTime() < SYNC_AFTER_MS && !(row.timeExpire && row.timeExpire.getTime() <= now)) return row;
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
  if (!claimed) return row;
  try {
    const fresh = await pingpp().charges.retrieve(row.pingppId);
    row = await save(fresh);
    if (row.status === "pending" && row.channel.startsWith("isv_") && now - row.createdAt.getTime() >= ISV_REVERSE_AFTER_MS) {
      row = await save(await pingpp().charges.reverse(row.pingppId!));
      await audit({ actor: { id: null, email: "system" }, action: "charge.reverse", target: { type: "charge", id: row.pingppId! }, params: { reason: "isv_unpaid_60s" }, result: "ok" });
    }
  } catch (e) {
    // A failed sync is not the screen's problem: the webhook or the next poll will catch up.
    console.warn("[charges] sync failed", row.pingppId, (e as Error).message);
  }
  return row;
}

/** Reverse (撤销) an unpaid charge where the channel allows it. Idempotent. */
export async function reverseCharge(actor: Actor, id: string): Promise<ChargeView> {
  const row = await loadVisible(actor, id);
  const params = { channel: row.channel, amount: row.amount };
  const target = { type: "charge", id: row.pingppId ?? row.id };
  if (row.status === "reversed") return toView(row);
  if (!isReversibleChannel(row.channel)) {
    await audit({ actor, action: "charge.reverse", target, params, result: "refused", message: "channel not reversible" });
    throw new AppError("notReversibleChannel", { channel: row.channel });
  }
  if (row.status !== "pending" || !row.pingppId) {
    await audit({ actor, action: "charge.reverse", target, params, result: "refused", message: `status ${row.status}` });
    throw new AppError("notReversibleStatus");
  }
  try {
    const c = await pingpp().charges.reverse(row.pingppId);
    const saved = await save(c, { lastSyncedAt: new Date() });
    await audit({ actor, action: "charge.reverse", target, params, result: "ok" });
    return toView(saved);
  } catch (e) {
    if (e instanceof PingppError) {
      await audit({ actor, action: "charge.reverse", target, params, result: "refused", message: e.message });
      throw new AppError("pingppRefused", {}, e.message);
    }
    if (e instanceof PingppConnectionError) {
      await audit({ actor, action: "charge.reverse", target, params, result: "error", message: e.message });
      throw new AppError("pingppUnavailable");
    }
    throw e;
  }
}

/** What the customer display of a terminal shows: the newest live charge there, or nothing. */
export async function activeChargeForTerminal(actor: Actor, terminalId: string): Promise<ChargeView | null> {
  if (actor.role === "cashier" && actor.terminalId !== terminalId) throw new AppError("forbiddenTerminal");
  const db = await getDb();
  const now = Date.now();
  const [row] = await db
    .select()
    .from(charges)
    .where(
      and(
        eq(charges.terminalId, terminalId),
        gt(charges.createdAt, new Date(now - CHARGE_TTL_SECONDS * 1000)),
        or(eq(charges.status, "pending"), and(inArray(charges.status, TERMINAL_STATUSES as ChargeStatus[]), gt(charges.updatedAt, new Date(now - 15_000)))),
      ),
    )
    .orderBy(desc(charges.createdAt))
    .limit(1);
  if (!row) return null;
  return toView(await heal(row));
}

/** Recent charges the actor may see (the cashier screen's history strip). */
export async function recentCharges(actor: Actor, limit = 10): Promise<ChargeView[]> {
  const db = await getDb();
  const where =
    actor.role === "cashier"
      ? or(eq(charges.createdBy, actor.id), actor.terminalId ? eq(charges.terminalId, actor.terminalId) : sql`false`)
      : undefined;
  const rows = await db
    .select()
    .from(charges)
    .where(and(where, sql`${charges.status} <> 'creating'`))
    .orderBy(desc(charges.createdAt))
    .limit(limit);
  return rows.map(toView);
}
