import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { QRCodeSVG } from "qrcode.react";
import { can, requireCapability } from "@/lib/auth/session";
import { chargeDetail } from "@/lib/services/charges";
import { isAppError } from "@/lib/services/errors";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { StatusBadge } from "@/components/cashier/status-badge";
import { ObjectEvents } from "@/components/events/object-events";
import { RefundedAmount, RefundStateBadges } from "@/components/ui/refund-state";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("charges");

export default async function ChargeDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireCapability("charges.read");
  const { id } = await params;
  const t = await getTranslations();
  const c = await chargeDetail(actor, id).catch((e) => {
    if (isAppError(e)) notFound();
    throw e;
  });
  const when = (iso: string | null) => (iso ? formatShanghai(new Date(iso)) : "—");
  const fields: [string, React.ReactNode][] = [
    [
      t("charges.chargeId"),
      <span key="id" className="font-mono">
        {c.chargeId}
      </span>,
    ],
    [
      t("charges.orderNo"),
      <span key="no" className="font-mono">
        {c.orderNo}
      </span>,
    ],
    [t("charges.amount"), formatMoney(c.amount, c.currency)],
    [
      t("charges.refunded"),
      <RefundedAmount key="r" refund={c.refund} currency={c.currency} testId="charge-refunded" />,
    ],
    [t("charges.channel"), t(`channels.${c.channel}` as never)],
    [t("charges.terminal"), c.terminalId ?? "—"],
    [t("charges.subject"), c.subject],
    [t("charges.body"), c.body],
    [t("charges.transactionNo"), c.transactionNo ?? "—"],
    [t("charges.time"), when(c.createdAt)],
    [t("charges.timePaid"), when(c.timePaid)],
    [t("charges.timeExpire"), when(c.timeExpire)],
    [t("charges.failure"), c.failureMsg ? `${c.failureMsg} (${c.failureCode ?? ""})` : "—"],
    [t("charges.livemode"), c.livemode ? t("charges.live") : t("charges.test")],
  ];
  const qr = c.status === "pending" && c.qrPayload ? c.qrPayload : null;
  return (
    <div className="space-y-6">
      <div className="flex items-center gap-3">
        <Link href="/charges" className="text-sm text-indigo-700 hover:underline">
          ← {t("charges.back")}
        </Link>
      </div>
      <div className="flex items-center gap-4">
        <h1 className="text-2xl font-semibold">{t("charges.detail")}</h1>
        <span className="text-2xl tabular-nums">{formatMoney(c.amount, c.currency)}</span>
        <span data-testid="charge-detail-status">
          <StatusBadge status={c.status} label={t(`chargeStatus.${c.status}`)} />
        </span>
        <RefundStateBadges refund={c.refund} currency={c.currency} />
        {can(actor.role, "refunds.create") && c.status === "paid" && c.chargeId && c.amountRefunded < c.amount ? (
          <Link
            href={`/refunds/new?charge=${c.chargeId}`}
            className="ml-auto rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
          >
            {t("charges.refund")}
          </Link>
        ) : null}
      </div>
      <div className={qr ? "grid gap-6 lg:grid-cols-[1fr_300px]" : ""}>
        <dl className="grid grid-cols-[140px_1fr] gap-x-4 gap-y-2 rounded-lg bg-white p-5 text-sm shadow-sm">
          {fields.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500">{k}</dt>
              <dd className="break-all">{v}</dd>
            </div>
          ))}
        </dl>
        {qr ? (
          <div className="self-start rounded-lg bg-white p-4 text-center shadow-sm">
            <p className="mb-2 text-sm text-slate-600">{t("charges.scan")}</p>
            <QRCodeSVG value={qr} size={220} marginSize={2} className="mx-auto" />
          </div>
        ) : null}
      </div>
      <ObjectEvents objectId={c.chargeId} role={actor.role} />
      {c.raw ? (
        <details className="rounded-lg bg-white p-4 shadow-sm">
          <summary className="cursor-pointer font-semibold">{t("charges.raw")}</summary>
          <pre className="mt-3 overflow-x-auto text-xs">{JSON.stringify(c.raw, null, 2)}</pre>
        </details>
      ) : null}
    </div>
  );
}
