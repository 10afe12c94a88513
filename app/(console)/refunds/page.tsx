import Link from "next/link";
import { ExportLink } from "@/components/ui/export-link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { listRefunds } from "@/lib/services/refunds";
import { refundFilterSchema } from "@/lib/validations/refunds";
import { parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { inputClass } from "@/components/ui/field";
import { StatusBadge } from "@/components/orders/list-parts";
import { DayRangeFilter, FilterField, FilterForm, ListTable, Pager, SelectFilter } from "@/components/ui/list";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("refunds");

export default async function RefundsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireCapability("refunds.read");
  const t = await getTranslations();
  const { f, dateError } = parseFilters(refundFilterSchema, await searchParams);
  const { rows, totals, page, pages } = await listRefunds(f);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-semibold">{t("refunds.title")}</h1>
        <ExportLink kind="refunds" filters={f} summary />
        <form action="/refunds/new" method="get" className="flex items-end gap-2">
          <label className="text-sm">
            {t("refunds.lookup")}
            <input
              name="charge"
              required
              pattern="ch_\w+"
              placeholder={t("refunds.lookupHint")}
              className={inputClass}
            />
          </label>
          <button className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">{t("refunds.go")}</button>
        </form>
      </div>
      <FilterForm
        resetHref="/refunds"
        labels={{ filter: t("refunds.filter"), reset: t("refunds.reset") }}
        className="md:grid-cols-7"
      >
        <FilterField label={t("refunds.search")}>
          <input name="q" defaultValue={f.q} placeholder={t("refunds.searchHint")} className={inputClass} />
        </FilterField>
        <SelectFilter
          name="status"
          label={t("refunds.status")}
          value={f.status}
          any={t("refunds.any")}
          options={(["awaiting_approval", "pending", "succeeded", "failed"] as const).map((s) => ({
            value: s,
            label: t(`refundStatus.${s}`),
          }))}
        />
        <SelectFilter
          name="kind"
          label={t("refunds.kind")}
          value={f.kind}
          any={t("refunds.any")}
          options={(["order", "charge"] as const).map((k) => ({ value: k, label: t(`refunds.kinds.${k}`) }))}
        />
        <DayRangeFilter from={f.from} to={f.to} labels={{ from: t("refunds.from"), to: t("refunds.to") }} />
      </FilterForm>
      <DateFilterError show={dateError} />
      <div className="text-sm text-slate-500" data-testid="refunds-totals">
        {/* one line per currency, yuan first: never added across currencies */}
        {totals.byCurrency.map((c) => (
          <p key={c.currency} data-testid={`refunds-totals-${c.currency}`}>
            {t("money.refundTotals", {
              count: c.count,
              amount: formatMoney(c.amount, c.currency),
              succeeded: formatMoney(c.succeeded, c.currency),
            })}
            {c.pending ? t("money.pendingSuffix", { amount: formatMoney(c.pending, c.currency) }) : null}
          </p>
        ))}
      </div>
      <ListTable
        testId="refunds-table"
        empty={rows.length === 0 ? t("refunds.empty") : null}
        head={[
          { label: t("refunds.created") },
          { label: t("refunds.id") },
          { label: t("refunds.kind") },
          { label: t("refunds.charge") },
          { label: t("refunds.amount"), right: true },
          { label: t("refunds.reason") },
          { label: t("refunds.status") },
        ]}
      >
        {rows.map(({ row, orderPingppId }) => (
          <tr key={row.id} className="border-t border-slate-100">
            <td className="whitespace-nowrap px-3 py-2">{formatShanghai(row.createdAt)}</td>
            <td className="px-3 py-2 font-mono text-xs">
              <Link className="text-indigo-600 hover:underline" href={`/refunds/${row.id}`}>
                {row.pingppId ?? row.id}
              </Link>
            </td>
            <td className="px-3 py-2">
              {row.orderId ? (
                <Link className="text-indigo-600 hover:underline" href={`/orders/${row.orderId}`}>
                  {t("refunds.kinds.order")} {orderPingppId}
                </Link>
              ) : (
                t("refunds.kinds.charge")
              )}
            </td>
            <td className="px-3 py-2 font-mono text-xs">{row.chargeId}</td>
            <td className="px-3 py-2 text-right tabular-nums">{formatMoney(row.amount, row.currency)}</td>
            <td className="px-3 py-2">{row.description}</td>
            <td className="px-3 py-2">
              <StatusBadge status={row.status}>{t(`refundStatus.${row.status}`)}</StatusBadge>
            </td>
          </tr>
        ))}
      </ListTable>
      <Pager page={page} pages={pages} filters={f} labels={{ prev: t("refunds.prev"), next: t("refunds.next") }} />
    </div>
  );
}
