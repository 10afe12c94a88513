import "server-only";
import { sql } from "drizzle-orm";
import pLimit from "p-limit";
import { getDb, rowsOf, type Tx } from "../../db";
import { pingppEvents, type PingppEventRow } from "../../db/schema";
import { env } from "../../env";
import { parseEvent, PingppResponseError, verifyWebhookSignature, type PingppEvent } from "../../pingpp";
import { HANDLERS, type HandlerResult } from "./handlers";

export type IngestResult =
  | { kind: "stored"; eventId: string; duplicate: boolean; status: HandlerResult["status"] }
  | { kind: "unauthorized" }
  | { kind: "bad_request"; reason: string };

/**
 * Webhook transactions leave READS_KEPT connections of the database pool free (per process): a
 * burst of webhooks queues here instead of taking every connection, so the cashier screens'
 * status reads and the pages still get one. The rest wait their turn; none is refused.
 */
const READS_KEPT = 3;
let ingestSlots: ReturnType<typeof pLimit> | undefined;
const slots = () => (ingestSlots ??= pLimit(Math.max(1, env().databasePoolMax - READS_KEPT)));

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
  // Refused (400), not failed (5xx): Ping++ retrying an event we can never store helps nobody.
  const unstorable = whyUnstorable(event);
  if (unstorable) return { kind: "bad_request", reason: unstorable };
  const db = await getDb();
  return slots()(() => db.transaction(async (tx) => {
    const objectId = typeof event.data.object.id === "string" ? event.data.object.id : null;
    // Plain SQL, not drizzle's builder, on this path alone: building these statements cost more
    // CPU than running them (bench/README.md). Same columns and semantics as the schema's.
    const [row] = rowsOf<{ inserted: boolean; status: PingppEventRow["status"] }>(
      await tx.execute(sql`
        insert into ${pingppEvents} (id, type, object_id, livemode, created_at, signature_verified, payload, status)
        values (${event.id}, ${event.type}, ${objectId}, ${event.livemode}, ${new Date(event.created * 1000).toISOString()}::timestamptz,
                true, ${JSON.stringify(event)}::jsonb, 'ignored')
        on conflict (id) do update set receive_count = ${pingppEvents}.receive_count + 1, last_received_at = now()
        returning (xmax = 0) as inserted, status`),
    );
    if (!row?.inserted) {
      return { kind: "stored", eventId: event.id, duplicate: true, status: row?.status ?? "ignored" } as const;
    }
    const result = await applyEvent(tx, event);
    await tx.execute(sql`update ${pingppEvents} set status = ${result.status}, result = ${result.result} where id = ${event.id}`);
    return { kind: "stored", eventId: event.id, duplicate: false, status: result.status } as const;
  }));
}

/** Deeper than any Ping++ object (they nest a handful of levels); JSON.stringify overflows the stack long before 10k. */
export const MAX_EVENT_DEPTH = 64;
/** Ping++ ids and types are a few dozen characters; a btree index entry holds at most ~2.7 kB. */
const MAX_KEY_LENGTH = 255;
/** Fields of a Ping++ object the console keeps in indexed columns: ids, numbers, references. */
const INDEXED_FIELD = /^(id|app|channel|charge|order|uid|user|recipient|source_user|[a-z_]*_no|[a-z_]*_id)$/;
/** Postgres text and jsonb hold neither U+0000 nor an unpaired UTF-16 surrogate. */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a parsed event cannot be stored whole as sent (DESIGN rule 2), or null. Iterative, so no depth overflows it. */
function whyUnstorable(event: PingppEvent): string | null {
  for (const [name, v] of [["id", event.id], ["type", event.type], ["data.object.id", event.data.object.id]] as const) {
    if (typeof v === "string" && v.length > MAX_KEY_LENGTH) return `${name} is longer than ${MAX_KEY_LENGTH} characters`;
  }
  // The object's own numbers and references end up in indexed columns too (order_no, transaction_no, charge, …).
  for (const [k, v] of Object.entries(event.data.object)) {
    if (INDEXED_FIELD.test(k) && typeof v === "string" && v.length > MAX_KEY_LENGTH) return `data.object.${k} is longer than ${MAX_KEY_LENGTH} characters`;
  }
  const stack: [unknown, number][] = [[event, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === "string") {
      if (UNSTORABLE_TEXT.test(v)) return "a string holds U+0000 or an unpaired surrogate";
    } else if (v && typeof v === "object") {
      if (depth > MAX_EVENT_DEPTH) return `nested deeper than ${MAX_EVENT_DEPTH} levels`;
      for (const [k, child] of Object.entries(v)) {
        if (UNSTORABLE_TEXT.test(k)) return "a key holds U+0000 or an unpaired surrogate";
        stack.push([child, depth + 1]);
      }
    }
  }
  return null;
}

/** Apply one stored event to the domain. Unknown types are kept and acknowledged. */
export async function applyEvent(tx: Tx, event: PingppEvent): Promise<HandlerResult> {
  // own keys only: a type named "constructor" or "hasOwnProperty" is unknown, not Object.prototype's
  const handler = Object.hasOwn(HANDLERS, event.type) ? HANDLERS[event.type] : undefined;
  if (!handler) return { status: "ignored", result: "no handler for this event type" };
  return handler(tx, event);
}
