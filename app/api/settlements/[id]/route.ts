import { z } from "zod";
import { withActor } from "@/lib/auth/route";
import { getSettlement } from "@/lib/services/settlements";

export const dynamic = "force-dynamic";

/** Polled every few seconds by the detail page while a settlement is being settled. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!z.uuid().safeParse(id).success) return Response.json({ error: "not_found" }, { status: 404 });
  return withActor("settlements.manage", () => getSettlement(id), { req });
}
