import "server-only";
import { and, asc, desc, eq, gte, isNotNull, isNull, lt, ne, or, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx } from "../db";
import {
  royaltySettlements,
  royaltyTransactions,
  type RoyaltySettlementRow,
  type RoyaltySettlementStatus,
  type RoyaltyTransactionRow,
  type RoyaltyTransactionStatus,
} from "../db/schema";
import type { RoyaltySettlement, RoyaltySettlementCreateParams, RoyaltyTransaction } from "../pingpp";
import { shanghaiDayEnd, shanghaiDayStart } from "../dates";
import { audit } from "./audit";
import { AppError } from "./errors";
import { idPrefix } from "./search";
import { pingpp } from "./pingpp-client";
import { callPingpp, refuse } from "./pingpp-audited-call";
import { claimByKey, expiredLease, leaseExpired, undoClaim } from "./idempotent-claim";
import { IN_PROGRESS } from "../retry-codes";
import { SYSTEM, sweep, type SweepResult } from "./background";
import type { Actor } from "./actor";
import type { CreateSettlementData, SettlementParamsData } from "../validations/settlements";
import type {
  SettlementPreview,
  SettlementSummary,
  SettlementTransactionView,
  SettlementView,
} from "./settlement-view";

export type { SettlementPreview, SettlementSummary, SettlementView };

/**
 * The metadata key that carries the form's idempotency key to Ping++, to find a settlement whose create answer was
 * lost.
 */
export const REQUEST_KEY_METADATA = "console_request";
/** A pending settlement unchanged this long is asked about (ARCHITECTURE.md rule 5)… */
export const SYNC_AFTER_MS = 5_000;
/** …at most once per this interval, across all instances. */
export const SYNC_INTERVAL_MS = 3_000;

const RANK: Record<RoyaltySettlementStatus, number> = {
  creating: 0,
  created: 1,
  pending: 2,
  succeeded: 3,
  partially_succeeded: 3,
  failed: 3,
  canceled: 3,
};
const TX_RANK: Record<RoyaltyTransactionStatus, number> = {
  created: 0,
  pending: 1,
  succeeded: 2,
  failed: 2,
  canceled: 2,
};
/** Forward only: a status may stay or rank up; a final status never changes. */
const moves = <S extends string>(rank: Record<S, number>, from: S, to: S) => to === from || rank[to] > rank[from];

const toDate = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);
const toSec = (d: Date) => Math.floor(d.getTime() / 1000);

const ACTIONS = {
  confirm: {
    call: (id: string) => pingpp().royaltySettlements.confirm(id),
    done: (s: RoyaltySettlementStatus) => RANK[s] >= RANK.pending && s !== "canceled",
  },
  cancel: {
    call: (id: string) => pingpp().royaltySettlements.cancel(id),
    done: (s: RoyaltySettlementStatus) => s === "canceled",
  },
} as const;
export type SettlementAction = keyof typeof ACTIONS;

// ---------------------------------------------------------------- views

function summaryOf(row: RoyaltySettlementRow): SettlementSummary {
  return {
    id: row.id,
    pingppId: row.pingppId,
    status: row.status,
    method: row.method,
    payerApp: row.payerApp,
    recipientApp: row.recipientApp,
    amount: row.amount,
    amountSucceeded: row.amountSucceeded,
    amountFailed: row.amountFailed,
    amountCanceled: row.amountCanceled,
    count: row.count,
    countSucceeded: row.countSucceeded,
    countFailed: row.countFailed,
    countCanceled: row.countCanceled,
    fee: row.fee,
    createdAt: row.createdAt.toISOString(),
    timeFinished: row.timeFinished?.toISOString() ?? null,
  };
}

const transactionOf = (t: RoyaltyTransaction | RoyaltyTransactionRow): SettlementTransactionView =>
  "object" in t
    ? {
        id: t.id,
        amount: t.amount,
        status: t.status,
        settleAccount: t.settle_account,
        sourceUser: t.source_user,
        recipientApp: t.recipient_app,
        failureMsg: t.failure_msg ?? null,
      }
    : {
        id: t.id,
        amount: t.amount,
        status: t.status,
        settleAccount: t.settleAccount,
        sourceUser: t.sourceUser,
        recipientApp: t.recipientApp,
        failureMsg: t.failureMsg,
      };

async function viewOf(row: RoyaltySettlementRow): Promise<SettlementView> {
  const db = await getDb();
  const txs = await db
    .select()
    .from(royaltyTransactions)
    .where(eq(royaltyTransactions.settlementId, row.id))
    .orderBy(asc(royaltyTransactions.createdAt), asc(royaltyTransactions.id));
  return { ...summaryOf(row), transactions: txs.map(transactionOf) };
}

// ---------------------------------------------------------------- persisting what Ping++ says

/**
 * Store what Ping++ says about a settlement and its transactions, forward only (ARCHITECTURE.md rule 2):
 * a late or repeated object never moves a status back. Matches our row by Ping++ id, else by the
 * create's claim (its id, or the idempotency key we sent in the metadata); creates one for
 * settlements made outside the console. Used by create, confirm/cancel, sync and webhooks.
 */
export async function applySettlement(
  tx: DbOrTx,
  s: RoyaltySettlement,
  claimId?: string,
): Promise<RoyaltySettlementRow> {
  const key = s.metadata[REQUEST_KEY_METADATA];
  const [existing] = await tx
    .select()
    .from(royaltySettlements)
    .where(
      or(
        eq(royaltySettlements.pingppId, s.id),
        claimId ? eq(royaltySettlements.id, claimId) : undefined,
        typeof key === "string" ? eq(royaltySettlements.idempotencyKey, key) : undefined,
      ),
    )
    .for("update");
  if (existing && !moves(RANK, existing.status, s.status)) return existing;
  const recipientApp = typeof s.recipient_app === "string" ? s.recipient_app : (existing?.recipientApp ?? null);
  const fields = {
    pingppId: s.id,
    payerApp: s.payer_app,
    method: s.method,
    recipientApp,
    status: s.status,
    amount: s.amount,
    amountSucceeded: s.amount_succeeded,
    amountFailed: s.amount_failed,
    amountCanceled: s.amount_canceled,
    count: s.count,
    countSucceeded: s.count_succeeded,
    countFailed: s.count_failed,
    countCanceled: s.count_canceled,
    fee: s.fee,
    timeFinished: toDate(s.time_finished),
    livemode: s.livemode,
    raw: s as Record<string, unknown>,
    updatedAt: new Date(),
  };
  const [row] = existing
    ? await tx.update(royaltySettlements).set(fields).where(eq(royaltySettlements.id, existing.id)).returning()
    : await tx
        .insert(royaltySettlements)
        .values({ ...fields, createdAt: toDate(s.created) ?? new Date() })
        .returning();
  await applyTransactions(tx, row!.id, s.royalty_transactions?.data ?? []);
  return row!;
}

async function applyTransactions(tx: DbOrTx, settlementId: string, list: RoyaltyTransaction[]): Promise<void> {
  if (list.length === 0) return;
  const known = new Map(
    (await tx.select().from(royaltyTransactions).where(eq(royaltyTransactions.settlementId, settlementId))).map((r) => [
      r.id,
      r.status,
    ]),
  );
  const now = new Date();
  const rows = list
    .filter((t) => !known.has(t.id) || moves(TX_RANK, known.get(t.id)!, t.status))
    .map((t) => ({
      id: t.id,
      settlementId,
      amount: t.amount,
      status: t.status,
      settleAccount: t.settle_account,
      sourceUser: t.source_user,
      recipientApp: t.recipient_app,
      failureMsg: t.failure_msg ?? null,
      raw: t as Record<string, unknown>,
      createdAt: toDate(t.created) ?? now,
      updatedAt: now,
    }));
  if (rows.length === 0) return;
  await tx
    .insert(royaltyTransactions)
    .values(rows)
    .onConflictDoUpdate({
      target: royaltyTransactions.id,
      set: {
        status: sql`excluded.status`,
        failureMsg: sql`excluded.failure_msg`,
        raw: sql`excluded.raw`,
        updatedAt: sql`excluded.updated_at`,
      },
    });
}

async function save(s: RoyaltySettlement, claimId?: string): Promise<RoyaltySettlementRow> {
  const db = await getDb();
  return db.transaction((tx) => applySettlement(tx, s, claimId));
}

// ---------------------------------------------------------------- talking to Ping++

/** The Ping++ create parameters of the form: the date range is whole Shanghai days. */
function createParams(input: SettlementParamsData): RoyaltySettlementCreateParams {
  const created =
    input.from || input.to
      ? {
          gte: input.from ? toSec(shanghaiDayStart(input.from)) : undefined,
          lt: input.to ? toSec(shanghaiDayEnd(input.to)) : undefined,
        }
      : undefined;
  return {
    payer_app: input.payerApp,
    method: input.method,
    recipient_app: input.recipientApp,
    created,
    source_user: input.sourceUser,
    source_no: input.sourceNo,
    min_amount: input.minAmount,
    metadata: input.metadata,
  };
}

// ---------------------------------------------------------------- preview, create, confirm, cancel

/** What a settlement with these parameters would pay out (`is_preview`): nothing is created or changed. */
export async function previewSettlement(actor: Actor, input: SettlementParamsData): Promise<SettlementPreview> {
  const params = { ...createParams(input), is_preview: true } as const;
  const p = await callPingpp({ actor, action: "royalty_settlement.preview", params }, () =>
    pingpp().royaltySettlements.create(params),
  );
  return {
    amount: p.amount,
    count: p.count,
    fee: p.fee,
    transactions: (p.royalty_transactions?.data ?? []).map(transactionOf),
  };
}

/**
 * Create a settlement (validate → idempotency → Ping++ → persist → audit). The form's key claims
 * a row first, so a double click or a retry never creates a second one; the key also travels in
 * the settlement's metadata, so a retry after a lost answer finds the settlement Ping++ made.
 */
export async function createSettlement(actor: Actor, input: CreateSettlementData): Promise<SettlementSummary> {
  const params = {
    ...createParams(input),
    metadata: { ...input.metadata, [REQUEST_KEY_METADATA]: input.idempotencyKey },
  };
  const { state, row: claim } = await claimByKey(
    royaltySettlements,
    {
      idempotencyKey: input.idempotencyKey,
      payerApp: input.payerApp,
      method: input.method,
      recipientApp: input.recipientApp,
      status: "creating",
      params,
      createdBy: actor.id,
    },
    { inProgress: IN_PROGRESS.settlement },
  );
  if (state === "settled") return summaryOf(claim);
  const s = await callPingpp(
    { actor, action: "royalty_settlement.create", target: { type: "royalty_settlement", id: claim.id }, params },
    async () =>
      (state === "new" ? null : await findCreated(claim)) ?? (await pingpp().royaltySettlements.create(params)),
    // Refused: nothing exists, so no half-written row. No answer: keep the claim, a retry may go at once.
    undoClaim(royaltySettlements, claim.id, "delete"),
  );
  const saved = await save(s, claim.id);
  await audit({
    actor,
    action: "royalty_settlement.create",
    target: { type: "royalty_settlement", id: s.id },
    params,
    result: "ok",
  });
  return summaryOf(saved);
}

/** A settlement Ping++ created for this claim although its answer never arrived. */
async function findCreated(claim: RoyaltySettlementRow): Promise<RoyaltySettlement | null> {
  const since = toSec(claim.createdAt) - 60;
  const list = await pingpp().royaltySettlements.list({
    payer_app: claim.payerApp,
    created: { gte: since },
    per_page: 100,
  });
  return list.data.find((s) => s.metadata[REQUEST_KEY_METADATA] === claim.idempotencyKey) ?? null;
}

export const confirmSettlement = (actor: Actor, id: string) => updateSettlement(actor, id, "confirm");
export const cancelSettlement = (actor: Actor, id: string) => updateSettlement(actor, id, "cancel");

/**
 * Confirm (→ pending) or cancel (→ canceled) a created settlement, once: the action is claimed
 * on our row before Ping++ is asked, so a double click or a retry never sends it twice. A retry
 * after no answer first asks Ping++ whether the earlier attempt went through.
 */
async function updateSettlement(actor: Actor, id: string, action: SettlementAction): Promise<SettlementView> {
  const db = await getDb();
  const row = await load(id);
  const { call, done } = ACTIONS[action];
  if (done(row.status)) return viewOf(row);
  const entry = {
    actor,
    action: `royalty_settlement.${action}`,
    target: { type: "royalty_settlement", id: row.pingppId ?? row.id },
    params: { amount: row.amount, count: row.count, method: row.method },
  };
  if (row.status !== "created" || !row.pingppId)
    return refuse(entry, "settlements.errors.wrongState", { status: row.status });
  const pingppId = row.pingppId;
  const claim = async (cond: SQL | undefined) =>
    (
      await db
        .update(royaltySettlements)
        .set({ action, actionAt: new Date() })
        .where(and(eq(royaltySettlements.id, id), eq(royaltySettlements.status, "created"), cond))
        .returning({ id: royaltySettlements.id })
    ).length > 0;
  // First attempt, or a retake of one that got no answer (its lease ended) and may have gone through.
  const first = await claim(isNull(royaltySettlements.actionAt));
  if (!first && !(await claim(leaseExpired(royaltySettlements.actionAt)))) {
    const now = await load(id);
    if (done(now.status)) return viewOf(now);
    throw new AppError(IN_PROGRESS.settlement);
  }
  const s = await callPingpp(
    entry,
    async () => {
      const earlier = first ? null : await pingpp().royaltySettlements.retrieve(pingppId);
      return earlier && earlier.status !== "created" ? earlier : await call(pingppId);
    },
    async (refused) => {
      if (!refused)
        return db.update(royaltySettlements).set({ actionAt: expiredLease() }).where(eq(royaltySettlements.id, id));
      await db.update(royaltySettlements).set({ action: null, actionAt: null }).where(eq(royaltySettlements.id, id));
      await sync(pingppId); // refused: show what Ping++ says the settlement is now
    },
  );
  const saved = await save(s);
  if (!done(saved.status)) return refuse(entry, "settlements.errors.wrongState", { status: saved.status });
  await audit({ ...entry, result: "ok" });
  return viewOf(saved);
}

async function sync(pingppId: string): Promise<void> {
  try {
    await save(await pingpp().royaltySettlements.retrieve(pingppId));
  } catch (e) {
    console.warn("[settlements] sync failed", pingppId, (e as Error).message);
  }
}

// ---------------------------------------------------------------- reading

async function load(id: string): Promise<RoyaltySettlementRow> {
  const db = await getDb();
  const [row] = await db.select().from(royaltySettlements).where(eq(royaltySettlements.id, id));
  if (!row || row.status === "creating") throw new AppError("settlements.errors.notFound");
  return row;
}

/**
 * A settlement with every royalty transaction: one indexed read. A pending settlement whose
 * webhook is late is asked about by the scheduler (syncPendingSettlements), not by its reader.
 */
export async function getSettlement(id: string): Promise<SettlementView> {
  return viewOf(await load(id));
}

/** How often the scheduler asks Ping++ about one pending settlement, at most (they take hours to days). */
export const BACKGROUND_SYNC_INTERVAL_MS = 60_000;

/**
 * The scheduler's settlement sync (ARCHITECTURE.md rule 5): each pending settlement unchanged for
 * SYNC_AFTER_MS and not asked about within BACKGROUND_SYNC_INTERVAL_MS is retrieved and stored,
 * so an outcome whose webhook was lost shows with nobody watching. The claim on last_synced_at
 * keeps it to one call per interval across instances. Answers how many moved.
 */
export async function syncPendingSettlements(opts: { now?: number; signal?: AbortSignal } = {}): Promise<SweepResult> {
  const now = opts.now ?? Date.now();
  const db = await getDb();
  const due = and(
    eq(royaltySettlements.status, "pending"),
    isNotNull(royaltySettlements.pingppId),
    lt(royaltySettlements.updatedAt, new Date(now - SYNC_AFTER_MS)),
    or(
      isNull(royaltySettlements.lastSyncedAt),
      lt(royaltySettlements.lastSyncedAt, new Date(now - Math.max(SYNC_INTERVAL_MS, BACKGROUND_SYNC_INTERVAL_MS))),
    ),
  );
  const rows = await db
    .select({ id: royaltySettlements.id, pingppId: royaltySettlements.pingppId, status: royaltySettlements.status })
    .from(royaltySettlements)
    .where(due)
    .limit(100);
  return sweep(
    "settlement sync",
    rows,
    async (row) => {
      const [claimed] = await db
        .update(royaltySettlements)
        .set({ lastSyncedAt: new Date(now) })
        .where(and(eq(royaltySettlements.id, row.id), due))
        .returning({ id: royaltySettlements.id });
      if (!claimed) return false;
      const saved = await save(await pingpp().royaltySettlements.retrieve(row.pingppId!));
      if (saved.status === row.status) return false;
      await audit({
        actor: SYSTEM,
        action: "royalty_settlement.sync",
        target: { type: "royalty_settlement", id: row.pingppId! },
        params: { from: row.status, to: saved.status },
        result: "ok",
      });
      return true;
    },
    { signal: opts.signal },
  );
}

export interface SettlementFilter {
  status?: RoyaltySettlementStatus;
  method?: string;
  /** A prefix of the Ping++ id or of ours (case-sensitive). */
  q?: string;
  from?: Date;
  to?: Date;
  page?: number;
  perPage?: number;
}

export interface SettlementTotals {
  count: number;
  amount: number;
  amountSucceeded: number;
  amountFailed: number;
  amountCanceled: number;
}

/** The settlement list: newest first, page paging, and the totals of everything the filter matches. */
/** The WHERE of a settlements filter: shared by the list and the export. */
export function settlementWhere(f: SettlementFilter) {
  const where: SQL[] = [ne(royaltySettlements.status, "creating")];
  if (f.status) where.push(eq(royaltySettlements.status, f.status));
  if (f.method) where.push(eq(royaltySettlements.method, f.method));
  if (f.from) where.push(gte(royaltySettlements.createdAt, f.from));
  if (f.to) where.push(lt(royaltySettlements.createdAt, f.to));
  if (f.q)
    where.push(
      or(
        idPrefix(royaltySettlements.pingppId, f.q),
        ...(/^[0-9a-f-]{1,36}$/.test(f.q) ? [idPrefix(sql`${royaltySettlements.id}::text`, f.q)] : []),
      )!,
    );
  return and(...where);
}

export async function listSettlements(
  f: SettlementFilter,
): Promise<{ rows: SettlementSummary[]; totals: SettlementTotals; page: number; perPage: number }> {
  const db = await getDb();
  const perPage = Math.min(Math.max(f.perPage ?? 20, 1), 100);
  const page = Math.max(f.page ?? 1, 1);
  const cond = settlementWhere(f);
  const sum = (c: AnyColumn) => sql<number>`coalesce(sum(${c}), 0)::bigint`.mapWith(Number);
  const [rows, [totals]] = await Promise.all([
    db
      .select()
      .from(royaltySettlements)
      .where(cond)
      .orderBy(desc(royaltySettlements.createdAt), desc(royaltySettlements.id))
      .limit(perPage)
      .offset((page - 1) * perPage),
    db
      .select({
        count: sql<number>`count(*)::int`,
        amount: sum(royaltySettlements.amount),
        amountSucceeded: sum(royaltySettlements.amountSucceeded),
        amountFailed: sum(royaltySettlements.amountFailed),
        amountCanceled: sum(royaltySettlements.amountCanceled),
      })
      .from(royaltySettlements)
      .where(cond),
  ]);
  return { rows: rows.map(summaryOf), totals: totals!, page, perPage };
}
