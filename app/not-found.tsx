import Link from "next/link";
import { getTranslations } from "next-intl/server";

/** Any unknown address or id (notFound()): localized, answered with HTTP 404. */
export default async function NotFound() {
  const t = await getTranslations("finding.notFound");
  return (
    <main className="flex min-h-[60vh] items-center justify-center p-4" data-testid="not-found">
      <div className="max-w-md space-y-3 rounded-xl bg-white p-8 text-center shadow">
        <p className="text-4xl font-semibold text-slate-300">404</p>
        <h1 className="text-xl font-semibold">{t("title")}</h1>
        <p className="text-slate-600">{t("body")}</p>
        <Link href="/" className="text-indigo-600 hover:underline">
          {t("back")}
        </Link>
      </div>
    </main>
  );
}
