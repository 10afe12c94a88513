import "server-only";
import crypto from "node:crypto";
import { getActor } from "./actor";
import { isAppError } from "../services/errors";
import type { Actor } from "../services/actor";
import type { StaffRole } from "../db/schema";

/**
 * For route handlers: session + role checked on the server, JSON out, no exception text leaks.
 * Given the Request, the session is read from it (see getActor).
 * 401 no session · 403 wrong role · 404 AppError (not found / not yours) · 503 anything else.
 */
export async function withActor(
  roles: readonly StaffRole[],
  fn: (actor: Actor) => Promise<unknown>,
  opts: { req?: Request } = {},
): Promise<Response> {
  const headers = { "cache-control": "no-store" };
  try {
    const actor = await getActor(opts.req);
    if (!actor) return Response.json({ error: "unauthenticated" }, { status: 401, headers });
    if (!roles.includes(actor.role)) return Response.json({ error: "forbidden" }, { status: 403, headers });
    const body = JSON.stringify(await fn(actor));
    if (opts.req) {
      // Polled endpoints: an unchanged answer costs a 304 with no body. Private: per-user data.
      const etag = `"${crypto.createHash("sha1").update(body).digest("base64url")}"`;
      const cache = { "cache-control": "private, no-cache", etag, vary: "cookie" };
      if (opts.req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers: cache });
      return new Response(body, { headers: { ...cache, "content-type": "application/json" } });
    }
    return new Response(body, { headers: { ...headers, "content-type": "application/json" } });
  } catch (e) {
    if (isAppError(e)) return Response.json({ error: e.code }, { status: 404, headers });
    console.error("[route] failed", e);
    return Response.json({ error: "unavailable" }, { status: 503, headers });
  }
}
