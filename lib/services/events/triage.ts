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
  const app = typeof object.app === "string" ? object.app : isRecord(object.app) && typeof object.app.id === "string" ? object.app.id : null;
  if (app !== null && app !== appId) return `for app ${app.slice(0, 64)}; this console's app is ${appId}`;
  return null;
}

/**
 * SQLSTATE classes and codes that say the database cannot serve us right now (not that this
 * event is wrong): connection exceptions (08), a rolled-back transaction to retry (40: deadlock,
 * serialization), insufficient resources (53), operator intervention (57: shutdown, statement
 * timeout), system errors (58), a lock wait that timed out (55P03), a session ended while idle
 * in a transaction (25P03).
 */
const UNAVAILABLE_CLASSES = new Set(["08", "40", "53", "57", "58"]);
const UNAVAILABLE_CODES = new Set(["55P03", "25P03"]);
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
 * A database outage or a transient refusal: the webhook must answer 5xx so that Ping++ retries.
 * Anything else that goes wrong while applying an event (a value the database refuses, a bug in
 * a handler) is kept as a failed event instead, for 「重新应用」 after a fix.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  return chain(e).some((c) => {
    const code = (c as { code?: unknown })?.code;
    if (typeof code !== "string") return false;
    if (CONNECTION_CODES.has(code) || UNAVAILABLE_CODES.has(code)) return true;
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
