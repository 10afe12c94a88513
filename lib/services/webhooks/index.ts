import "server-only";
import pLimit from "p-limit";
import { getDb, runSql, type Db, type DbOrTx, type Tx } from "../../db";
import type { EventStatus } from "../../db/schema";
import { env } from "../../env";
import { parseEventJson, PingppResponseError, verifyWebhookSignature, type PingppEvent } from "../../pingpp";
import { HANDLERS, type HandlerResult } from "./handlers";
import { failureReason, isDatabaseUnavailable, isUniqueViolation, whyForeign } from "./triage";

export type IngestResult =
  | { kind: "stored"; eventId: string; duplicate: boolean; status: EventStatus }
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

/** The columns of a stored event, read from the JSON as sent (whatever its shape). */
interface StoredEvent {
  id: string;
  type: string;
  objectId: string | null;
  livemode: boolean;
  /** ISO time of `created`, or null when it is not a usable Unix time (then: when received). */
  created: string | null;
  /** The body as received, as JSON text (ARCHITECTURE.md rule 2: stored whole). */
  payload: string;
}

/**
 * Webhook ingestion (ARCHITECTURE.md rule 3), lossless: verify the raw bytes → read the JSON → store every
 * correctly signed event once (its evt_ id) and, in the same transaction, apply it. A repeated
 * delivery only bumps its counter. Refused: a bad signature (401) and a body that is not JSON with
 * an event id and type, or that the database cannot hold (400). Stored and acknowledged without
 * being applied: another app's or the other mode's event (`foreign`), and one that cannot be
 * applied (`failed`, with the reason: a shape the schema does not know, a handler error), which
 * needs-attention lists and 「重新应用」 applies after an upgrade. A failed apply is rolled back
 * whole (nothing half-applied) and the event is then stored on its own. Only a database outage
 * propagates: the route answers 5xx and Ping++ retries.
 */
export async function ingestWebhook(rawBody: Uint8Array, signature: string | null): Promise<IngestResult> {
  const publicKeyPem = env().pingpp.publicKeyPem;
  if (!signature || !publicKeyPem || !verifyWebhookSignature(rawBody, signature, publicKeyPem)) {
    return { kind: "unauthorized" };
  }
  const read = readEventJson(rawBody);
  // Refused (400), not failed (5xx): Ping++ retrying an event we can never store helps nobody.
  if (typeof read === "string") return { kind: "bad_request", reason: read };
  const { json, stored } = read;
  const foreign = whyForeign(json);
  let event: PingppEvent | undefined;
  let failure: string | null = null;
  if (!foreign) {
    try {
      event = parseEventJson(json);
      failure = whyUnappliable(event);
    } catch (e) {
      if (!(e instanceof PingppResponseError)) throw e;
      failure = e.message.slice(0, 500);
    }
  }
  const db = await getDb();
  if (foreign) return slots()(() => storeUnapplied(db, stored, "foreign", foreign));
  if (failure || !event) return slots()(() => storeUnapplied(db, stored, "failed", failure ?? "not applied"));
  const attempt = () => slots()(() => db.transaction((tx) => storeAndApply(tx, stored, event)));
  try {
    // A unique violation is most likely a concurrent event inserting the same record: once more.
    return await attempt().catch((e: unknown) => (isUniqueViolation(e) ? attempt() : Promise.reject(e)));
  } catch (e) {
    if (isDatabaseUnavailable(e)) throw e;
    // The transaction rolled back whole: nothing of the apply remains. Keep the event, failed.
    const kept = await slots()(() => storeUnapplied(db, stored, "failed", failureReason(e)));
    console.error(`[webhook] ${stored.type} ${stored.id} could not be applied; kept as failed`, e);
    return kept;
  }
}

async function storeAndApply(tx: Tx, stored: StoredEvent, event: PingppEvent): Promise<IngestResult> {
  // SQL text run on the driver (runSql), not drizzle's builder, on this path alone: building these
  // statements cost more CPU than running them (bench/README.md). Same columns and semantics as the schema's.
  const row = await insertEvent(tx, stored, "ignored", null);
  if (!row?.inserted) {
    return { kind: "stored", eventId: stored.id, duplicate: true, status: row?.status ?? "ignored" };
  }
  const result = await applyEvent(tx, event);
  await runSql(tx, "update pingpp_events set status = $1, result = $2 where id = $3", [
    result.status,
    result.result,
    stored.id,
  ]);
  return { kind: "stored", eventId: stored.id, duplicate: false, status: result.status };
}

/** Store an event that is not applied (one statement); a repeat only bumps the counter. */
async function storeUnapplied(
  db: Db,
  stored: StoredEvent,
  status: "foreign" | "failed",
  reason: string,
): Promise<IngestResult> {
  const row = await insertEvent(db, stored, status, reason);
  return { kind: "stored", eventId: stored.id, duplicate: !row?.inserted, status: row?.status ?? status };
}

async function insertEvent(q: DbOrTx, e: StoredEvent, status: EventStatus, result: string | null) {
  const [row] = await runSql<{ inserted: boolean; status: EventStatus }>(
    q,
    `insert into pingpp_events (id, type, object_id, livemode, created_at, signature_verified, payload, status, result)
     values ($1, $2, $3, $4, coalesce($5::timestamptz, now()), true, $6::jsonb, $7, $8)
     on conflict (id) do update set receive_count = pingpp_events.receive_count + 1, last_received_at = now()
     returning (xmax = 0) as inserted, status`,
    [e.id, e.type, e.objectId, e.livemode, e.created, e.payload, status, result],
  );
  return row;
}

/**
 * Deeper than any Ping++ object (they nest a handful of levels); JSON.stringify overflows the stack long before 10k.
 */
export const MAX_EVENT_DEPTH = 64;
/** Ping++ ids and types are a few dozen characters; a btree index entry holds at most ~2.7 kB. */
const MAX_KEY_LENGTH = 255;
/** Fields of a Ping++ object the console keeps in indexed columns: ids, numbers, references. */
const INDEXED_FIELD = /^(id|app|channel|charge|order|uid|user|recipient|source_user|[a-z_]*_no|[a-z_]*_id)$/;
/** Postgres text and jsonb hold neither U+0000 nor an unpaired UTF-16 surrogate. */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Unix seconds up to 9999-12-31T23:59:59Z (a later one has no 4-digit-year ISO date). */
const MAX_UNIX_SECONDS = 253_402_300_799;

/** One decoder for every body (not fatal: a bad byte becomes U+FFFD, as before). */
const UTF8 = new TextDecoder("utf-8", { fatal: false });

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * The body as JSON with an event id and type, and the columns it is stored under; or why it is
 * refused: not JSON, no id or type, or something the database cannot hold as sent.
 */
function readEventJson(rawBody: Uint8Array): { json: Record<string, unknown>; stored: StoredEvent } | string {
  let json: unknown;
  try {
    json = JSON.parse(UTF8.decode(rawBody));
  } catch {
    return "event body is not valid JSON";
  }
  if (!isRecord(json)) return "event body is not a JSON object";
  const { id, type, created } = json;
  if (typeof id !== "string" || id === "") return "event has no id";
  if (typeof type !== "string" || type === "") return "event has no type";
  const object = isRecord(json.data) ? json.data.object : undefined;
  const objectId = isRecord(object) && typeof object.id === "string" ? object.id : null;
  const unstorable = whyUnstorable(json, { id, type, "data.object.id": objectId });
  if (unstorable) return unstorable;
  return {
    json,
    stored: {
      id,
      type,
      objectId,
      livemode: json.livemode === true,
      created:
        typeof created === "number" && Number.isInteger(created) && created >= 0 && created <= MAX_UNIX_SECONDS
          ? new Date(created * 1000).toISOString()
          : null,
      payload: JSON.stringify(json),
    },
  };
}

/**
 * Why a JSON body cannot be stored whole as sent (ARCHITECTURE.md rule 2), or null. Iterative, so no depth overflows
 * it.
 */
function whyUnstorable(json: unknown, keys: Record<string, string | null>): string | null {
  for (const [name, v] of Object.entries(keys)) {
    if (typeof v === "string" && v.length > MAX_KEY_LENGTH)
      return `${name} is longer than ${MAX_KEY_LENGTH} characters`;
  }
  const stack: [unknown, number][] = [[json, 1]];
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

/** Why a parsed event, stored, cannot be applied to the domain tables, or null. */
function whyUnappliable(event: PingppEvent): string | null {
  // The object's own numbers and references end up in indexed columns (order_no, transaction_no, charge, …).
  for (const [k, v] of Object.entries(event.data.object)) {
    if (INDEXED_FIELD.test(k) && typeof v === "string" && v.length > MAX_KEY_LENGTH)
      return `data.object.${k} is longer than ${MAX_KEY_LENGTH} characters`;
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
