import "server-only";
import crypto from "node:crypto";
import { and, asc, desc, eq, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "../db";
import {
  redEnvelopeBatches,
  redEnvelopeBatchRows,
  redEnvelopes,
  type RedEnvelopeBatchRow,
  type RedEnvelopeBatchStatus,
  type RedEnvelopeRow,
  type RedEnvelopeRowStatus,
} from "../db/schema";
import { dryRunRows, type BatchDryRunData } from "../validations/red-envelopes";
import { formatMoney } from "../money";
import { audit } from "./audit";
import { AppError, isAppError } from "./errors";
import { claimValues, sendClaimed, type Sender } from "./red-envelopes";
import { LEASE_MS } from "./idempotent-claim";
import type { Actor } from "./actor";

/** Ping++ accepts at most 1,800 red envelopes a minute. */
export interface RateLimit {
  perWindow: number;
  windowMs: number;
}
export const PINGPP_RED_ENVELOPE_LIMIT: RateLimit = { perWindow: 1_800, windowMs: 60_000 };

export interface WorkerOptions {
  limit?: RateLimit;
  /** Ping++ calls in flight at once */
  concurrency?: number;
  /** rows reserved per round */
  chunk?: number;
  /**
   * How long a worker's claim on a batch lasts without being renewed. It is renewed every third
   * of it (a heartbeat, whatever the worker is waiting for) and before each group of Ping++ calls,
   * so it outlives any round however slow Ping++ answers; it runs out only when the worker died.
   */
  leaseMs?: number;
  /** pause after a round in which Ping++ gave no answer */
  retryDelayMs?: number;
  /** stop early (a shutdown; tests use it to interrupt) */
  signal?: AbortSignal;
}

const DEFAULTS = { limit: PINGPP_RED_ENVELOPE_LIMIT, concurrency: 8, chunk: 50, leaseMs: 30_000, retryDelayMs: 5_000 };
/** Advisory lock serialising slot reservations across every worker and instance. */
const RATE_LOCK = 72_071_032;

export interface BatchView {
  id: string;
  fileName: string;
  status: RedEnvelopeBatchStatus;
  sendName: string;
  subject: string;
  body: string;
  description: string;
  sceneId: string | null;
  budget: number;
  rowCount: number;
  invalidCount: number;
  totalAmount: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Valid rows by outcome: `pending` = not sent yet (or sent without an answer so far). */
export interface BatchProgress {
  batch: BatchView;
  counts: Partial<Record<RedEnvelopeRowStatus | "pending", number>>;
  done: number;
  sentAmount: number;
}

export interface BatchLine {
  line: number;
  openId: string;
  amount: number | null;
  body: string | null;
  error: string | null;
  envelopeId: string | null;
  status: RedEnvelopeRowStatus | null;
  failureMsg: string | null;
}

const toBatchView = (b: RedEnvelopeBatchRow): BatchView => ({
  id: b.id,
  fileName: b.fileName,
  status: b.status,
  sendName: b.sendName,
  subject: b.subject,
  body: b.body,
  description: b.description,
  sceneId: b.sceneId,
  budget: b.budget,
  rowCount: b.rowCount,
  invalidCount: b.invalidCount,
  totalAmount: b.totalAmount,
  createdAt: b.createdAt.toISOString(),
  startedAt: b.startedAt?.toISOString() ?? null,
  finishedAt: b.finishedAt?.toISOString() ?? null,
});

/** Each valid row's envelope, if it has one: same batch, same line. */
const envelopeOfRow = and(
  eq(redEnvelopes.batchId, redEnvelopeBatchRows.batchId),
  eq(redEnvelopes.batchLine, redEnvelopeBatchRows.line),
);

/**
 * The dry run: read and check every row of the CSV, store the batch as a draft with each row's
 * verdict and the total of the valid rows. Nothing is sent.
 */
export async function createBatch(actor: Actor, input: BatchDryRunData): Promise<BatchView> {
  let rows;
  try {
    rows = dryRunRows(input.csv, input.sceneId);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("csv"))
      throw new AppError(`validation.${e.message}`, {}, undefined, "csv");
    throw e;
  }
  const valid = rows.filter((r) => !r.error);
  const db = await getDb();
  const batch = await db.transaction(async (tx) => {
    const [b] = await tx
      .insert(redEnvelopeBatches)
      .values({
        fileName: input.fileName,
        sendName: input.sendName,
        subject: input.subject,
        body: input.body,
        description: input.description,
        sceneId: input.sceneId ?? null,
        budget: input.budget,
        rowCount: rows.length,
        invalidCount: rows.length - valid.length,
        totalAmount: valid.reduce((s, r) => s + r.amount!, 0),
        createdBy: actor.id,
      })
      .returning();
    for (let i = 0; i < rows.length; i += 1000) {
      await tx.insert(redEnvelopeBatchRows).values(rows.slice(i, i + 1000).map((r) => ({ ...r, batchId: b!.id })));
    }
    return b!;
  });
  return toBatchView(batch);
}

async function loadBatch(id: string): Promise<RedEnvelopeBatchRow> {
  const db = await getDb();
  const [b] = await db.select().from(redEnvelopeBatches).where(eq(redEnvelopeBatches.id, id));
  if (!b) throw new AppError("redEnvelopes.errors.batchNotFound");
  return b;
}

/** The batches list: newest first, page paging, and how many batches there are. */
export async function listBatches(
  f: { page?: number; perPage?: number } = {},
): Promise<{ rows: BatchView[]; count: number; page: number; perPage: number }> {
  const db = await getDb();
  const perPage = Math.min(Math.max(f.perPage ?? 50, 1), 200);
  const page = Math.max(f.page ?? 1, 1);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(redEnvelopeBatches)
      .orderBy(desc(redEnvelopeBatches.createdAt), desc(redEnvelopeBatches.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db.select({ count: sql<number>`count(*)::int` }).from(redEnvelopeBatches),
  ]);
  return { rows: rows.map(toBatchView), count: Number(total!.count), page, perPage };
}

/** The batch's rows with their verdicts and outcomes, invalid rows first, then in file order. */
export async function batchLines(id: string, page = 1, perPage = 100): Promise<BatchLine[]> {
  const db = await getDb();
  const rows = await db
    .select({
      r: redEnvelopeBatchRows,
      e: { id: redEnvelopes.id, status: redEnvelopes.status, failureMsg: redEnvelopes.failureMsg },
    })
    .from(redEnvelopeBatchRows)
    .leftJoin(redEnvelopes, envelopeOfRow)
    .where(eq(redEnvelopeBatchRows.batchId, id))
    .orderBy(sql`${redEnvelopeBatchRows.error} is null`, asc(redEnvelopeBatchRows.line))
    .limit(perPage)
    .offset((Math.max(page, 1) - 1) * perPage);
  return rows.map(({ r, e }) => ({
    line: r.line,
    openId: r.openId,
    amount: r.amount,
    body: r.body,
    error: r.error,
    envelopeId: e?.id ?? null,
    status: e?.status ?? null,
    failureMsg: e?.failureMsg ?? null,
  }));
}

/**
 * Progress of a batch (the page polls it): a read, nothing else. A batch whose worker died (a
 * restart, a crash) is resumed by the scheduler (orphanedBatches), with or without a page open.
 */
export async function batchProgress(id: string): Promise<BatchProgress> {
  return progressOf(await loadBatch(id));
}

/**
 * Batches that should be sending and that no worker holds: their worker's lease ran out (a
 * restart, a crash) or it stopped. The scheduler starts a worker for each (lib/jobs); two
 * instances may both try, and the lease lets exactly one of them send.
 */
export async function orphanedBatches(): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: redEnvelopeBatches.id })
    .from(redEnvelopeBatches)
    .where(
      and(
        eq(redEnvelopeBatches.status, "sending"),
        or(isNull(redEnvelopeBatches.leaseUntil), lt(redEnvelopeBatches.leaseUntil, sql`now()`)),
      ),
    )
    .orderBy(asc(redEnvelopeBatches.startedAt));
  return rows.map((r) => r.id);
}

async function progressOf(b: RedEnvelopeBatchRow): Promise<BatchProgress> {
  const db = await getDb();
  const groups = await db
    .select({
      status: sql<
        RedEnvelopeRowStatus | "pending"
      >`case when ${redEnvelopes.status} is null or ${redEnvelopes.status} = 'creating' then 'pending' else ${redEnvelopes.status}::text end`,
      n: sql<number>`count(*)::int`,
      amount: sql<number>`coalesce(sum(${redEnvelopeBatchRows.amount}), 0)::bigint`,
    })
    .from(redEnvelopeBatchRows)
    .leftJoin(redEnvelopes, envelopeOfRow)
    .where(and(eq(redEnvelopeBatchRows.batchId, b.id), isNull(redEnvelopeBatchRows.error)))
    .groupBy(sql`1`);
  const counts: BatchProgress["counts"] = {};
  let done = 0;
  let sentAmount = 0;
  for (const g of groups) {
    counts[g.status] = Number(g.n);
    if (g.status !== "pending") done += Number(g.n);
    if (g.status !== "pending" && g.status !== "failed") sentAmount += Number(g.amount);
  }
  return { batch: toBatchView(b), counts, done, sentAmount };
}

/**
 * Start sending a checked batch (after the confirmation showing its total). Refused while any
 * row is invalid or the total exceeds the budget cap. Starting twice is harmless.
 */
export async function startBatch(actor: Actor, id: string, opts: WorkerOptions = {}): Promise<BatchProgress> {
  const b = await loadBatch(id);
  const entry = {
    actor,
    action: "red_envelope.batch.start",
    target: { type: "red_envelope_batch", id },
    params: { rows: b.rowCount, total: b.totalAmount, budget: b.budget },
  };
  if (b.status !== "draft") return progressOf(b);
  const refusal =
    b.invalidCount > 0
      ? "redEnvelopes.errors.batchInvalidRows"
      : b.totalAmount > b.budget
        ? "redEnvelopes.errors.overBudget"
        : b.rowCount === 0
          ? "validation.csvEmpty"
          : null;
  if (refusal) {
    await audit({ ...entry, result: "refused", message: refusal });
    throw new AppError(refusal, {
      invalid: b.invalidCount,
      total: formatMoney(b.totalAmount),
      budget: formatMoney(b.budget),
    });
  }
  const db = await getDb();
  // Started with this process's worker's lease already on it: no other instance's scheduler can
  // take the batch in the moment before that worker runs.
  const owner = crypto.randomUUID();
  const [started] = await db
    .update(redEnvelopeBatches)
    .set({
      status: "sending",
      startedBy: actor.id,
      startedByEmail: actor.email,
      startedAt: new Date(),
      updatedAt: new Date(),
      leaseOwner: owner,
      leaseUntil: leaseFromNow(opts),
    })
    .where(and(eq(redEnvelopeBatches.id, id), eq(redEnvelopeBatches.status, "draft")))
    .returning();
  if (started) await audit({ ...entry, result: "ok" });
  kick(id, opts, started ? owner : undefined);
  return progressOf(started ?? (await loadBatch(id)));
}

/**
 * Delete a draft batch (a wrong file, a dry run nobody will start) with its checked rows. A batch
 * that has started is history and stays: refused. Deleting races safely with starting: both
 * change the row only while it is a draft, so exactly one of them wins.
 */
export async function deleteBatch(actor: Actor, id: string): Promise<void> {
  const b = await loadBatch(id);
  const entry = {
    actor,
    action: "red_envelope.batch.delete",
    target: { type: "red_envelope_batch", id },
    params: { fileName: b.fileName, rows: b.rowCount, total: b.totalAmount },
  };
  const db = await getDb();
  const deleted = await db.transaction(async (tx) => {
    const [d] = await tx
      .delete(redEnvelopeBatches)
      .where(and(eq(redEnvelopeBatches.id, id), eq(redEnvelopeBatches.status, "draft")))
      .returning({ id: redEnvelopeBatches.id });
    if (d) await audit({ ...entry, result: "ok" }, tx);
    return !!d;
  });
  if (!deleted) {
    await loadBatch(id); // deleted meanwhile by someone else: not found
    await audit({ ...entry, result: "refused", message: "redEnvelopes.errors.batchStarted" });
    throw new AppError("redEnvelopes.errors.batchStarted");
  }
}

/** A lease's end, by the database's clock (one clock for every instance). */
const leaseFromNow = (o: WorkerOptions) =>
  sql`now() + ${Math.round(o.leaseMs ?? DEFAULTS.leaseMs)}::int * interval '1 millisecond'`;

/** Run a worker in the background of this process; the database, not this promise, holds the state. */
function kick(id: string, opts: WorkerOptions, owner?: string): void {
  runBatch(id, opts, owner).catch((e: unknown) => console.error("[red-envelopes] batch worker failed", id, e));
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Send a batch, driven from the database so that any instance can pick it up after a restart:
 * take the batch's lease (one worker per batch), then in rounds reserve rows under the rate
 * limit (their order_no and attempt time stored BEFORE Ping++ is asked), ask Ping++, store each
 * outcome. A row left `creating` by a crash is re-sent with the same order_no, which Ping++
 * refuses to use twice (then it is looked up), so no row is ever sent twice.
 * Returns "done", "busy" (another worker holds it), "stopped" (aborted, or the lease was lost).
 */
export async function runBatch(
  id: string,
  options: WorkerOptions = {},
  owner: string = crypto.randomUUID(),
): Promise<"done" | "busy" | "stopped"> {
  const o = { ...DEFAULTS, ...options };
  const db = await getDb();
  const lease = () =>
    db
      .update(redEnvelopeBatches)
      .set({ leaseOwner: owner, leaseUntil: leaseFromNow(o) })
      .where(
        and(
          eq(redEnvelopeBatches.id, id),
          eq(redEnvelopeBatches.status, "sending"),
          or(
            eq(redEnvelopeBatches.leaseOwner, owner),
            isNull(redEnvelopeBatches.leaseUntil),
            lt(redEnvelopeBatches.leaseUntil, sql`now()`),
          ),
        ),
      )
      .returning({ id: redEnvelopeBatches.id });
  if (!(await lease()).length) return "busy";
  const b = await loadBatch(id);
  const sender: Sender = { id: b.startedBy!, email: b.startedByEmail ?? "system" };
  // Lost = another worker holds the batch now (ours ran out): stop before the next Ping++ call.
  let lost = false;
  // Renewals run one after another (never one still running when the lease is given back below).
  let renewing: Promise<void> = Promise.resolve();
  const renew = () =>
    (renewing = renewing
      .catch(() => {})
      .then(async () => {
        if (!lost && !(await lease()).length) lost = true;
      }));
  // The heartbeat: renew every third of the lease, whatever the worker waits for (a slow Ping++,
  // the rate limit); a failed renewal (the database away a moment) is tried again on the next beat.
  const heartbeat = setInterval(() => void renew().catch(() => {}), Math.max(o.leaseMs / 3, 10));
  heartbeat.unref();
  const stopped = async () => o.signal?.aborted || lost || (await renew(), lost);
  try {
    for (;;) {
      if (await stopped()) return "stopped";
      const { rows, waitMs } = await reserve(b, sender, o);
      if (rows.length === 0 && waitMs === 0) {
        await db
          .update(redEnvelopeBatches)
          .set({ status: "done", finishedAt: new Date(), updatedAt: new Date() })
          .where(eq(redEnvelopeBatches.id, id));
        await audit({
          actor: sender,
          action: "red_envelope.batch.done",
          target: { type: "red_envelope_batch", id },
          result: "ok",
        });
        return "done";
      }
      let unanswered = false;
      for (let i = 0; i < rows.length; i += o.concurrency) {
        // Still ours, for at least a lease from now: longer than one group of calls can take. A row
        // left unsent here stays `creating` and is sent (once) by whoever holds the batch next.
        if (i > 0 && (await stopped())) return "stopped";
        await Promise.all(
          rows.slice(i, i + o.concurrency).map(async ({ row, retry }) => {
            await sendClaimed(sender, row, retry).catch((e: unknown) => {
              // A refusal is recorded on the row (failed); no answer leaves it to be re-sent.
              if (!isAppError(e)) throw e;
              if (e.code === "pingppUnavailable") unanswered = true;
            });
            // The limit counts a call from when it ended (not before Ping++ got it): a busy
            // process between reserving and sending can then never squeeze a window.
            await db.update(redEnvelopes).set({ attemptedAt: new Date() }).where(eq(redEnvelopes.id, row.id));
          }),
        );
      }
      // Sleep at most half a lease: the loop renews it before anyone else may take over.
      if (waitMs > 0 || unanswered)
        await sleep(Math.min(Math.max(waitMs, unanswered ? o.retryDelayMs : 0), o.leaseMs / 2), o.signal);
    }
  } finally {
    clearInterval(heartbeat);
    await renewing.catch(() => {});
    await db
      .update(redEnvelopeBatches)
      .set({ leaseUntil: null, leaseOwner: null })
      .where(and(eq(redEnvelopeBatches.id, id), eq(redEnvelopeBatches.leaseOwner, owner)));
  }
}

/**
 * Under one lock shared by every worker: count the envelopes asked for within the rate window,
 * and claim as many of this batch's rows as the limit allows (rows left `creating` first).
 * `waitMs` > 0: the window is full, look again then.
 */
async function reserve(
  batch: RedEnvelopeBatchRow,
  sender: Sender,
  o: typeof DEFAULTS,
): Promise<{ rows: { row: RedEnvelopeRow; retry: boolean }[]; waitMs: number }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${RATE_LOCK})`);
    const now = Date.now();
    const open = await tx
      .select({ id: redEnvelopes.id, updatedAt: redEnvelopes.updatedAt })
      .from(redEnvelopes)
      .where(and(eq(redEnvelopes.batchId, batch.id), eq(redEnvelopes.status, "creating")))
      .orderBy(asc(redEnvelopes.batchLine));
    const chunk = Math.min(o.chunk, o.limit.perWindow);
    // `creating` rows past their lease were asked without an answer (or never asked): send again.
    const due = open.filter((r) => r.updatedAt.getTime() < now - LEASE_MS).slice(0, chunk);
    const fresh = await tx
      .select({ r: redEnvelopeBatchRows })
      .from(redEnvelopeBatchRows)
      .leftJoin(redEnvelopes, envelopeOfRow)
      .where(
        and(eq(redEnvelopeBatchRows.batchId, batch.id), isNull(redEnvelopeBatchRows.error), isNull(redEnvelopes.id)),
      )
      .orderBy(asc(redEnvelopeBatchRows.line))
      .limit(chunk - due.length);
    if (open.length + fresh.length === 0) return { rows: [], waitMs: 0 };
    // Only rows within another request's lease are left: look again shortly.
    const wanted = due.length + fresh.length;
    if (wanted === 0) return { rows: [], waitMs: 1_000 };
    // A little wider than the limit's window: Ping++ sees each call a little after it ends here.
    const windowMs = o.limit.windowMs + Math.min(2_000, o.limit.windowMs / 20);
    const since = new Date(now - windowMs);
    const used = await tx.$count(redEnvelopes, gt(redEnvelopes.attemptedAt, since));
    const short = wanted - (o.limit.perWindow - used);
    if (short > 0) {
      // Wait until enough of the window's calls age out for a whole round, not one slot at a time.
      const [ages] = await tx
        .select({ at: sql<number>`(extract(epoch from ${redEnvelopes.attemptedAt}) * 1000)::float8` })
        .from(redEnvelopes)
        .where(gt(redEnvelopes.attemptedAt, since))
        .orderBy(asc(redEnvelopes.attemptedAt))
        .offset(short - 1)
        .limit(1);
      return { rows: [], waitMs: Math.max(1, Math.ceil(Number(ages?.at ?? now) + windowMs - now)) };
    }
    const attemptedAt = new Date(now);
    const retried = due.length
      ? await tx
          .update(redEnvelopes)
          .set({ attemptedAt, updatedAt: attemptedAt })
          .where(
            and(
              inArray(
                redEnvelopes.id,
                due.map((r) => r.id),
              ),
              eq(redEnvelopes.status, "creating"),
            ),
          )
          .returning()
      : [];
    const claimed = fresh.length
      ? await tx
          .insert(redEnvelopes)
          .values(
            fresh.map(({ r }) =>
              claimValues(sender, {
                idempotencyKey: `${batch.id}:${r.line}`,
                batchId: batch.id,
                batchLine: r.line,
                recipient: r.openId,
                amount: r.amount!,
                sendName: batch.sendName,
                subject: batch.subject,
                body: r.body ?? batch.body,
                description: batch.description,
                sceneId: batch.sceneId,
              }),
            ),
          )
          .onConflictDoNothing()
          .returning()
      : [];
    return {
      rows: [...retried.map((row) => ({ row, retry: true })), ...claimed.map((row) => ({ row, retry: false }))],
      waitMs: 0,
    };
  });
}
