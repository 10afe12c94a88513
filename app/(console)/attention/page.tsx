import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { listAttention } from "@/lib/services/attention";
import { AttentionTable } from "./_components/attention-table";

export default async function AttentionPage() {
  await requireCapability("attention.manage");
  const t = await getTranslations("attention");
  const items = await listAttention();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="text-sm text-slate-600">{t("intro")}</p>
      {items.length === 0 ? <p className="rounded-lg bg-white p-6 text-center text-slate-500 shadow-sm">{t("empty")}</p> : <AttentionTable items={items} />}
    </div>
  );
}
