import { can, getActor } from "@/lib/auth/session";
import { EXPORTS } from "@/lib/services/exports";
import { csvResponse, shanghaiTime } from "@/lib/csv/write";
import { invalidDateParam } from "@/lib/validations/dates";

export const dynamic = "force-dynamic";

/**
 * GET /api/exports/{charges|orders|refunds|red-envelopes|settlements}?<the list's filters>:
 * a streamed CSV of exactly what that list selects; with `summary=1` (charges, orders, refunds) the
 * list's totals for those filters, one row per currency. Capability "exports.download" (lib/auth/policy.ts).
 */
export async function GET(req: Request, ctx: { params: Promise<{ kind: string }> }) {
  const { kind } = await ctx.params;
  const def = Object.hasOwn(EXPORTS, kind) ? EXPORTS[kind] : undefined;
  if (!def) return new Response("not found", { status: 404 });
  const actor = await getActor().catch(() => null);
  if (!actor) return new Response("unauthenticated", { status: 401 });
  if (!can(actor.role, "exports.download")) return new Response("forbidden", { status: 403 });
  // checked before the stream starts: an impossible date is a 400, never a failed or hung download
  const badDate = invalidDateParam(Object.fromEntries(new URL(req.url).searchParams));
  if (badDate) return Response.json({ error: "invalid_date", param: badDate }, { status: 400, headers: { "cache-control": "no-store" } });
  const { summary, ...query } = Object.fromEntries(new URL(req.url).searchParams);
  if (summary === "1") {
    // the list's totals for the same filters, one row per currency: never added across currencies
    if (!def.summary) return new Response("not found", { status: 404 });
    const rows = await def.summary.rows(actor, query);
    return csvResponse(`${kind}-summary-${shanghaiTime(new Date()).slice(0, 10)}.csv`, def.summary.header, (async function* () { yield rows; })(), (cells) => cells);
  }
  return csvResponse(`${kind}-${shanghaiTime(new Date()).slice(0, 10)}.csv`, def.header, def.rows(actor, query), (cells) => cells);
}
