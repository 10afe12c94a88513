import { seeOther } from "@/lib/http/see-other";
import { can, getActor } from "@/lib/auth/session";
import { lookupObject } from "@/lib/services/event-log";

export const dynamic = "force-dynamic";

/** /go/{Ping++ id} → the console page of that charge, refund, order, red envelope or settlement. */
export async function GET(_req: Request, ctx: { params: Promise<{ objectId: string }> }) {
  const actor = await getActor().catch(() => null);
  if (!actor) return seeOther("/login");
  if (actor.gate) return seeOther("/account"); // must first change an admin-set password / enroll in 2FA
  if (!can(actor.role, "charges.read")) return new Response("forbidden", { status: 403 });
  const { objectId } = await ctx.params;
  const href = /^[A-Za-z0-9_]{1,64}$/.test(objectId) ? await lookupObject(actor, objectId) : null;
  if (!href) return new Response("not found", { status: 404 });
  return seeOther(href);
}
