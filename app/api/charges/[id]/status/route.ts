import { z } from "zod";
import { withActor } from "@/lib/auth/route";
import { ALL_ROLES } from "@/lib/auth/actor";
import { chargeStatus } from "@/lib/services/charges";

export const dynamic = "force-dynamic";

/** Polled about once a second by cashier screens until the charge reaches a final state. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!z.uuid().safeParse(id).success) return Response.json({ error: "not_found" }, { status: 404 });
  return withActor(ALL_ROLES, (actor) => chargeStatus(actor, id), { req });
}
