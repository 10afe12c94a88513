import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { getRefund } from "@/lib/services/refunds";
import { isAppError } from "@/lib/services/errors";
import { refreshRefundAction } from "@/lib/actions/refunds";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { Alert } from "@/components/ui/alert";
import { ActionButton } from "@/components/orders/action-button";
import { AutoRefresh } from "@/components/orders/auto-refresh";
import { Facts, RawObject, StatusBadge } from "@/components/orders/list-parts";
import { ObjectEvents } from "@/components/events/object-events";
import { RefundApproval } from "@/components/orders/refund-approval";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("refunds");

export default async function RefundPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireCapability("refunds.read");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const t = await getTranslations();
  const { row, order } = await getRefund(id).catch((e) => {
    if (isAppError(e)) notFound();
    throw e;
  });
  return (
    <div className="space-y-5">
      <AutoRefresh active={row.status === "pending"} />
      <Link href="/refunds" className="text-sm text-indigo-600 hover:underline">
        ← {t("refunds.back")}
      </Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{t("refunds.detail")}</h1>
        <span className="font-mono text-sm">{row.pingppId}</span>
        <StatusBadge status={row.status}>{t(`refundStatus.${row.status}`)}</StatusBadge>
      </div>
      {row.failureMsg ? <Alert tone="error">{row.failureMsg}</Alert> : null}
      {row.status === "awaiting_approval" ? (
        <RefundApproval id={row.id} amount={formatMoney(row.amount, row.currency)} mine={row.createdBy === actor.id} />
      ) : null}
      {row.status === "pending" ? (
        <ActionButton
          action={refreshRefundAction}
          input={{ id: row.id }}
          label={t("refunds.refresh")}
          busyLabel={t("orders.syncing")}
          done="orders.refreshed"
          testId="refresh-refund"
        />
      ) : null}
      <Facts
        items={[
          [t("refunds.amount"), formatMoney(row.amount, row.currency)],
          [t("refunds.reason"), row.description],
          [t("refunds.kind"), t(`refunds.kinds.${row.orderId ? "order" : "charge"}`)],
          [
            t("refunds.order"),
            order ? (
              <Link key="o" className="text-indigo-600 hover:underline" href={`/orders/${order.id}`}>
                {order.pingppId}
              </Link>
            ) : null,
          ],
          [t("refunds.charge"), row.chargeId],
          [t("refunds.refundMode"), row.refundMode ? t(`refunds.refundModes.${row.refundMode}` as never) : null],
          [
            t("refunds.fundingSource"),
            row.fundingSource ? t(`refunds.fundingSources.${row.fundingSource}` as never) : null,
          ],
          [t("refunds.created"), formatShanghai(row.createdAt)],
          [t("refunds.timeSucceed"), row.timeSucceed ? formatShanghai(row.timeSucceed) : null],
        ]}
      />
      <ObjectEvents objectId={row.pingppId} role={actor.role} />
      <RawObject label={t("refunds.raw")} value={row.raw} />
    </div>
  );
}
