import Link from "next/link";
import { ExportLink } from "@/components/ui/export-link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { listRedEnvelopes } from "@/lib/services/red-envelopes";
import { redEnvelopeFilterSchema, RED_ENVELOPE_STATUSES } from "@/lib/validations/red-envelopes";
import { parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import { formatShanghai, shanghaiDayEnd, shanghaiDayStart } from "@/lib/dates";
import { formatMoney } from "@/lib/money";
import { inputClass } from "@/components/ui/field";
import { DayRangeFilter, FilterField, FilterForm, ListTable, Pager, SelectFilter } from "@/components/ui/list";
import { StatusBadge } from "./_components/status-badge";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("redEnvelopes");

export default async function RedEnvelopesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireCapability("redEnvelopes.manage");
  const t = await getTranslations("redEnvelopes");
  const ts = await getTranslations("redEnvelopeStatus");
  const { f, dateError } = parseFilters(redEnvelopeFilterSchema, await searchParams);
  const { rows, totals, page, perPage } = await listRedEnvelopes({
    ...f,
    from: f.from ? shanghaiDayStart(f.from) : undefined,
    to: f.to ? shanghaiDayEnd(f.to) : undefined,
  });
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <div className="flex gap-2">
          <ExportLink kind="red-envelopes" filters={f} />
          <Link href="/red-envelopes/new" className="rounded-md bg-indigo-600 px-3 py-2 text-sm text-white">
            {t("send")}
          </Link>
          <Link href="/red-envelopes/batches" className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm">
            {t("batches")}
          </Link>
        </div>
      </div>
      <FilterForm
        resetHref="/red-envelopes"
        labels={{ filter: t("filter"), reset: t("reset") }}
        className="md:grid-cols-7"
      >
        <FilterField label={t("search")}>
          <input name="q" defaultValue={f.q} placeholder={t("searchHint")} className={inputClass} />
        </FilterField>
        <SelectFilter
          name="status"
          label={t("status")}
          value={f.status}
          any={t("any")}
          options={RED_ENVELOPE_STATUSES.map((s) => ({ value: s, label: ts(s) }))}
        />
        <DayRangeFilter from={f.from} to={f.to} labels={{ from: t("from"), to: t("to") }} />
        <FilterField label={t("recipient")}>
          <input name="recipient" defaultValue={f.recipient} className={inputClass} />
        </FilterField>
        <FilterField label={t("batch")}>
          <input name="batch" defaultValue={f.batch} className={inputClass} />
        </FilterField>
      </FilterForm>
      <DateFilterError show={dateError} />
      <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600" data-testid="envelope-totals">
        <span className="font-medium">{t("totals", { count: totals.count, amount: formatMoney(totals.amount) })}</span>
        {totals.byStatus.map((g) => (
          <span key={g.status}>
            {ts(g.status)} {g.count} · {formatMoney(g.amount)}
          </span>
        ))}
      </div>
      <ListTable
        testId="envelope-table"
        empty={rows.length === 0 ? t("empty") : null}
        head={[
          { label: t("time") },
          { label: t("recipient") },
          { label: t("amount"), right: true },
          { label: t("status") },
          { label: t("subject") },
          { label: t("batch") },
          {},
        ]}
      >
        {rows.map((r) => (
          <tr key={r.id} className="border-t border-slate-100">
            <td className="whitespace-nowrap px-3 py-2">{formatShanghai(new Date(r.createdAt))}</td>
            <td className="px-3 py-2 font-mono text-xs">{r.recipient}</td>
            <td className="px-3 py-2 text-right tabular-nums">{formatMoney(r.amount)}</td>
            <td className="px-3 py-2">
              <StatusBadge status={r.status} />
            </td>
            <td className="px-3 py-2">{r.subject}</td>
            <td className="px-3 py-2 text-xs">
              {r.batchId ? (
                <Link href={`/red-envelopes/batches/${r.batchId}`}>{t("line", { line: r.batchLine ?? 0 })}</Link>
              ) : null}
            </td>
            <td className="px-3 py-2">
              <Link href={`/red-envelopes/${r.id}`} className="text-indigo-700">
                {t("detail")}
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
