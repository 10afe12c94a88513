import { getTranslations } from "next-intl/server";

/** "Export CSV" of exactly what a list's current filters select (GET /api/exports/{kind}). */
export async function ExportLink({ kind, filters }: { kind: string; filters: Record<string, string | number | undefined | null> }) {
  const t = await getTranslations("common");
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== null && v !== "" && k !== "page" && k !== "cursor") q.set(k, String(v));
  return (
    <a href={`/api/exports/${kind}?${q}`} download className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50">
      {t("exportCsv")}
    </a>
  );
}
