import { getTranslations } from "next-intl/server";

/** Shown while a console page's data loads (a server round trip per navigation): the shell stays, the page area waits. */
export default async function Loading() {
  const t = await getTranslations("app");
  return (
    <div role="status" aria-live="polite" className="space-y-4 animate-pulse">
      <span className="sr-only">{t("loading")}</span>
      <div className="h-7 w-48 rounded bg-slate-200" />
      <div className="h-4 w-72 rounded bg-slate-100" />
      <div className="space-y-2 pt-2">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="h-10 rounded bg-slate-100" />
        ))}
      </div>
      <p aria-hidden className="text-sm text-slate-500">{t("loading")}</p>
    </div>
  );
}
