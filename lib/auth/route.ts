import "server-only";
import crypto from "node:crypto";
import { getActor } from "./actor";
import { isAppError } from "../services/errors";
import { wakeHub } from "../db";
import { can, type Capability } from "./policy";
import type { Actor } from "../services/actor";

/** The longest a long poll is held (ARCHITECTURE.md rule 5: ~25 s, under every proxy's idle timeout). */
export const MAX_WAIT_SECONDS = 25;
/** How long a poll is held when notifications are not arriving, or its answer soon changes by time alone. */
export const SHORT_WAIT_MS = 1_000;

/** A polled route that can hold its answer until it changes (`?wait=N`, lib/db/wakeups.ts). */
export interface LongPoll<T> {
  /** What wakes it: chargeKey(id) / terminalKey(terminal). */
  keys: readonly string[];
  /**
   * How long this answer may be held at most, when it changes with no write to wake it (a QR
   * passing its expiry); never less than SHORT_WAIT_MS. Undefined: up to the wait asked for.
   */
  holdAtMost?: (value: T) => number | undefined;
}

/**
 * For route handlers: session + capability (lib/auth/policy.ts) checked on the server, JSON out, no exception text
 * leaks.
 * Given the Request, the session is read from it (see getActor).
 * 401 no session · 403 wrong role · 404 AppError (not found / not yours) · 503 anything else.
 *
 * With `longPoll` and `?wait=N` (1–25 s; larger is taken as 25): answers at once when the ETag
 * differs from the client's If-None-Match, else holds the request until a change of one of its
 * keys is notified (then reads again and answers it), 304 at the end of the wait, or when the
 * client goes away. No database connection is held while it waits. Without `wait`: as before.
 */
export async function withActor<T>(
  capability: Capability,
  fn: (actor: Actor) => Promise<T>,
  opts: { req?: Request; longPoll?: LongPoll<T> } = {},
): Promise<Response> {
  const headers = { "cache-control": "no-store" };
  try {
    const { req, longPoll } = opts;
    const actor = await getActor(req);
    if (!actor) return Response.json({ error: "unauthenticated" }, { status: 401, headers });
    if (!can(actor.role, capability)) return Response.json({ error: "forbidden" }, { status: 403, headers });
    // must first change an admin-set password / enroll in 2FA (services/accounts.ts gateFor)
    if (actor.gate) return Response.json({ error: "account_setup_required" }, { status: 403, headers });
    const waitSeconds = req && longPoll ? waitOf(req) : 0;
    if (waitSeconds === null) return Response.json({ error: "invalid_wait" }, { status: 400, headers });
    if (!req)
      return new Response(JSON.stringify(await fn(actor)), {
        headers: { ...headers, "content-type": "application/json" },
      });
    if (waitSeconds > 0 && longPoll) return await held(req, capability, actor, fn, longPoll, waitSeconds);
    const { body, etag } = tagged(await fn(actor));
    return req.headers.get("if-none-match") === etag ? notModified(etag) : fresh(body, etag);
  } catch (e) {
    if (isAppError(e)) return Response.json({ error: e.code }, { status: 404, headers });
    console.error("[route] failed", e);
    return Response.json({ error: "unavailable" }, { status: 503, headers });
  }
}

/** `?wait=`: absent → 0; whole seconds, capped at MAX_WAIT_SECONDS; anything else → null (400). */
function waitOf(req: Request): number | null {
  const raw = new URL(req.url).searchParams.get("wait");
  if (raw === null) return 0;
  if (!/^\d{1,6}$/.test(raw)) return null;
  return Math.min(Number(raw), MAX_WAIT_SECONDS);
}

async function held<T>(
  req: Request,
  capability: Capability,
  actor: Actor,
  fn: (actor: Actor) => Promise<T>,
  lp: LongPoll<T>,
  waitSeconds: number,
): Promise<Response> {
  const deadline = Date.now() + waitSeconds * 1000;
  const known = req.headers.get("if-none-match");
  const hub = await wakeHub();
  const refused = (error: string, status: number) =>
    Response.json({ error }, { status, headers: { "cache-control": "no-store" } });
  for (let woken = false; ; woken = true) {
    // Subscribe first, then read: a change committed after this read wakes the wait below.
    const waiter = hub.subscribe(lp.keys);
    try {
      let value: T;
      if (!woken) value = await fn(actor);
      else {
        // Woken: the session and role are checked again, alongside the new read (one round trip
        // less); an account disabled or changed meanwhile gets nothing of what was read.
        const [checked, read] = await Promise.allSettled([getActor(req), fn(actor)]);
        if (checked.status === "rejected") throw checked.reason;
        const again = checked.value;
        if (!again) return refused("unauthenticated", 401);
        if (!can(again.role, capability)) return refused("forbidden", 403);
        const same = again.id === actor.id && again.role === actor.role && again.terminalId === actor.terminalId;
        actor = again;
        if (!same) value = await fn(actor);
        else if (read.status === "rejected") throw read.reason;
        else value = read.value;
      }
      const { body, etag } = tagged(value);
      if (etag !== known) return fresh(body, etag);
      const cap = lp.holdAtMost?.(value);
      const hold = Math.min(
        deadline - Date.now(),
        hub.up ? Infinity : SHORT_WAIT_MS,
        cap === undefined ? Infinity : Math.max(cap, SHORT_WAIT_MS),
      );
      if (hold <= 0 || (await waiter.wait(hold, req.signal)) !== "woken") return notModified(etag);
    } finally {
      waiter.cancel();
    }
  }
}

/** Polled endpoints: an unchanged answer costs a 304 with no body. Private: per-user data. */
function tagged(value: unknown) {
  const body = JSON.stringify(value);
  return { body, etag: etagOf(body) };
}

/**
 * The ETag a polled route gives this JSON body. A page that renders the same value on the server
 * (the customer display, lib/html/customer-display.ts) hands it to its script, whose first poll
 * is then already a long poll rather than a fetch of what the page shows.
 */
export function etagOf(body: string): string {
  return `"${crypto.createHash("sha1").update(body).digest("base64url")}"`;
}
const cacheHeaders = (etag: string) => ({ "cache-control": "private, no-cache", etag, vary: "cookie" });
const fresh = (body: string, etag: string) =>
  new Response(body, { headers: { ...cacheHeaders(etag), "content-type": "application/json" } });
const notModified = (etag: string) => new Response(null, { status: 304, headers: cacheHeaders(etag) });
