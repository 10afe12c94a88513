import Link from "next/link";
import { ExportLink } from "@/components/ui/export-link";
import { getTranslations } from "next-intl/server";
import { can, requireCapability } from "@/lib/auth/session";
import { listOrders } from "@/lib/services/orders";
import { syncOrdersAction } from "@/lib/actions/orders";
import { orderFilterSchema } from "@/lib/validations/orders";
import { parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { inputClass } from "@/components/ui/field";
import { ActionButton } from "@/components/orders/action-button";
import { StatusBadge } from "@/components/orders/list-parts";
import { RefundedAmount } from "@/components/ui/refund-state";
import { DayRangeFilter, FilterField, FilterForm, ListTable, Pager, SelectFilter } from "@/components/ui/list";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("orders");

export default async function OrdersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requireCapability("orders.read");
  const t = await getTranslations();
  const { f, dateError } = parseFilters(orderFilterSchema, await searchParams);
  const { items, totals, page, pages } = await listOrders(actor, f);
  const attention = (await listOrders(actor, { attention: "1" })).totals.attention;
  const yesNo = [
    { value: "yes", label: t("orders.yes") },
    { value: "no", label: t("orders.no") },
  ];
  return (
    <div className="space-y-4">
      <div className="flex items-start justify-between gap-4">
        <h1 className="text-2xl font-semibold">{f.attention ? t("orders.attentionTitle") : t("orders.title")}</h1>
        {can(actor.role, "exports.download") ? <ExportLink kind="orders" filters={f} summary /> : null}
        {can(actor.role, "orders.manage") ? (
          <ActionButton
            action={syncOrdersAction}
            input={{}}
            label={t("orders.sync")}
            busyLabel={t("orders.syncing")}
            done="orders.synced"
            testId="sync-orders"
          />
        ) : null}
      </div>
      <nav className="flex gap-4 border-b border-slate-200 text-sm">
        <Link
          href="/orders"
          className={`pb-2 ${f.attention ? "text-slate-500" : "border-b-2 border-indigo-600 font-medium"}`}
        >
          {t("orders.all")}
        </Link>
        <Link
          href="/orders?attention=1"
          data-testid="attention-tab"
          className={`pb-2 ${f.attention ? "border-b-2 border-indigo-600 font-medium" : attention ? "text-rose-700" : "text-slate-500"}`}
        >
          {t("orders.attentionTab", { count: attention })}
        </Link>
      </nav>
      <FilterForm
        resetHref={f.attention ? "/orders?attention=1" : "/orders"}
        labels={{ filter: t("orders.filter"), reset: t("orders.reset") }}
        className="md:grid-cols-8"
      >
        {f.attention ? <input type="hidden" name="attention" value="1" /> : null}
        <FilterField label={t("orders.search")}>
          <input name="q" defaultValue={f.q} placeholder={t("orders.searchHint")} className={inputClass} />
        </FilterField>
        <SelectFilter
          name="status"
          label={t("orders.status")}
          value={f.status}
          any={t("orders.any")}
          options={(["created", "paid", "partially_refunded", "refunded", "canceled"] as const).map((s) => ({
            value: s,
            label: t(`orderStatus.${s}`),
          }))}
        />
        {(["paid", "refunded", "canceled"] as const).map((name) => (
          <SelectFilter
            key={name}
            name={name}
            label={t(`orders.${name}`)}
            value={f[name]}
            any={t("orders.any")}
            options={yesNo}
          />
        ))}
        <DayRangeFilter from={f.from} to={f.to} labels={{ from: t("orders.from"), to: t("orders.to") }} />
      </FilterForm>
      <DateFilterError show={dateError} />
      <div className="text-sm text-slate-500" data-testid="orders-totals">
        {/* one line per currency, yuan first: never added across currencies */}
        {totals.byCurrency.map((c) => (
          <p key={c.currency} data-testid={`orders-totals-${c.currency}`}>
            {t("money.orderTotals", {
              count: c.count,
              amount: formatMoney(c.amount, c.currency),
              paid: formatMoney(c.paid, c.currency),
              refunded: formatMoney(c.refunded, c.currency),
            })}
            {c.pendingRefund ? t("money.pendingSuffix", { amount: formatMoney(c.pendingRefund, c.currency) }) : null}
          </p>
        ))}
      </div>
      <ListTable
        testId="orders-table"
        empty={items.length === 0 ? t("orders.empty") : null}
        head={[
          { label: t("orders.created") },
          { label: t("orders.id") },
          { label: t("orders.merchantOrderNo") },
          { label: t("orders.actualAmount"), right: true },
          { label: t("orders.amountPaid"), right: true },
          { label: t("orders.amountRefunded"), right: true },
          { label: t("orders.status") },
          { label: t("orders.terminal") },
          {},
        ]}
      >
        {items.map(({ row, anomaly, refund, shownStatus }) => (
          <tr key={row.id} className="border-t border-slate-100" data-testid={`order-row-${row.pingppId}`}>
            <td className="whitespace-nowrap px-3 py-2">{formatShanghai(row.createdAt)}</td>
            <td className="px-3 py-2 font-mono text-xs">
              <Link className="text-indigo-600 hover:underline" href={`/orders/${row.id}`}>
                {row.pingppId}
              </Link>
            </td>
            <td className="px-3 py-2 font-mono text-xs">{row.merchantOrderNo}</td>
            <td className="px-3 py-2 text-right tabular-nums">{formatMoney(row.actualAmount, row.currency)}</td>
            <td className="px-3 py-2 text-right tabular-nums">{formatMoney(row.amountPaid, row.currency)}</td>
            <td className="px-3 py-2 text-right tabular-nums">
              <RefundedAmount refund={refund} currency={row.currency} />
            </td>
            <td className="px-3 py-2">
              <StatusBadge status={shownStatus}>{t(`orderStatus.${shownStatus}`)}</StatusBadge>
            </td>
            <td className="px-3 py-2">{row.terminalId}</td>
            <td className="px-3 py-2">
              {anomaly ? (
                <span
                  data-testid="order-anomaly"
                  className="whitespace-nowrap rounded bg-rose-100 px-2 py-0.5 text-xs font-medium text-rose-800"
                >
                  {t(`orders.anomaly.${anomaly.kind}`)} · {formatMoney(anomaly.excess, row.currency)}
                </span>
              ) : null}
            </td>
          </tr>
        ))}
      </ListTable>
      <Pager page={page} pages={pages} filters={f} labels={{ prev: t("orders.prev"), next: t("orders.next") }} />
    </div>
  );
}
