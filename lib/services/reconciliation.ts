import "server-only";
/**
 * 对账 (issue 17 §1): compare one Asia/Shanghai day of Ping++'s charges (and their refunds) with the
 * console's rows. Reads only at Ping++ (list + retrieve; never a money call). Memory stays flat:
 * Ping++'s list is paged (limit 100, starting_after), each page is compared with our rows of those
 * ids, the ids seen are written to a scratch table, and "missing there" is an anti-join read back in
 * keyset pages. A run and its differences are stored; runs older than 90 days are pruned.
 */
import { and, desc, eq, gt, inArray, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { getDb, rowsOf, type DbOrTx } from "../db";
import {
  charges,
  reconciliationDifferences,
  reconciliationRuns,
  reconciliationSeen,
  refunds,
  type ReconciliationDifferenceRow,
  type ReconciliationKind,
  type ReconciliationRunRow,
  type ReconciliationTotals,
} from "../db/schema";
import { env } from "../env";
import { PingppResponseError, type Charge, type Refund } from "../pingpp";
import { addDays, shanghaiDayEnd, shanghaiDayStart, shanghaiToday } from "../dates";
import { compareCurrency } from "../money-totals";
import { audit } from "./audit";
import { applyCharge, statusOf } from "./charges";
import { applyRefund } from "./refunds";
import { AppError } from "./errors";
import { pingpp } from "./pingpp-client";
import { callPingpp } from "./pingpp-audited-call";
import { SYSTEM } from "./background";
import type { Actor } from "./actor";

/** Results kept this many days (the nightly job prunes older runs). */
export const KEEP_DAYS = 90;
const PINGPP_PAGE = 100;
const OUR_PAGE = 500;
export const DIFFERENCES_PER_PAGE = 50;

type Who = Pick<Actor, "email" | "ip"> & { id: string | null };

interface NewDifference {
  kind: ReconciliationKind;
  objectType: "charge" | "refund";
  pingppId: string | null;
  rowId: string | null;
  chargeId: string | null;
  currency: string;
  ours: string | null;
  theirs: string | null;
  amount: number;
}

class Totals {
  private m = new Map<string, ReconciliationTotals>();
  private of(currency: string): ReconciliationTotals {
    let t = this.m.get(currency);
    if (!t) {
      t = {
        currency,
        pingppCount: 0,
        pingppAmount: 0,
        pingppRefunded: 0,
        consoleCount: 0,
        consoleAmount: 0,
        consoleRefunded: 0,
      };
      this.m.set(currency, t);
    }
    return t;
  }
  pingpp(c: { currency: string; amount: number; refunded: number }) {
    const t = this.of(c.currency);
    t.pingppCount++;
    t.pingppAmount += c.amount;
    t.pingppRefunded += c.refunded;
  }
  console(c: { currency: string; amount: number; refunded: number }) {
    const t = this.of(c.currency);
    t.consoleCount++;
    t.consoleAmount += c.amount;
    t.consoleRefunded += c.refunded;
  }
  list(): ReconciliationTotals[] {
    return [...this.m.values()].sort((a, b) => compareCurrency(a.currency, b.currency));
  }
}

/** All of a Ping++ charge's refunds: the embedded list, and the rest paged when it has more. */
async function refundsOf(c: Charge): Promise<Refund[]> {
  const out = [...(c.refunds?.data ?? [])];
  let more = c.refunds?.has_more ?? false;
  while (more) {
    const page = await pingpp().charges.refunds.list(c.id, { limit: PINGPP_PAGE, starting_after: out.at(-1)?.id });
    out.push(...page.data);
    more = page.has_more && page.data.length > 0;
  }
  return out;
}

/** Compare one page of Ping++ charges with our rows of the same ids. */
async function comparePage(db: DbOrTx, runId: string, page: Charge[], totals: Totals): Promise<number> {
  if (!page.length) return 0;
  const ids = page.map((c) => c.id);
  await db
    .insert(reconciliationSeen)
    .values(ids.map((pingppId) => ({ runId, pingppId })))
    .onConflictDoNothing();
  const ours = new Map(
    (await db.select().from(charges).where(inArray(charges.pingppId, ids))).map((r) => [r.pingppId!, r]),
  );
  const ourRefunds = await db.select().from(refunds).where(inArray(refunds.chargeId, ids));
  const diffs: NewDifference[] = [];
  for (const c of page) {
    totals.pingpp({ currency: c.currency, amount: c.amount, refunded: c.amount_refunded });
    const row = ours.get(c.id);
    const base = {
      objectType: "charge" as const,
      pingppId: c.id,
      rowId: row?.id ?? null,
      chargeId: c.id,
      currency: c.currency,
    };
    if (!row) {
      diffs.push({ ...base, kind: "missing_here", ours: null, theirs: statusOf(c), amount: c.amount });
    } else {
      const theirs = statusOf(c);
      if (row.status !== theirs) diffs.push({ ...base, kind: "status", ours: row.status, theirs, amount: c.amount });
      if (row.amount !== c.amount)
        diffs.push({
          ...base,
          kind: "amount",
          ours: String(row.amount),
          theirs: String(c.amount),
          amount: c.amount - row.amount,
        });
      if (row.amountRefunded !== c.amount_refunded) {
        diffs.push({
          ...base,
          kind: "amount_refunded",
          ours: String(row.amountRefunded),
          theirs: String(c.amount_refunded),
          amount: c.amount_refunded - row.amountRefunded,
        });
      }
    }
    const theirRefunds = c.refunds?.has_more ? await refundsOf(c) : (c.refunds?.data ?? []);
    const mine = ourRefunds.filter((r) => r.chargeId === c.id);
    for (const r of theirRefunds) {
      const m = mine.find((x) => x.pingppId === r.id);
      const rb = {
        objectType: "refund" as const,
        pingppId: r.id,
        rowId: m?.id ?? null,
        chargeId: c.id,
        currency: c.currency,
      };
      if (!m) diffs.push({ ...rb, kind: "missing_here", ours: null, theirs: r.status, amount: r.amount });
      else {
        if (m.status !== r.status)
          diffs.push({ ...rb, kind: "status", ours: m.status, theirs: r.status, amount: r.amount });
        if (m.amount !== r.amount)
          diffs.push({
            ...rb,
            kind: "amount",
            ours: String(m.amount),
            theirs: String(r.amount),
            amount: r.amount - m.amount,
          });
      }
    }
    // Ours, sent to Ping++ (it has an id), that Ping++ does not list under the charge.
    for (const m of mine) {
      if (m.pingppId && !theirRefunds.some((r) => r.id === m.pingppId)) {
        diffs.push({
          objectType: "refund",
          kind: "missing_there",
          pingppId: m.pingppId,
          rowId: m.id,
          chargeId: c.id,
          currency: m.currency,
          ours: m.status,
          theirs: null,
          amount: m.amount,
        });
      }
    }
  }
  if (diffs.length) await db.insert(reconciliationDifferences).values(diffs.map((d) => ({ ...d, runId })));
  return diffs.length;
}

/** The Ping++ `created` of our row: Ping++'s own (raw) when we have it, else our creation time. */
const pingppCreated = sql<number>`coalesce((${charges.raw}->>'created')::bigint, floor(extract(epoch from ${charges.createdAt}))::bigint)`;

/**
 * Our charges of the day (by Ping++'s created time), in keyset pages: totals, and the ones Ping++
 * did not list ("missing there"). Our created_at is within seconds of Ping++'s: the index range is
 * widened by an hour each side, the exact test is on Ping++'s time.
 */
async function compareOurs(
  db: DbOrTx,
  runId: string,
  day: string,
  totals: Totals,
  pageSize = OUR_PAGE,
): Promise<number> {
  const from = shanghaiDayStart(day);
  const to = shanghaiDayEnd(day);
  const gte = Math.floor(from.getTime() / 1000);
  const lte = Math.floor(to.getTime() / 1000) - 1;
  let cursor: { createdAt: Date; id: string } | null = null;
  let count = 0;
  for (;;) {
    const page: {
      id: string;
      pingppId: string | null;
      status: string;
      amount: number;
      amountRefunded: number;
      currency: string;
      createdAt: Date;
      seen: boolean;
    }[] = await db
      .select({
        id: charges.id,
        pingppId: charges.pingppId,
        status: charges.status,
        amount: charges.amount,
        amountRefunded: charges.amountRefunded,
        currency: charges.currency,
        createdAt: charges.createdAt,
        seen: sql<boolean>`exists (select 1 from ${reconciliationSeen} s where s.run_id = ${runId} and s.pingpp_id = "charges"."pingpp_id")`,
      })
      .from(charges)
      .where(
        and(
          isNotNull(charges.pingppId),
          sql`${charges.createdAt} >= ${new Date(from.getTime() - 3_600_000).toISOString()}::timestamptz`,
          sql`${charges.createdAt} < ${new Date(to.getTime() + 3_600_000).toISOString()}::timestamptz`,
          sql`${pingppCreated} between ${gte} and ${lte}`,
          cursor
            ? or(
                gt(charges.createdAt, cursor.createdAt),
                and(eq(charges.createdAt, cursor.createdAt), gt(charges.id, cursor.id)),
              )
            : undefined,
        ),
      )
      .orderBy(charges.createdAt, charges.id)
      .limit(pageSize);
    const diffs: NewDifference[] = [];
    for (const r of page) {
      totals.console({ currency: r.currency, amount: r.amount, refunded: r.amountRefunded });
      if (!r.seen) {
        diffs.push({
          kind: "missing_there",
          objectType: "charge",
          pingppId: r.pingppId,
          rowId: r.id,
          chargeId: r.pingppId,
          currency: r.currency,
          ours: r.status,
          theirs: null,
          amount: r.amount,
        });
      }
    }
    if (diffs.length) await db.insert(reconciliationDifferences).values(diffs.map((d) => ({ ...d, runId })));
    count += diffs.length;
    if (page.length < pageSize) return count;
    const last = page.at(-1)!;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}

/** Is a yyyy-mm-dd day one that can be reconciled (a real date, not in the future)? */
export function reconcilableDay(day: string, now = Date.now()): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && day <= shanghaiToday(now);
}

/**
 * Reconcile one day. `actor` null = the scheduler. Returns the finished (or failed) run. The run's
 * start and end are audited. Throws nothing for a Ping++ failure: the run is stored as failed.
 */
export async function reconcileDay(
  day: string,
  opts: {
    actor?: Actor | null;
    trigger?: "nightly" | "manual";
    signal?: AbortSignal;
    /** tests: smaller pages on both sides */ pageSize?: number;
  } = {},
): Promise<ReconciliationRunRow> {
  if (!reconcilableDay(day)) throw new AppError("reconciliation.errors.badDay", {}, undefined, "day");
  const who: Who = opts.actor ?? SYSTEM;
  const db = await getDb();
  const [run] = await db
    .insert(reconciliationRuns)
    .values({ day, trigger: opts.trigger ?? (opts.actor ? "manual" : "nightly"), startedBy: opts.actor?.id ?? null })
    .returning();
  const target = { type: "reconciliation", id: run!.id };
  const totals = new Totals();
  let differences = 0;
  try {
    const { appId } = env().pingpp;
    const gte = Math.floor(shanghaiDayStart(day).getTime() / 1000);
    const lte = Math.floor(shanghaiDayEnd(day).getTime() / 1000) - 1;
    let after: string | undefined;
    for (;;) {
      opts.signal?.throwIfAborted();
      const page = await pingpp().charges.list({
        app: { id: appId },
        created: { gte, lte },
        limit: Math.min(opts.pageSize ?? PINGPP_PAGE, PINGPP_PAGE),
        starting_after: after,
      });
      differences += await comparePage(db, run!.id, page.data, totals);
      if (!page.has_more || !page.data.length) break;
      after = page.data.at(-1)!.id;
    }
    differences += await compareOurs(db, run!.id, day, totals, opts.pageSize);
    const [done] = await db
      .update(reconciliationRuns)
      .set({ status: "finished", finishedAt: new Date(), totals: totals.list(), differences })
      .where(eq(reconciliationRuns.id, run!.id))
      .returning();
    await audit({ actor: who, action: "reconciliation.run", target, params: { day, differences }, result: "ok" });
    return done!;
  } catch (e) {
    const message = e instanceof PingppResponseError || e instanceof Error ? e.message.slice(0, 500) : "failed";
    const [failed] = await db
      .update(reconciliationRuns)
      .set({ status: "failed", finishedAt: new Date(), totals: totals.list(), differences, error: message })
      .where(eq(reconciliationRuns.id, run!.id))
      .returning();
    await audit({ actor: who, action: "reconciliation.run", target, params: { day }, result: "error", message });
    return failed!;
  } finally {
    await db.delete(reconciliationSeen).where(eq(reconciliationSeen.runId, run!.id));
  }
}

/** The nightly job: reconcile yesterday (Shanghai) once, and prune runs older than KEEP_DAYS. */
export async function nightlyReconciliation(
  opts: { now?: number; signal?: AbortSignal } = {},
): Promise<{ ran: boolean; pruned: number }> {
  const now = opts.now ?? Date.now();
  const day = addDays(shanghaiToday(now), -1);
  const db = await getDb();
  const pruned = rowsOf<{ id: string }>(
    await db.execute(
      sql`delete from ${reconciliationRuns} where ${reconciliationRuns.day} < ${addDays(shanghaiToday(now), -KEEP_DAYS)}::date returning id`,
    ),
  ).length;
  const [done] = await db
    .select({ id: reconciliationRuns.id })
    .from(reconciliationRuns)
    .where(
      and(
        eq(reconciliationRuns.day, day),
        eq(reconciliationRuns.trigger, "nightly"),
        eq(reconciliationRuns.status, "finished"),
      ),
    )
    .limit(1);
  if (done) return { ran: false, pruned };
  await reconcileDay(day, { actor: null, trigger: "nightly", signal: opts.signal });
  return { ran: true, pruned };
}

// ------------------------------------------------------------------ reading

export async function listRuns(opts: { cursor?: { createdAt: Date; id: string } | null; limit?: number } = {}) {
  const db = await getDb();
  const limit = opts.limit ?? 30;
  const c = opts.cursor;
  const rows = await db
    .select()
    .from(reconciliationRuns)
    .where(
      c
        ? or(
            lt(reconciliationRuns.createdAt, c.createdAt),
            and(eq(reconciliationRuns.createdAt, c.createdAt), lt(reconciliationRuns.id, c.id)),
          )
        : undefined,
    )
    .orderBy(desc(reconciliationRuns.createdAt), desc(reconciliationRuns.id))
    .limit(limit + 1);
  return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
}

export async function getRun(id: string): Promise<ReconciliationRunRow> {
  const db = await getDb();
  const [run] = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.select().from(reconciliationRuns).where(eq(reconciliationRuns.id, id))
    : [];
  if (!run) throw new AppError("reconciliation.errors.runNotFound");
  return run;
}

/** One keyset page of a run's differences (oldest first). */
export async function listDifferences(
  runId: string,
  cursor: { createdAt: Date; id: string } | null = null,
  limit = DIFFERENCES_PER_PAGE,
) {
  const db = await getDb();
  const d = reconciliationDifferences;
  const rows = await db
    .select()
    .from(d)
    .where(
      and(
        eq(d.runId, runId),
        cursor
          ? or(gt(d.createdAt, cursor.createdAt), and(eq(d.createdAt, cursor.createdAt), gt(d.id, cursor.id)))
          : undefined,
      ),
    )
    .orderBy(d.createdAt, d.id)
    .limit(limit);
  return rows;
}

/** Every difference of a run, page by page (for the CSV export: memory flat). */
export async function* allDifferences(runId: string): AsyncGenerator<ReconciliationDifferenceRow> {
  let cursor: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const rows = await listDifferences(runId, cursor, 500);
    yield* rows;
    if (rows.length < 500) return;
    const last = rows.at(-1)!;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}

// ------------------------------------------------------------------ resolving

async function openDifference(id: string): Promise<ReconciliationDifferenceRow> {
  const db = await getDb();
  const [d] = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.select().from(reconciliationDifferences).where(eq(reconciliationDifferences.id, id))
    : [];
  if (!d) throw new AppError("reconciliation.errors.differenceNotFound");
  if (d.resolution) throw new AppError("reconciliation.errors.alreadyResolved");
  return d;
}

/**
 * "Fix from Ping++": retrieve the object from Ping++ and store it through the normal sync path
 * (applyCharge / applyRefund: forward only; a charge we did not have is imported). Reads only at
 * Ping++. Something Ping++ does not have cannot be fixed from it: note it instead.
 */
export async function fixFromPingpp(actor: Actor, id: string): Promise<ReconciliationDifferenceRow> {
  const d = await openDifference(id);
  const target = { type: d.objectType, id: d.pingppId ?? d.id };
  const entry = { actor, action: "reconciliation.fix", target, params: { difference: d.id, kind: d.kind } };
  if (d.kind === "missing_there" || !d.pingppId || !d.chargeId) throw new AppError("reconciliation.errors.notAtPingpp");
  const fresh =
    d.objectType === "charge"
      ? await callPingpp(entry, () => pingpp().charges.retrieve(d.pingppId!))
      : await callPingpp(entry, () => pingpp().charges.refunds.retrieve(d.chargeId!, d.pingppId!));
  const db = await getDb();
  return db.transaction(async (tx) => {
    let result: string;
    if (d.objectType === "charge") {
      const c = fresh as Charge;
      const saved = await applyCharge(tx, c, { lastSyncedAt: new Date() });
      for (const r of c.refunds?.data ?? []) await applyRefund(tx, r);
      result = saved.status;
    } else {
      result = (await applyRefund(tx, fresh as Refund)).status;
    }
    const [updated] = await tx
      .update(reconciliationDifferences)
      .set({ resolution: "fixed", note: result, resolvedBy: actor.id, resolvedAt: new Date() })
      .where(and(eq(reconciliationDifferences.id, d.id), isNull(reconciliationDifferences.resolution)))
      .returning();
    if (!updated) throw new AppError("reconciliation.errors.alreadyResolved");
    await audit({ ...entry, result: "ok", message: `${d.ours ?? "—"} → ${result}` }, tx);
    return updated;
  });
}

/** "Note why it is right": the difference stays, explained. Audited. */
export async function noteDifference(actor: Actor, id: string, note: string): Promise<ReconciliationDifferenceRow> {
  const d = await openDifference(id);
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(reconciliationDifferences)
      .set({ resolution: "noted", note, resolvedBy: actor.id, resolvedAt: new Date() })
      .where(and(eq(reconciliationDifferences.id, d.id), isNull(reconciliationDifferences.resolution)))
      .returning();
    if (!updated) throw new AppError("reconciliation.errors.alreadyResolved");
    await audit(
      {
        actor,
        action: "reconciliation.note",
        target: { type: d.objectType, id: d.pingppId ?? d.id },
        params: { difference: d.id, kind: d.kind, note },
        result: "ok",
      },
      tx,
    );
    return updated;
  });
}
