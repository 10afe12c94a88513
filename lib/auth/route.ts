import "server-only";
import { getActor } from "./session";
import { isAppError } from "../services/errors";
import type { Actor } from "../services/actor";
import type { StaffRole } from "../db/schema";

/**
 * For route handlers: session + role checked on the server, JSON out, no exception text leaks.
 * 401 no session · 403 wrong role · 404 AppError (not found / not yours) · 503 anything else.
 */
export async function withActor(roles: readonly StaffRole[], fn: (actor: Actor) => Promise<unknown>): Promise<Response> {
  const headers = { "cache-control": "no-store" };
  try {
    const actor = await getActor();
    if (!actor) return Response.json({ error: "unauthenticated" }, { status: 401, headers });
    if (!roles.includes(actor.role)) return Response.json({ error: "forbidden" }, { status: 403, headers });
    return Response.json(await fn(actor), { headers });
  } catch (e) {
    if (isAppError(e)) return Response.json({ error: e.code }, { status: 404, headers });
    console.error("[route] failed", e);
    return Response.json({ error: "unavailable" }, { status: 503, headers });
  }
}
