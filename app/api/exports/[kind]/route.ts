import { can, getActor } from "@/lib/auth/session";
import { loadMessages } from "@/lib/i18n/request";
import { DEFAULT_LOCALE, LOCALES, type Locale } from "@/lib/i18n/locales";
import { EXPORTS, withWords } from "@/lib/services/exports";
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
  if (badDate)
    return Response.json(
      { error: "invalid_date", param: badDate },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  const { summary, ...query } = Object.fromEntries(new URL(req.url).searchParams);
  if (def.exists && !(await def.exists(query))) return new Response("not found", { status: 404 });
  if (summary === "1") {
    // the list's totals for the same filters, one row per currency: never added across currencies
    if (!def.summary) return new Response("not found", { status: 404 });
    const rows = await def.summary.rows(actor, query);
    return csvResponse(
      `${kind}-summary-${shanghaiTime(new Date()).slice(0, 10)}.csv`,
      def.summary.header,
      (async function* () {
        yield rows;
      })(),
      (cells) => cells,
    );
  }
  // the channel and status also as words, in `?lang=` (zh-CN / en) or else the person's language
  const { lang, ...filters } = query;
  const cookie = /(?:^|;\s*)locale=([^;]+)/.exec(req.headers.get("cookie") ?? "")?.[1];
  const locale: Locale = LOCALES.includes(lang as Locale)
    ? (lang as Locale)
    : LOCALES.includes(cookie as Locale)
      ? (cookie as Locale)
      : DEFAULT_LOCALE;
  const messages = await loadMessages(locale);
  const word = (ns: string, code: string) => {
    const v = (messages[ns] as Record<string, unknown> | undefined)?.[code];
    return typeof v === "string" ? v : null;
  };
  const { header, cells } = withWords(def, word);
  return csvResponse(`${kind}-${shanghaiTime(new Date()).slice(0, 10)}.csv`, header, def.rows(actor, filters), cells);
}
