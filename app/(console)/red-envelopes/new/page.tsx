import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { SendForm } from "../_components/send-form";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("redEnvelopes");

export default async function SendRedEnvelopePage() {
  await requireCapability("redEnvelopes.manage");
  const t = await getTranslations("redEnvelopes");
  return (
    <div className="space-y-4">
      <Link href="/red-envelopes" className="text-sm text-indigo-700">
        {t("back")}
      </Link>
      <h1 className="text-2xl font-semibold">{t("send")}</h1>
      <SendForm />
    </div>
  );
}
