import "server-only";
import { env } from "../../env";

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const modeName = (live: boolean) => (live ? "live" : "test");

/**
 * Why a correctly signed event is not this console's, or null: it is of the other mode (the
 * configured key's: sk_live_ → live; sk_test_ and the sandbox → test), or its object belongs to
 * another app than PINGPP_APP_ID (the sandbox's app in sandbox mode). Such an event is kept
 * (status `foreign`) and never applied: it must not book another app's or a test payment as
 * revenue. Reads the JSON as sent, so an event of another app is recognised even when its shape
 * is one the schema does not know.
 */
export function whyForeign(json: unknown): string | null {
  if (!isRecord(json)) return null;
  const { appId, mode } = env().pingpp;
  const live = mode === "live";
  if (typeof json.livemode === "boolean" && json.livemode !== live) {
    return `a ${modeName(json.livemode)}-mode event; this console runs in ${modeName(live)} mode`;
  }
  const object = isRecord(json.data) ? json.data.object : undefined;
  if (!isRecord(object)) return null;
  if (typeof object.livemode === "boolean" && object.livemode !== live) {
    return `its ${String(object.object ?? "object")} is ${modeName(object.livemode)}-mode; this console runs in ${modeName(live)} mode`;
  }
  // `app` is an id, or the app object itself when expanded
  const app =
    typeof object.app === "string"
      ? object.app
      : isRecord(object.app) && typeof object.app.id === "string"
        ? object.app.id
        : null;
  if (app !== null && app !== appId) return `for app ${app.slice(0, 64)}; this console's app is ${appId}`;
  return null;
}

/**
 * SQLSTATE classes and codes that say the database cannot serve us right now (not that this
 * event is wrong): connection exceptions (08), a transaction in a state it should not be in (25:
 * e.g. a BEGIN inside a transaction, a session ended while idle in a transaction), a rolled-back
 * transaction to retry (40: deadlock, serialization), insufficient resources (53), operator
 * intervention (57: shutdown, statement timeout), system errors (58), internal errors (XX), a
 * lock wait that timed out (55P03).
 */
const UNAVAILABLE_CLASSES = new Set(["08", "25", "40", "53", "57", "58", "XX"]);
const UNAVAILABLE_CODES = new Set(["55P03"]);
/** Codes of the drivers and of Node's sockets for a connection that failed or went away. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** The error and its causes (drizzle wraps the driver's error in `cause`), outermost first. */
function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c = e; c && out.length < 8 && !out.includes(c); c = (c as { cause?: unknown }).cause) out.push(c);
  return out;
}

/**
 * An error the database driver or Node's socket raised itself, not the server: postgres.js's own
 * codes (UNSAFE_TRANSACTION, CONNECTION_*, MAX_PARAMETERS_EXCEEDED…) and Node's (ECONNRESET,
 * ERR_STREAM_DESTROYED…) are UPPER_SNAKE_CASE, and such an error carries no `severity`, which
 * every error the server sent (postgres.js's PostgresError, PGlite's DatabaseError) has. Our own
 * refusals (AppError) have camelCase codes.
 */
function isDriverError(c: unknown): boolean {
  const { code, severity } = c as { code?: unknown; severity?: unknown };
  return typeof code === "string" && severity === undefined && /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code);
}

/**
 * The database could not serve us properly: the webhook must answer 5xx so that Ping++ retries.
 * That is an outage or a transient refusal the server states (the SQLSTATEs above), and any error
 * the driver raised itself (a connection lost, a transaction it could not open safely): it says
 * nothing about the event. Anything else that goes wrong while applying an event says the event
 * (or a handler) is wrong: a value the database refuses (22 data, 23 integrity), a bug in a
 * handler (a TypeError, SQL the server rejects), a domain refusal. Such an event is kept as a
 * failed event instead, for 「重新应用」 after a fix.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  return chain(e).some((c) => {
    const code = (c as { code?: unknown })?.code;
    if (typeof code !== "string") return false;
    if (CONNECTION_CODES.has(code) || UNAVAILABLE_CODES.has(code) || isDriverError(c)) return true;
    return /^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_CLASSES.has(code.slice(0, 2));
  });
}

/** A unique constraint refused a row (23505): on a first insert, usually a concurrent one of the same record. */
export function isUniqueViolation(e: unknown): boolean {
  return chain(e).some((c) => (c as { code?: unknown })?.code === "23505");
}

/** Why applying failed, for the event log (finance reads it; never sent to Ping++). */
export function failureReason(e: unknown): string {
  const root = chain(e).at(-1);
  const code = (root as { code?: unknown })?.code;
  const message = root instanceof Error ? root.message : String(root);
  return `could not be applied: ${typeof code === "string" ? `[${code}] ` : ""}${message}`.slice(0, 500);
}
