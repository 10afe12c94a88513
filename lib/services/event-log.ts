import "server-only";
import { and, desc, eq, getTableColumns, gte, lt, sql, type SQL } from "drizzle-orm";
import { getDb, type Tx } from "../db";
import {
  charges,
  eventStatus,
  orders,
  pingppEvents,
  redEnvelopes,
  refunds,
  royaltySettlements,
  type EventStatus,
  type PingppEventRow,
} from "../db/schema";
import { parseEventJson, PingppResponseError, type PingppEvent } from "../pingpp";
import { applyEvent } from "./webhooks";
import { failureReason, isDatabaseUnavailable, whyForeign } from "./webhooks/triage";
import { audit } from "./audit";
import { AppError } from "./errors";
import { canSee } from "./charges";
import { canSeeOrder } from "./orders";
import { idPrefix } from "./search";
import { can } from "../auth/policy";
import type { Actor } from "./actor";

export interface EventFilter {
  type?: string;
  objectId?: string;
  status?: EventStatus;
  from?: Date;
  to?: Date;
  page?: number;
}

export const EVENTS_PER_PAGE = 50;
/** What became of an event: applied, ignored, failed, foreign (another app's or the other mode's). */
export const EVENT_STATUSES = eventStatus.enumValues;

/** A link that leads to the console page of the object an event touches (resolved by lookupObject). */
export function objectHref(_type: string, objectId: string | null): string | null {
  return objectId ? `/go/${encodeURIComponent(objectId)}` : null;
}

/**
 * The console page of a Ping++ object (ch_, re_, red_, order or settlement id) this actor may see,
 * or null: an object they may not see answers exactly like one that does not exist (ARCHITECTURE.md §4: a
 * cashier sees their own and their terminal's charges and orders, nothing else).
 */
export async function lookupObject(actor: Actor, objectId: string): Promise<string | null> {
  const db = await getDb();
  if (objectId.startsWith("ch_")) {
    const [c] = await db
      .select({ createdBy: charges.createdBy, terminalId: charges.terminalId })
      .from(charges)
      .where(eq(charges.pingppId, objectId));
    return c && canSee(actor, c) ? `/charges/${objectId}` : null;
  }
  const [order] = await db
    .select({ id: orders.id, createdBy: orders.createdBy, terminalId: orders.terminalId })
    .from(orders)
    .where(eq(orders.pingppId, objectId));
  if (order) return canSeeOrder(actor, order) ? `/orders/${order.id}` : null;
  const tables = [
    [refunds, "/refunds/", "refunds.read"],
    [redEnvelopes, "/red-envelopes/", "redEnvelopes.manage"],
    [royaltySettlements, "/settlements/", "settlements.manage"],
  ] as const;
  for (const [table, base, capability] of tables) {
    if (!can(actor.role, capability)) continue; // a role that may not open that page learns nothing of it
    const [row] = await db.select({ id: table.id }).from(table).where(eq(table.pingppId, objectId));
    if (row) return `${base}${row.id}`;
  }
  return null;
}

export async function listEvents(
  f: EventFilter,
): Promise<{ rows: Omit<PingppEventRow, "payload">[]; total: number; page: number }> {
  const db = await getDb();
  const where: SQL[] = [];
  if (f.type) where.push(eq(pingppEvents.type, f.type));
  if (f.objectId) where.push(idPrefix(pingppEvents.objectId, f.objectId)); // the whole id, or its start
  if (f.status) where.push(eq(pingppEvents.status, f.status));
  if (f.from) where.push(gte(pingppEvents.firstReceivedAt, f.from));
  if (f.to) where.push(lt(pingppEvents.firstReceivedAt, f.to));
  const cond = where.length ? and(...where) : undefined;
  const page = Math.max(1, f.page ?? 1);
  const { payload: _omit, ...columns } = getTableColumns(pingppEvents);
  void _omit;
  const [rows, [count]] = await Promise.all([
    db
      .select(columns)
      .from(pingppEvents)
      .where(cond)
      .orderBy(desc(pingppEvents.firstReceivedAt), desc(pingppEvents.id))
      .limit(EVENTS_PER_PAGE)
      .offset((page - 1) * EVENTS_PER_PAGE),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(pingppEvents)
      .where(cond),
  ]);
  return { rows, total: Number(count?.n ?? 0), page };
}

/** One event as an object's detail page lists it (no payload: the raw JSON stays in the event log). */
export type ObjectEvent = Pick<PingppEventRow, "id" | "type" | "firstReceivedAt" | "receiveCount" | "status">;

export const OBJECT_EVENTS_LIMIT = 50;

/**
 * The Ping++ events stored for one object (charge, order, refund, red envelope or settlement), by its
 * Ping++ id (`data.object.id`), newest first. At most OBJECT_EVENTS_LIMIT; the event log has the rest.
 */
export async function objectEvents(objectId: string | null | undefined): Promise<ObjectEvent[]> {
  if (!objectId) return [];
  const db = await getDb();
  return db
    .select({
      id: pingppEvents.id,
      type: pingppEvents.type,
      firstReceivedAt: pingppEvents.firstReceivedAt,
      receiveCount: pingppEvents.receiveCount,
      status: pingppEvents.status,
    })
    .from(pingppEvents)
    .where(eq(pingppEvents.objectId, objectId))
    .orderBy(desc(pingppEvents.firstReceivedAt), desc(pingppEvents.id))
    .limit(OBJECT_EVENTS_LIMIT);
}

export async function eventTypes(): Promise<string[]> {
  const db = await getDb();
  const rows = await db.selectDistinct({ type: pingppEvents.type }).from(pingppEvents).orderBy(pingppEvents.type);
  return rows.map((r) => r.type);
}

export async function getEvent(id: string): Promise<PingppEventRow> {
  const db = await getDb();
  const [row] = await db.select().from(pingppEvents).where(eq(pingppEvents.id, id));
  if (!row) throw new AppError("eventNotFound");
  return row;
}

/**
 * 「重新应用」 for an event whose processing failed (it arrived before the record it updates, its
 * shape was one this version did not know, a handler failed): re-run it from the stored payload,
 * in one transaction, forward only. An apply that fails again is rolled back (a savepoint) and
 * the event stays failed with the new reason; one that turns out to be another app's or the other
 * mode's becomes foreign. A database outage propagates. Audited.
 */
export async function applyAgain(actor: Actor, id: string): Promise<PingppEventRow> {
  const db = await getDb();
  const result = await db
    .transaction(async (tx) => {
      const [row] = await tx.select().from(pingppEvents).where(eq(pingppEvents.id, id)).for("update");
      if (!row) throw new AppError("eventNotFound");
      if (row.status !== "failed") throw new AppError("eventNotFailed");
      const applied = await reapply(tx, row.payload);
      const [updated] = await tx
        .update(pingppEvents)
        .set({ status: applied.status, result: applied.result })
        .where(eq(pingppEvents.id, id))
        .returning();
      return updated!;
    })
    .catch(async (e: unknown) => {
      await audit({
        actor,
        action: "event.apply_again",
        target: { type: "event", id },
        result: e instanceof AppError ? "refused" : "error",
        message: (e as Error).message,
      });
      throw e;
    });
  await audit({
    actor,
    action: "event.apply_again",
    target: { type: "event", id },
    params: { type: result.type },
    result: result.status === "failed" ? "error" : "ok",
    message: result.result ?? undefined,
  });
  return result;
}

async function reapply(tx: Tx, payload: unknown): Promise<{ status: EventStatus; result: string }> {
  const foreign = whyForeign(payload);
  if (foreign) return { status: "foreign", result: foreign };
  let event: PingppEvent;
  try {
    event = parseEventJson(payload);
  } catch (e) {
    if (e instanceof PingppResponseError) return { status: "failed", result: e.message.slice(0, 500) };
    throw e;
  }
  try {
    return await tx.transaction((sp) => applyEvent(sp, event));
  } catch (e) {
    if (isDatabaseUnavailable(e)) throw e;
    return { status: "failed", result: failureReason(e) };
  }
}
