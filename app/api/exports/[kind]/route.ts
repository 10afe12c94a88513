import { getActor, FINANCE_ROLES } from "@/lib/auth/session";
import { EXPORTS } from "@/lib/export/exports";
import { csvResponse, shanghaiTime } from "@/lib/export/csv";

export const dynamic = "force-dynamic";

/**
 * GET /api/exports/{charges|orders|refunds|red-envelopes|settlements}?<the list's filters>:
 * a streamed CSV of exactly what that list selects. Finance/admin only (DESIGN §7).
 */
export async function GET(req: Request, ctx: { params: Promise<{ kind: string }> }) {
  const { kind } = await ctx.params;
  const def = Object.hasOwn(EXPORTS, kind) ? EXPORTS[kind] : undefined;
  if (!def) return new Response("not found", { status: 404 });
  const actor = await getActor().catch(() => null);
  if (!actor) return new Response("unauthenticated", { status: 401 });
  if (!FINANCE_ROLES.includes(actor.role)) return new Response("forbidden", { status: 403 });
  const query = Object.fromEntries(new URL(req.url).searchParams);
  return csvResponse(`${kind}-${shanghaiTime(new Date()).slice(0, 10)}.csv`, def.header, def.rows(actor, query), (cells) => cells);
}
