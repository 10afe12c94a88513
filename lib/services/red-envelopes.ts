import "server-only";
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, or, sql, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx, type Tx } from "../db";
import { pingppEvents, redEnvelopes, type RedEnvelopeRow, type RedEnvelopeRowStatus } from "../db/schema";
import {
  generateRedEnvelopeOrderNo,
  isEventFor,
  PingppError,
  type PingppEvent,
  type RedEnvelope,
  type RedEnvelopeCreateParams,
} from "../pingpp";
import { env } from "../env";
import { audit } from "./audit";
import { AppError } from "./errors";
import { idPrefix, orderNoPrefix } from "./search";
import { pingpp } from "./pingpp-client";
import { callPingpp } from "./pingpp-audited-call";
import { claimByKey, undoClaim } from "./idempotent-claim";
import { IN_PROGRESS } from "../retry-codes";
import { SYSTEM, sweep, type SweepResult } from "./background";
import type { Actor } from "./actor";
import type { HandlerResult } from "./webhooks/handlers";
import type { SendRedEnvelopeData } from "../validations/red-envelopes";

const RANK: Record<RedEnvelopeRowStatus, number> = {
  creating: 0,
  sending: 1,
  sent: 2,
  failed: 2,
  refunding: 3,
  received: 4,
  refund: 4,
};
export const FINAL_STATUSES: readonly RedEnvelopeRowStatus[] = ["received", "failed", "refund"];

/** Who sends: a signed-in staff member, or the one who started a batch (its worker acts for them). */
export type Sender = Pick<Actor, "email" | "ip"> & { id: string };

/** What a browser may see of a red envelope: never the Ping++ object (ARCHITECTURE.md rule 6). */
export interface RedEnvelopeView {
  id: string;
  pingppId: string | null;
  orderNo: string;
  status: RedEnvelopeRowStatus;
  amount: number;
  recipient: string;
  sendName: string;
  subject: string;
  body: string;
  description: string;
  sceneId: string | null;
  failureMsg: string | null;
  batchId: string | null;
  batchLine: number | null;
  createdAt: string;
  receivedAt: string | null;
}

export interface TimelineEntry {
  status: RedEnvelopeRowStatus;
  at: string;
  /** the webhook event that said so; null = what the console recorded itself */
  eventId: string | null;
}

export function toView(r: RedEnvelopeRow): RedEnvelopeView {
  return {
    id: r.id,
    pingppId: r.pingppId,
    orderNo: r.orderNo,
    status: r.status,
    amount: r.amount,
    recipient: r.recipient,
    sendName: r.sendName,
    subject: r.subject,
    body: r.body,
    description: r.description,
    sceneId: r.sceneId,
    failureMsg: r.failureMsg,
    batchId: r.batchId,
    batchLine: r.batchLine,
    createdAt: r.createdAt.toISOString(),
    receivedAt: r.receivedAt?.toISOString() ?? null,
  };
}

/** Ping++'s flow page calls the first state `pending`, its object page `sending`: the same thing. */
const statusOf = (r: RedEnvelope): RedEnvelopeRowStatus => (r.status === "pending" ? "sending" : r.status);
const toDate = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);
const appIdOf = (r: RedEnvelope) => (typeof r.app === "string" ? r.app : (r.app as { id: string }).id);

/**
 * Store what Ping++ says about a red envelope, forward only (ARCHITECTURE.md rule 2): a late or repeated
 * object never moves it back. Used by send, refresh and the webhooks. Matches our row by Ping++
 * id, else by order_no (a send whose answer was lost); creates one for envelopes sent elsewhere.
 */
export async function applyRedEnvelope(tx: DbOrTx, r: RedEnvelope): Promise<RedEnvelopeRow> {
  const [existing] = await tx
    .select()
    .from(redEnvelopes)
    .where(or(eq(redEnvelopes.pingppId, r.id), eq(redEnvelopes.orderNo, r.order_no)))
    .for("update");
  const next = statusOf(r);
  const fields = {
    pingppId: r.id,
    transactionNo: r.transaction_no,
    failureMsg: r.failure_msg,
    receivedAt: toDate(r.received),
    refundedAt: toDate(r.refunded),
    livemode: r.livemode,
    raw: r as Record<string, unknown>,
    updatedAt: new Date(),
  };
  if (!existing) {
    const extra = r.extra as Record<string, unknown>;
    const [row] = await tx
      .insert(redEnvelopes)
      .values({
        ...fields,
        orderNo: r.order_no,
        appId: appIdOf(r),
        channel: r.channel,
        amount: r.amount,
        currency: r.currency,
        recipient: r.recipient,
        sendName: String(extra.send_name ?? ""),
        sceneId: typeof extra.scene_id === "string" ? extra.scene_id : null,
        subject: r.subject,
        body: r.body,
        description: r.description ?? "",
        status: next,
      })
      .onConflictDoNothing()
      .returning();
    // Another delivery of the same envelope inserted it meanwhile: apply on top of that one.
    return row ?? applyRedEnvelope(tx, r);
  }
  const status = RANK[next] > RANK[existing.status] ? next : existing.status;
  const [row] = await tx
    .update(redEnvelopes)
    .set({
      ...fields,
      status,
      transactionNo: fields.transactionNo ?? existing.transactionNo,
      receivedAt: fields.receivedAt ?? existing.receivedAt,
      refundedAt: fields.refundedAt ?? existing.refundedAt,
    })
    .where(eq(redEnvelopes.id, existing.id))
    .returning();
  return row!;
}

/** A red_envelope.* webhook: apply its object (the handlers in events/ call this). */
export async function applyRedEnvelopeEvent(tx: Tx, event: PingppEvent): Promise<HandlerResult> {
  if (!isEventFor(event, "red_envelope")) return { status: "failed", result: "data.object is not a red envelope" };
  const r = event.data.object;
  const row = await applyRedEnvelope(tx, r);
  return { status: "applied", result: `red envelope ${r.id} → ${row.status}` };
}

async function save(r: RedEnvelope): Promise<RedEnvelopeRow> {
  const db = await getDb();
  return db.transaction((tx) => applyRedEnvelope(tx, r));
}

/** The row as claimed for one send: its order_no is fixed before Ping++ is asked. */
export type EnvelopeClaim = Pick<
  typeof redEnvelopes.$inferInsert,
  | "idempotencyKey"
  | "recipient"
  | "amount"
  | "sendName"
  | "subject"
  | "body"
  | "description"
  | "sceneId"
  | "batchId"
  | "batchLine"
>;

/** Values of a new claim: order_no generated to Ping++'s rules (1-28 digits), attempt time set now. */
export function claimValues(sender: Sender, c: EnvelopeClaim): typeof redEnvelopes.$inferInsert {
  const now = new Date();
  return {
    ...c,
    orderNo: generateRedEnvelopeOrderNo(),
    appId: env().pingpp.appId,
    status: "creating",
    createdBy: sender.id,
    attemptedAt: now,
    updatedAt: now,
  };
}

/**
 * Ask Ping++ to send a claimed row, then store the answer (→ persist → audit). `retry`: it was
 * asked before without an answer, so it may already exist: Ping++ refuses a second use of the
 * order_no, and the envelope is then looked up instead of sent twice.
 */
export async function sendClaimed(sender: Sender, row: RedEnvelopeRow, retry: boolean): Promise<RedEnvelopeRow> {
  const params: RedEnvelopeCreateParams = {
    order_no: row.orderNo,
    app: { id: row.appId },
    channel: "wx_pub",
    amount: row.amount,
    currency: "cny",
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    description: row.description,
    extra: { send_name: row.sendName, ...(row.sceneId ? { scene_id: row.sceneId as "PRODUCT_1" } : {}) },
    metadata: { staff: sender.email, ...(row.batchId ? { batch: row.batchId, line: row.batchLine } : {}) },
  };
  const entry = {
    actor: sender,
    action: "red_envelope.send",
    target: { type: "red_envelope", id: row.id },
    params: {
      amount: row.amount,
      recipient: row.recipient,
      orderNo: row.orderNo,
      batchId: row.batchId,
      line: row.batchLine,
    },
  };
  const sent = await callPingpp(
    entry,
    async () => {
      try {
        return await pingpp().redEnvelopes.create(params);
      } catch (e) {
        const found = retry && e instanceof PingppError && e.param === "order_no" ? await findAtPingpp(row) : null;
        if (found) return found;
        throw e;
      }
    },
    // Refused: the claim becomes a failed envelope. No answer: keep it, free to retry at once (a retry re-sends the
    // same order_no).
    undoClaim(redEnvelopes, row.id, (failureMsg) => ({ status: "failed", failureMsg, updatedAt: new Date() })),
  );
  const saved = await save(sent);
  await audit({ ...entry, target: { type: "red_envelope", id: sent.id }, result: "ok" });
  return saved;
}

/** Find an envelope of ours at Ping++ by order_no (its list has no such filter: page back from the attempt). */
async function findAtPingpp(row: RedEnvelopeRow): Promise<RedEnvelope | null> {
  const since = Math.floor((row.createdAt.getTime() - 5 * 60_000) / 1000);
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const list = await pingpp().redEnvelopes.list({
      app: { id: row.appId },
      created: { gte: since },
      limit: 100,
      starting_after: after,
    });
    const hit = list.data.find((r) => r.order_no === row.orderNo);
    if (hit) return hit;
    if (!list.has_more || list.data.length === 0) return null;
    after = list.data[list.data.length - 1]!.id;
  }
  return null;
}

/**
 * Send one red envelope (validate → idempotency → Ping++ → persist → audit). The form's key
 * claims a row (with its order_no) first, so a double click or a retried request never sends a
 * second envelope; a retry after a lost answer re-sends the same order_no.
 */
export async function sendRedEnvelope(actor: Actor, input: SendRedEnvelopeData): Promise<RedEnvelopeView> {
  const { idempotencyKey, recipient, amount, sendName, subject, body, description, sceneId } = input;
  const values = claimValues(actor, {
    idempotencyKey,
    recipient,
    amount,
    sendName,
    subject,
    body,
    description,
    sceneId,
  });
  const claim = await claimByKey(
    redEnvelopes,
    { ...values, idempotencyKey, createdBy: actor.id },
    { inProgress: IN_PROGRESS.redEnvelope, retake: (now) => ({ attemptedAt: now }) },
  );
  if (claim.state === "settled") return toView(claim.row);
  return toView(await sendClaimed(actor, claim.row, claim.state === "retaken"));
}

async function load(id: string): Promise<RedEnvelopeRow> {
  const db = await getDb();
  const [row] = await db.select().from(redEnvelopes).where(eq(redEnvelopes.id, id));
  if (!row) throw new AppError("redEnvelopes.errors.notFound");
  return row;
}

/** The envelope and its status timeline: created, then each stored red_envelope.* webhook. */
export async function redEnvelopeDetail(id: string): Promise<{ envelope: RedEnvelopeView; timeline: TimelineEntry[] }> {
  const row = await load(id);
  const db = await getDb();
  const events = row.pingppId
    ? await db
        .select({ id: pingppEvents.id, type: pingppEvents.type, createdAt: pingppEvents.createdAt })
        .from(pingppEvents)
        .where(eq(pingppEvents.objectId, row.pingppId))
        .orderBy(asc(pingppEvents.createdAt), asc(pingppEvents.firstReceivedAt))
    : [];
  const timeline: TimelineEntry[] = [
    { status: row.status === "creating" ? "creating" : "sending", at: row.createdAt.toISOString(), eventId: null },
  ];
  for (const e of events) {
    const status = e.type.replace(/^red_envelope\./, "") as RedEnvelopeRowStatus;
    if (status in RANK) timeline.push({ status, at: e.createdAt.toISOString(), eventId: e.id });
  }
  // Ping++ sends no event for these: the console's own record is all there is.
  if (["failed", "refunding", "refund"].includes(row.status) && !timeline.some((t) => t.status === row.status)) {
    timeline.push({ status: row.status, at: (row.refundedAt ?? row.updatedAt).toISOString(), eventId: null });
  }
  return { envelope: toView(row), timeline };
}

/**
 * Ask Ping++ for the envelope now (the detail page's "refresh"). In test mode this retrieve is
 * what moves it forward and fires the webhook (Ping++'s red envelope guide).
 */
export async function refreshRedEnvelope(actor: Actor, id: string): Promise<RedEnvelopeView> {
  const row = await load(id);
  if (!row.pingppId) throw new AppError("redEnvelopes.errors.notSentYet");
  const entry = { actor, action: "red_envelope.refresh", target: { type: "red_envelope", id: row.pingppId } };
  const fresh = await callPingpp(entry, () => pingpp().redEnvelopes.retrieve(row.pingppId!));
  const saved = await save(fresh);
  await audit({ ...entry, result: "ok", message: `${row.status} → ${saved.status}` });
  return toView(saved);
}

/** An envelope on its way (sending, sent, refunding) is first asked about this long after it was made… */
export const ENVELOPE_SYNC_AFTER_MS = 10 * 60_000;

/**
 * …and then again after a quarter of its age: the scheduler's red envelope sync (ARCHITECTURE.md rule 5).
 * Ping++ sends no event when WeChat fails an envelope or refunds one nobody opened in 24 h, so
 * without it these would stay "sending"/"sent" until someone pressed "refresh". Each stored answer
 * bumps updated_at, which spaces the next question; a status change is audited as the system's.
 */
export async function syncStaleRedEnvelopes(opts: { now?: number; signal?: AbortSignal } = {}): Promise<SweepResult> {
  const now = opts.now ?? Date.now();
  const at = new Date(now).toISOString();
  const db = await getDb();
  const rows = await db
    .select({ id: redEnvelopes.id, pingppId: redEnvelopes.pingppId, status: redEnvelopes.status })
    .from(redEnvelopes)
    .where(
      and(
        inArray(redEnvelopes.status, ["sending", "sent", "refunding"]),
        isNotNull(redEnvelopes.pingppId),
        lt(redEnvelopes.createdAt, new Date(now - ENVELOPE_SYNC_AFTER_MS)),
        sql`${redEnvelopes.updatedAt} < ${at}::timestamptz - greatest(${ENVELOPE_SYNC_AFTER_MS}::int * interval '1 millisecond', (${at}::timestamptz - ${redEnvelopes.createdAt}) / 4)`,
      ),
    )
    .orderBy(redEnvelopes.updatedAt)
    .limit(100);
  return sweep(
    "red envelope sync",
    rows,
    async (row) => {
      const saved = await save(await pingpp().redEnvelopes.retrieve(row.pingppId!));
      if (saved.status === row.status) return false; // applying it bumped updated_at: asked, spaced
      await audit({
        actor: SYSTEM,
        action: "red_envelope.sync",
        target: { type: "red_envelope", id: row.pingppId! },
        params: { from: row.status, to: saved.status },
        result: "ok",
      });
      return true;
    },
    { signal: opts.signal },
  );
}

export interface RedEnvelopeFilter {
  status?: RedEnvelopeRowStatus;
  recipient?: string;
  batch?: string;
  /** A prefix of the Ping++ id (`red_…`) or ours (case-sensitive), or of the order number (any case). */
  q?: string;
  from?: Date;
  to?: Date;
  page?: number;
  perPage?: number;
}

export interface RedEnvelopeTotals {
  count: number;
  amount: number;
  byStatus: { status: RedEnvelopeRowStatus; count: number; amount: number }[];
}

/** The list page: filtered, newest first, paged, with totals of the whole filtered set. */
/** The WHERE of a red-envelope filter: shared by the list and the export. */
export function redEnvelopeWhere(f: RedEnvelopeFilter) {
  const where: SQL[] = [];
  if (f.status) where.push(eq(redEnvelopes.status, f.status));
  if (f.recipient) where.push(eq(redEnvelopes.recipient, f.recipient));
  if (f.batch) where.push(eq(redEnvelopes.batchId, f.batch));
  if (f.from) where.push(gte(redEnvelopes.createdAt, f.from));
  if (f.to) where.push(lt(redEnvelopes.createdAt, f.to));
  if (f.q)
    where.push(
      or(
        idPrefix(redEnvelopes.pingppId, f.q),
        orderNoPrefix(redEnvelopes.orderNo, f.q),
        ...(/^[0-9a-f-]{1,36}$/.test(f.q) ? [idPrefix(sql`${redEnvelopes.id}::text`, f.q)] : []),
      )!,
    );
  return where.length ? and(...where) : undefined;
}

export async function listRedEnvelopes(
  f: RedEnvelopeFilter,
): Promise<{ rows: RedEnvelopeView[]; totals: RedEnvelopeTotals; page: number; perPage: number }> {
  const db = await getDb();
  const perPage = Math.min(Math.max(f.perPage ?? 50, 1), 200);
  const page = Math.max(f.page ?? 1, 1);
  const cond = redEnvelopeWhere(f);
  const [rows, groups] = await Promise.all([
    db
      .select()
      .from(redEnvelopes)
      .where(cond)
      .orderBy(desc(redEnvelopes.createdAt), desc(redEnvelopes.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db
      .select({
        status: redEnvelopes.status,
        count: sql<number>`count(*)::int`,
        amount: sql<number>`coalesce(sum(${redEnvelopes.amount}), 0)::bigint`,
      })
      .from(redEnvelopes)
      .where(cond)
      .groupBy(redEnvelopes.status),
  ]);
  const byStatus = groups.map((g) => ({ status: g.status, count: Number(g.count), amount: Number(g.amount) }));
  const totals = {
    count: byStatus.reduce((s, g) => s + g.count, 0),
    amount: byStatus.reduce((s, g) => s + g.amount, 0),
    byStatus,
  };
  return { rows: rows.map(toView), totals, page, perPage };
}
