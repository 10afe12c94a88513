import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { getRun, listDifferences } from "@/lib/services/reconciliation";
import { isAppError } from "@/lib/services/errors";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { ListTable } from "@/components/ui/list";
import { ExportLink } from "@/components/ui/export-link";
import { DifferencesTable, type DifferenceItem } from "../_components/differences-table";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("reconciliation");

export const dynamic = "force-dynamic";

export default async function ReconciliationRunPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ after?: string }>;
}) {
  await requireCapability("reconciliation.manage");
  const t = await getTranslations("reconciliation");
  const { id } = await params;
  const run = await getRun(id).catch((e) => (isAppError(e) ? null : Promise.reject(e)));
  if (!run) notFound();
  // keyset: `after` = "<created ISO>_<id>" of the last row shown
  const after = (await searchParams).after?.split("_");
  const cursor =
    after?.length === 2 && !Number.isNaN(Date.parse(after[0]!)) && /^[0-9a-f-]{36}$/i.test(after[1]!)
      ? { createdAt: new Date(after[0]!), id: after[1]! }
      : null;
  const rows = await listDifferences(run.id, cursor, 51);
  const shown = rows.slice(0, 50);
  const last = shown.at(-1);
  const items: DifferenceItem[] = shown.map((d) => ({
    id: d.id,
    kind: d.kind,
    objectType: d.objectType === "refund" ? "refund" : "charge",
    pingppId: d.pingppId,
    currency: d.currency,
    ours: d.ours,
    theirs: d.theirs,
    amount: d.amount,
    resolution: d.resolution === "fixed" || d.resolution === "noted" ? d.resolution : null,
    note: d.note,
  }));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">
          {t("title")} · <span className="font-mono">{run.day}</span>
        </h1>
        <ExportLink kind="reconciliation" filters={{ run: run.id }} />
      </div>
      <p className="text-sm text-slate-600" data-testid="run-status">
        {t(`statuses.${run.status}`)} · {t(`triggers.${run.trigger === "nightly" ? "nightly" : "manual"}`)} ·{" "}
        {formatShanghai(run.startedAt)}
        {run.finishedAt ? ` → ${formatShanghai(run.finishedAt)}` : ""} · {t("differences")}: {run.differences}
        {run.error ? ` · ${t("error")}: ${run.error}` : ""}
      </p>
      <h2 className="text-lg font-semibold">{t("totals")}</h2>
      <ListTable
        testId="reconciliation-totals"
        empty={null}
        head={[
          { label: t("currency") },
          { label: `${t("pingppSide")} ${t("count")}`, right: true },
          { label: `${t("pingppSide")} ${t("amount")}`, right: true },
          { label: `${t("pingppSide")} ${t("refunded")}`, right: true },
          { label: `${t("consoleSide")} ${t("count")}`, right: true },
          { label: `${t("consoleSide")} ${t("amount")}`, right: true },
          { label: `${t("consoleSide")} ${t("refunded")}`, right: true },
        ]}
      >
        {run.totals.map((c) => (
          <tr key={c.currency} className="border-t border-slate-100 tabular-nums" data-currency={c.currency}>
            <td className="px-3 py-2">{c.currency.toUpperCase()}</td>
            <td className="px-3 py-2 text-right">{c.pingppCount}</td>
            <td className="px-3 py-2 text-right">{formatMoney(c.pingppAmount, c.currency)}</td>
            <td className="px-3 py-2 text-right">{formatMoney(c.pingppRefunded, c.currency)}</td>
            <td className="px-3 py-2 text-right">{c.consoleCount}</td>
            <td className="px-3 py-2 text-right">{formatMoney(c.consoleAmount, c.currency)}</td>
            <td className="px-3 py-2 text-right">{formatMoney(c.consoleRefunded, c.currency)}</td>
          </tr>
        ))}
      </ListTable>
      <h2 className="text-lg font-semibold">{t("differences")}</h2>
      {items.length === 0 && !cursor ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 shadow-sm">{t("noDifferences")}</p>
      ) : (
        <DifferencesTable items={items} />
      )}
      {rows.length > 50 && last ? (
        <Link
          className="text-indigo-700 hover:underline"
          href={`/reconciliation/${run.id}?after=${last.createdAt.toISOString()}_${last.id}`}
        >
          {t("more")}
        </Link>
      ) : null}
    </div>
  );
}
