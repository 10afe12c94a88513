import Link from "next/link";
import { getTranslations } from "next-intl/server";

export default async function Forbidden() {
  const t = await getTranslations("app");
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="max-w-md space-y-3 rounded-xl bg-white p-8 text-center shadow">
        <h1 className="text-xl font-semibold">{t("forbiddenTitle")}</h1>
        <p className="text-slate-600">{t("forbiddenBody")}</p>
        <Link href="/" className="text-indigo-600 hover:underline">
          {t("backHome")}
        </Link>
      </div>
    </main>
  );
}
