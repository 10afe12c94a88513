import { withActor } from "@/lib/auth/route";
import { ALL_ROLES } from "@/lib/auth/session";
import { activeChargeForTerminal } from "@/lib/services/charges";

export const dynamic = "force-dynamic";

/** The customer display's poll: the live charge on this terminal, or null (idle). */
export async function GET(req: Request, ctx: { params: Promise<{ terminal: string }> }) {
  const { terminal } = await ctx.params;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(terminal)) return Response.json({ error: "not_found" }, { status: 404 });
  return withActor(ALL_ROLES, async (actor) => ({ charge: await activeChargeForTerminal(actor, terminal) }), { req });
}
