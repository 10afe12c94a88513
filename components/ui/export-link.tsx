import { getTranslations } from "next-intl/server";

/** "Export CSV" of exactly what a list's current filters select (GET /api/exports/{kind}). */
export async function ExportLink({
  kind,
  filters,
  summary = false,
}: {
  kind: string;
  filters: Record<string, string | number | undefined | null>;
  summary?: boolean;
}) {
  const t = await getTranslations("common");
  const tm = await getTranslations("money");
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters))
    if (v !== undefined && v !== null && v !== "" && k !== "page" && k !== "cursor" && k !== "before")
      q.set(k, String(v));
  const link = (
    <a
      href={`/api/exports/${kind}?${q}`}
      download
      className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50"
    >
      {t("exportCsv")}
    </a>
  );
  if (!summary) return link;
  // the list's totals for the same filters, one row per currency
  const withSummary = new URLSearchParams(q);
  withSummary.set("summary", "1");
  return (
    <span className="flex gap-2">
      {link}
      <a
        href={`/api/exports/${kind}?${withSummary}`}
        download
        className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50"
      >
        {tm("exportSummary")}
      </a>
    </span>
  );
}
