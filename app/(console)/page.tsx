import { getTranslations } from "next-intl/server";
import { requireRole, ALL_ROLES } from "@/lib/auth/session";

export default async function OverviewPage() {
  const actor = await requireRole(ALL_ROLES);
  const t = await getTranslations("overview");
  const tr = await getTranslations("roles");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <div className="rounded-lg bg-white p-5 shadow-sm">
        <p className="text-lg">{t("welcome", { name: actor.name })}</p>
        <p className="text-slate-600">{t("role", { role: tr(actor.role) })}</p>
        <p className="text-slate-600">{actor.terminalId ? t("terminal", { terminal: actor.terminalId }) : t("noTerminal")}</p>
      </div>
    </div>
  );
}
