import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { SettlementForm } from "../_components/settlement-form";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("settlements");

export default async function NewSettlementPage() {
  await requireCapability("settlements.manage");
  const t = await getTranslations("settlements");
  return (
    <div className="max-w-4xl space-y-4">
      <Link href="/settlements" className="text-sm text-indigo-600 hover:underline">
        ← {t("back")}
      </Link>
      <h1 className="text-2xl font-semibold">{t("new")}</h1>
      <SettlementForm defaultPayerApp={env().pingpp.appId} />
    </div>
  );
}
