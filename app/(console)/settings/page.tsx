import { headers } from "next/headers";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { settingsView } from "@/lib/services/settings";
import { WebhookCheck } from "./_components/webhook-check";
import { RefundApprovalForm } from "./_components/refund-approval-form";
import { getRefundApproval } from "@/lib/services/refund-approval";
import { fenToDecimal } from "@/lib/money";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("settings");

export default async function SettingsPage() {
  await requireCapability("settings.manage");
  const t = await getTranslations("settings");
  const h = await headers();
  const proto = h.get("x-forwarded-proto") ?? "http";
  const s = settingsView(`${proto}://${h.get("x-forwarded-host") ?? h.get("host") ?? "localhost"}`);
  const approval = await getRefundApproval();
  const yuan = (fen: number | null) => (fen === null ? "" : fenToDecimal(fen));
  const rows: [string, React.ReactNode][] = [
    [t("mode"), t(`modes.${s.mode}`)],
    [t("appId"), <code key="a">{s.appId}</code>],
    [t("apiKey"), <code key="k">{s.maskedKey}</code>],
    [t("apiBase"), <code key="b">{s.apiBase}</code>],
    [
      t("webhookUrl"),
      <code key="w" data-testid="webhook-url">
        {s.webhookUrl}
      </code>,
    ],
    [
      t("fingerprint"),
      s.publicKeyFingerprint ? (
        <code key="f" className="break-all text-xs">
          {s.publicKeyFingerprint}
        </code>
      ) : (
        t("noKey")
      ),
    ],
    [t("signing"), s.requestSigning ? t("signingOn") : t("signingOff")],
  ];
  return (
    <div className="max-w-3xl space-y-6">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <dl className="grid grid-cols-[180px_1fr] gap-x-4 gap-y-3 rounded-lg bg-white p-5 text-sm shadow-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <p className="text-sm text-slate-600">{t("webhookHelp")}</p>
      <WebhookCheck sandbox={s.mode === "sandbox"} />
      <RefundApprovalForm threshold={yuan(approval.threshold)} dayLimit={yuan(approval.dayLimit)} />
    </div>
  );
}
