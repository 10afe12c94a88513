import Link from "next/link";
import { ExportLink } from "@/components/ui/export-link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { listSettlements } from "@/lib/services/settlements";
import { ROYALTY_METHODS, ROYALTY_SETTLEMENT_STATUSES, settlementFilterSchema } from "@/lib/validations/settlements";
import { parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import { formatShanghai, shanghaiDayEnd, shanghaiDayStart } from "@/lib/dates";
import { formatMoney } from "@/lib/money";
import { inputClass } from "@/components/ui/field";
import { DayRangeFilter, FilterField, FilterForm, ListTable, Pager, SelectFilter } from "@/components/ui/list";
import { StatusBadge } from "./_components/status-badge";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("settlements");

export default async function SettlementsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireCapability("settlements.manage");
  const t = await getTranslations("settlements");
  const ts = await getTranslations("settlementStatus");
  const tm = await getTranslations("royaltyMethods");
  const { f, dateError } = parseFilters(settlementFilterSchema, await searchParams);
  const { rows, totals, page, perPage } = await listSettlements({
    ...f,
    from: f.from ? shanghaiDayStart(f.from) : undefined,
    to: f.to ? shanghaiDayEnd(f.to) : undefined,
  });
  const method = (m: string) => (tm.has(m) ? tm(m) : m);
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <ExportLink kind="settlements" filters={f} />
        <Link
          href="/settlements/new"
          className="rounded-md bg-indigo-600 px-3 py-2 text-sm text-white hover:bg-indigo-700"
        >
          {t("new")}
        </Link>
      </div>
      <FilterForm
        resetHref="/settlements"
        labels={{ filter: t("filter"), reset: t("reset") }}
        className="md:grid-cols-6"
      >
        <FilterField label={t("search")}>
          <input name="q" defaultValue={f.q} placeholder={t("searchHint")} className={inputClass} />
        </FilterField>
        <SelectFilter
          name="status"
          label={t("status")}
          value={f.status}
          any={t("any")}
          options={ROYALTY_SETTLEMENT_STATUSES.map((s) => ({ value: s, label: ts(s) }))}
        />
        <SelectFilter
          name="method"
          label={t("method")}
          value={f.method}
          any={t("any")}
          options={ROYALTY_METHODS.map((m) => ({ value: m, label: method(m) }))}
        />
        <DayRangeFilter from={f.from} to={f.to} labels={{ from: t("from"), to: t("to") }} />
      </FilterForm>
      <DateFilterError show={dateError} />
      <p className="text-sm text-slate-600" data-testid="settlement-totals">
        {t("totals", {
          count: totals.count,
          amount: formatMoney(totals.amount),
          succeeded: formatMoney(totals.amountSucceeded),
          failed: formatMoney(totals.amountFailed),
          canceled: formatMoney(totals.amountCanceled),
        })}
      </p>
      <ListTable
        testId="settlements-table"
        empty={rows.length === 0 ? t("empty") : null}
        head={[
          { label: t("created") },
          { label: t("id") },
          { label: t("method") },
          { label: t("amount"), right: true },
          { label: t("count"), right: true },
          { label: t("outcome"), right: true },
          { label: t("status") },
          {},
        ]}
      >
        {rows.map((r) => (
          <tr key={r.id} className="border-t border-slate-100">
            <td className="whitespace-nowrap px-3 py-2">{formatShanghai(new Date(r.createdAt))}</td>
            <td className="px-3 py-2 font-mono text-xs">{r.pingppId}</td>
            <td className="px-3 py-2">{method(r.method)}</td>
            <td className="px-3 py-2 text-right tabular-nums">{formatMoney(r.amount)}</td>
            <td className="px-3 py-2 text-right tabular-nums">{r.count}</td>
            <td className="px-3 py-2 text-right tabular-nums">
              {formatMoney(r.amountSucceeded)} / {formatMoney(r.amountFailed)}
            </td>
            <td className="px-3 py-2">
              <StatusBadge status={r.status} label={ts(r.status)} />
            </td>
            <td className="px-3 py-2">
              <Link href={`/settlements/${r.id}`} className="text-indigo-600 hover:underline">
                {t("view")}
              </Link>
            </td>
          </tr>
        ))}
      </ListTable>
      <Pager
        page={page}
        pages={Math.ceil(totals.count / perPage)}
        filters={f}
        labels={{ prev: t("prev"), next: t("next") }}
      />
    </div>
  );
}
