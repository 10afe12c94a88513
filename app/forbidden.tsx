import Link from "next/link";
import { getTranslations } from "next-intl/server";

/** forbidden() (lib/auth/session.ts: a role without the capability): localized, with HTTP 403. */
export default async function Forbidden() {
  const t = await getTranslations("app");
  return (
    <main className="flex min-h-[60vh] items-center justify-center p-4" data-testid="forbidden">
      <div className="max-w-md space-y-3 rounded-xl bg-white p-8 text-center shadow">
        <p className="text-4xl font-semibold text-slate-300">403</p>
        <h1 className="text-xl font-semibold">{t("forbiddenTitle")}</h1>
        <p className="text-slate-600">{t("forbiddenBody")}</p>
        <Link href="/" className="text-indigo-600 hover:underline">
          {t("backHome")}
        </Link>
      </div>
    </main>
  );
}
