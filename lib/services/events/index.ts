import "server-only";
import { sql } from "drizzle-orm";
import { getDb, type Tx } from "../../db";
import { pingppEvents } from "../../db/schema";
import { env } from "../../env";
import { parseEvent, PingppResponseError, verifyWebhookSignature, type PingppEvent } from "../../pingpp";
import { HANDLERS, type HandlerResult } from "./handlers";

export type IngestResult =
  | { kind: "stored"; eventId: string; duplicate: boolean; status: HandlerResult["status"] }
  | { kind: "unauthorized" }
  | { kind: "bad_request"; reason: string };

/** Largest webhook body accepted; Ping++ events are a few KB. */
export const MAX_WEBHOOK_BYTES = 256 * 1024;

/**
 * Webhook ingestion (DESIGN rule 3): verify the raw bytes → parse → in ONE transaction store
 * the event once (its evt_ id) and apply it. A repeated delivery only bumps its counter.
 * Exceptions (database down, a bug) propagate: the route answers 5xx and Ping++ retries.
 */
export async function ingestWebhook(rawBody: Uint8Array, signature: string | null): Promise<IngestResult> {
  const publicKeyPem = env().pingpp.publicKeyPem;
  if (!signature || !publicKeyPem || !verifyWebhookSignature(rawBody, signature, publicKeyPem)) {
    return { kind: "unauthorized" };
  }
  let event: PingppEvent;
  try {
    event = parseEvent(rawBody);
  } catch (e) {
    if (e instanceof PingppResponseError) return { kind: "bad_request", reason: e.message.slice(0, 300) };
    throw e;
  }
  const db = await getDb();
  return db.transaction(async (tx) => {
    const objectId = typeof event.data.object.id === "string" ? event.data.object.id : null;
    const [row] = await tx
      .insert(pingppEvents)
      .values({
        id: event.id,
        type: event.type,
        objectId,
        livemode: event.livemode,
        createdAt: new Date(event.created * 1000),
        signatureVerified: true,
        payload: event as Record<string, unknown>,
        status: "ignored",
      })
      .onConflictDoUpdate({
        target: pingppEvents.id,
        set: { receiveCount: sql`${pingppEvents.receiveCount} + 1`, lastReceivedAt: sql`now()` },
      })
      .returning({ inserted: sql<boolean>`(xmax = 0)`, status: pingppEvents.status });
    if (!row?.inserted) {
      return { kind: "stored", eventId: event.id, duplicate: true, status: row?.status ?? "ignored" } as const;
    }
    const result = await applyEvent(tx, event);
    await tx
      .update(pingppEvents)
      .set({ status: result.status, result: result.result })
      .where(sql`${pingppEvents.id} = ${event.id}`);
    return { kind: "stored", eventId: event.id, duplicate: false, status: result.status } as const;
  });
}

/** Apply one stored event to the domain. Unknown types are kept and acknowledged. */
export async function applyEvent(tx: Tx, event: PingppEvent): Promise<HandlerResult> {
  const handler = HANDLERS[event.type];
  if (!handler) return { status: "ignored", result: "no handler for this event type" };
  return handler(tx, event);
}
