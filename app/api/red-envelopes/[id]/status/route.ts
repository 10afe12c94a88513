import { z } from "zod";
import { withActor } from "@/lib/auth/route";
import { redEnvelopeDetail } from "@/lib/services/red-envelopes";

export const dynamic = "force-dynamic";

/** Polled by the detail page every few seconds until the envelope reaches a final state. */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!z.uuid().safeParse(id).success) return Response.json({ error: "not_found" }, { status: 404 });
  return withActor("redEnvelopes.manage", () => redEnvelopeDetail(id));
}
