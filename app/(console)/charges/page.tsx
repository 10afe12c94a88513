import Link from "next/link";
import { ExportLink } from "@/components/ui/export-link";
import { Suspense } from "react";
import { getTranslations } from "next-intl/server";
import { can, requireCapability } from "@/lib/auth/session";
import { chargeTotals, listCharges } from "@/lib/services/charges";
import { chargeFilterSchema, CHARGE_LIST_STATUSES, QR_CHANNELS, type ChargeFilter } from "@/lib/validations/charges";
import { parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import type { Actor } from "@/lib/services/actor";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { inputClass } from "@/components/ui/field";
import { CursorPager, DayRangeFilter, FilterField, FilterForm, ListTable, SelectFilter } from "@/components/ui/list";
import { StatusBadge } from "@/components/cashier/status-badge";
import { RefundStateBadges } from "@/components/ui/refund-state";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("charges");

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function ChargesPage({ searchParams }: { searchParams: Search }) {
  const actor = await requireCapability("charges.read");
  const t = await getTranslations();
  const { f, dateError } = parseFilters(chargeFilterSchema, await searchParams);
  const { rows, nextCursor, prevCursor } = await listCharges(actor, f, f.per);
  return (
    <div className="space-y-4">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">{t("charges.title")}</h1>
        {can(actor.role, "exports.download") ? <ExportLink kind="charges" filters={f} summary /> : null}
      </div>
      <FilterForm
        resetHref="/charges"
        labels={{ filter: t("charges.apply"), reset: t("charges.reset") }}
        className="md:grid-cols-7"
      >
        <SelectFilter
          name="status"
          label={t("charges.status")}
          value={f.status}
          any={t("charges.any")}
          options={CHARGE_LIST_STATUSES.map((s) => ({ value: s, label: t(`chargeStatus.${s}`) }))}
        />
        <SelectFilter
          name="channel"
          label={t("charges.channel")}
          value={f.channel}
          any={t("charges.any")}
          options={QR_CHANNELS.map((c) => ({ value: c, label: t(`channels.${c}`) }))}
        />
        <FilterField label={t("charges.terminal")}>
          <input name="terminal" defaultValue={f.terminal} className={inputClass} />
        </FilterField>
        <DayRangeFilter from={f.from} to={f.to} labels={{ from: t("charges.from"), to: t("charges.to") }} />
        {f.per ? <input type="hidden" name="per" value={f.per} /> : null}
        <FilterField label={t("charges.q")}>
          <input name="q" defaultValue={f.q} placeholder={t("charges.qPlaceholder")} className={inputClass} />
        </FilterField>
      </FilterForm>
      <DateFilterError show={dateError} />
      <Suspense fallback={<p className="text-sm text-slate-400">{t("charges.totalsLoading")}</p>}>
        <Totals actor={actor} f={f} />
      </Suspense>
      <ListTable
        testId="charges-table"
        empty={rows.length === 0 ? t("charges.empty") : null}
        head={[
          { label: t("charges.time") },
          { label: t("charges.amount"), right: true },
          { label: t("charges.channel") },
          { label: t("charges.status") },
          { label: t("charges.terminal") },
          { label: t("charges.chargeId") },
          { label: t("charges.orderNo") },
        ]}
      >
        {rows.map((r) => (
          <tr key={r.id} className="border-t border-slate-100 hover:bg-slate-50" data-charge-id={r.chargeId ?? ""}>
            <td className="whitespace-nowrap px-3 py-2">
              <Link className="text-indigo-700 hover:underline" href={`/charges/${r.chargeId ?? r.id}`}>
                {formatShanghai(new Date(r.createdAt))}
              </Link>
            </td>
            <td className="px-3 py-2 text-right tabular-nums">
              {formatMoney(r.amount, r.currency)}
              {r.refund.succeeded ? (
                <span className="block text-xs text-rose-600">-{formatMoney(r.refund.succeeded, r.currency)}</span>
              ) : null}
            </td>
            <td className="px-3 py-2">{t(`channels.${r.channel}` as never)}</td>
            <td className="px-3 py-2">
              <span className="inline-flex flex-wrap items-center gap-1">
                <StatusBadge status={r.status} label={t(`chargeStatus.${r.status}`)} />
                <RefundStateBadges refund={r.refund} currency={r.currency} />
              </span>
            </td>
            <td className="px-3 py-2">{r.terminalId ?? "—"}</td>
            <td className="px-3 py-2 font-mono text-xs">{r.chargeId}</td>
            <td className="px-3 py-2 font-mono text-xs">{r.orderNo}</td>
          </tr>
        ))}
      </ListTable>
      <CursorPager
        filters={f}
        nextCursor={nextCursor}
        prevCursor={prevCursor}
        labels={{ first: t("finding.first"), prev: t("finding.prev"), next: t("charges.next") }}
      />
    </div>
  );
}

async function Totals({ actor, f }: { actor: Actor; f: ChargeFilter }) {
  const t = await getTranslations("money");
  const totals = await chargeTotals(actor, f);
  // one line per currency, yuan first: US$ is never added into ¥
  return (
    <div className="text-sm text-slate-600" data-testid="charges-totals">
      <p>{t("count", { count: totals.count })}</p>
      {totals.byCurrency.map((c) => (
        <p key={c.currency} data-testid={`charges-totals-${c.currency}`}>
          {t("chargeTotals", {
            paidCount: c.paidCount,
            paidAmount: formatMoney(c.paidAmount, c.currency),
            refundedAmount: formatMoney(c.refundedAmount, c.currency),
          })}
          {c.pendingRefundAmount
            ? t("pendingSuffix", { amount: formatMoney(c.pendingRefundAmount, c.currency) })
            : null}
        </p>
      ))}
    </div>
  );
}
