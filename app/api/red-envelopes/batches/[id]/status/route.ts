import { z } from "zod";
import { withActor } from "@/lib/auth/route";
import { batchProgress } from "@/lib/services/red-envelope-batches";

export const dynamic = "force-dynamic";

/**
 * Polled by the batch page while it sends: a read (a batch whose worker died is resumed by the scheduler, lib/jobs).
 */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!z.uuid().safeParse(id).success) return Response.json({ error: "not_found" }, { status: 404 });
  return withActor("redEnvelopes.manage", () => batchProgress(id));
}
