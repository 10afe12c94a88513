import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { chargeForRefund } from "@/lib/services/refunds";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { Alert } from "@/components/ui/alert";
import { RefundForm } from "@/components/orders/refund-form";
import { RefundTable } from "@/components/orders/refund-table";
import { Facts } from "@/components/orders/list-parts";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("refunds");

/** Refund a plain QR charge: `/refunds/new?charge=ch_…` (linked from the refunds list and charge pages). */
export default async function NewChargeRefundPage({ searchParams }: { searchParams: Promise<{ charge?: string }> }) {
  const actor = await requireCapability("refunds.create");
  const t = await getTranslations();
  const chargeId = String((await searchParams).charge ?? "").trim();
  const found = /^ch_\w+$/.test(chargeId)
    ? await chargeForRefund(chargeId)
    : { charge: null, error: "refunds.errors.chargeNotFound" };
  const c = found.charge;
  return (
    <div className="space-y-5">
      <Link href="/refunds" className="text-sm text-indigo-600 hover:underline">
        ← {t("refunds.back")}
      </Link>
      <h1 className="text-2xl font-semibold">{t("refunds.forCharge", { id: chargeId })}</h1>
      {c ? (
        <Facts
          items={[
            [t("orders.amount"), formatMoney(c.amount, c.currency)],
            [t("orders.channel"), t(`channels.${c.channel}` as never)],
            [t("chargeStatus.paid"), c.timePaid ? formatShanghai(c.timePaid) : t(`chargeStatus.${c.status}`)],
            [t("orders.amountRefunded"), formatMoney(c.amountRefunded, c.currency)],
          ]}
        />
      ) : null}
      {"remainder" in found ? (
        <>
          {found.order ? (
            <Alert>
              <Link className="underline" href={`/orders/${found.order.id}`}>
                {t("refunds.errors.orderCharge")}
              </Link>
            </Alert>
          ) : (
            <RefundForm
              resetKey={found.remainder}
              charges={[{ id: chargeId, channel: found.charge.channel, remainder: found.remainder }]}
              currency={found.currency}
            />
          )}
          <RefundTable rows={found.refunds} link viewer={{ id: actor.id }} />
        </>
      ) : (
        <Alert tone="error">{t(found.error as never)}</Alert>
      )}
    </div>
  );
}
