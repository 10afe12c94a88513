import { getActor } from "@/lib/auth/session";
import { lookupObject } from "@/lib/services/event-log";

export const dynamic = "force-dynamic";

/** /go/{Ping++ id} → the console page of that charge, refund, order, red envelope or settlement. */
export async function GET(req: Request, ctx: { params: Promise<{ objectId: string }> }) {
  const actor = await getActor().catch(() => null);
  if (!actor) return Response.redirect(new URL("/login", req.url), 303);
  const { objectId } = await ctx.params;
  const href = /^[A-Za-z0-9_]{1,64}$/.test(objectId) ? await lookupObject(objectId) : null;
  if (!href) return new Response("not found", { status: 404 });
  return Response.redirect(new URL(href, req.url), 303);
}
