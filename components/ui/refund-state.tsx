import { getTranslations } from "next-intl/server";
import type { RefundState } from "@/lib/refund-state";
import { formatMoney } from "@/lib/money";

/**
 * How refunded an order or a charge is, as every page shows it (lib/refund-state): 部分退款 or
 * 已退款 by the refunds that succeeded, and 「退款中 ¥10.00」 for those still on their way.
 * Nothing when nothing was refunded or is being refunded. Server component.
 */
export async function RefundStateBadges({
  refund,
  currency,
  testId = "refund-state",
  pendingOnly = false,
}: {
  refund: RefundState;
  currency: string;
  testId?: string;
  pendingOnly?: boolean;
}) {
  const t = await getTranslations("money.refund");
  if ((pendingOnly || refund.level === "none") && refund.pending === 0) return null;
  return (
    <span className="inline-flex flex-wrap gap-1" data-testid={testId} data-level={refund.level}>
      {refund.level !== "none" && !pendingOnly ? (
        <span className="inline-block whitespace-nowrap rounded bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-800">
          {t(refund.level)}
        </span>
      ) : null}
      {refund.pending > 0 ? (
        <span
          className="inline-block whitespace-nowrap rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800"
          data-testid={`${testId}-pending`}
        >
          {t("pending", { amount: formatMoney(refund.pending, currency) })}
        </span>
      ) : null}
    </span>
  );
}

/** What went back, then (apart) what is on its way: "¥5.00" and "退款中 ¥10.00". */
export async function RefundedAmount({
  refund,
  currency,
  testId,
}: {
  refund: RefundState;
  currency: string;
  testId?: string;
}) {
  const t = await getTranslations("money.refund");
  return (
    <span data-testid={testId}>
      <span data-testid={testId ? `${testId}-succeeded` : undefined}>{formatMoney(refund.succeeded, currency)}</span>
      {refund.pending > 0 ? (
        <span className="block text-xs text-amber-700" data-testid={testId ? `${testId}-pending` : undefined}>
          {t("pending", { amount: formatMoney(refund.pending, currency) })}
        </span>
      ) : null}
    </span>
  );
}
