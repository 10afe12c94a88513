import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { listRuns } from "@/lib/services/reconciliation";
import { addDays, formatShanghai, shanghaiToday } from "@/lib/dates";
import { ListTable } from "@/components/ui/list";
import { RunForm } from "./_components/run-form";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("reconciliation");

export const dynamic = "force-dynamic";

export default async function ReconciliationPage() {
  await requireCapability("reconciliation.manage");
  const t = await getTranslations("reconciliation");
  const { rows } = await listRuns({ limit: 100 });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="text-sm text-slate-600">{t("intro")}</p>
      <RunForm defaultDay={addDays(shanghaiToday(), -1)} maxDay={shanghaiToday()} />
      <h2 className="text-lg font-semibold">{t("runs")}</h2>
      <ListTable
        testId="reconciliation-runs"
        empty={rows.length ? null : t("noRuns")}
        head={[
          { label: t("day") },
          { label: t("trigger") },
          { label: t("status") },
          { label: t("differences"), right: true },
          { label: t("startedAt") },
          { label: t("finishedAt") },
          {},
        ]}
      >
        {rows.map((r) => (
          <tr key={r.id} className="border-t border-slate-100" data-run={r.id}>
            <td className="px-3 py-2 font-mono">{r.day}</td>
            <td className="px-3 py-2">{t(`triggers.${r.trigger === "nightly" ? "nightly" : "manual"}`)}</td>
            <td className="px-3 py-2">{t(`statuses.${r.status}`)}</td>
            <td className="px-3 py-2 text-right tabular-nums">{r.differences}</td>
            <td className="whitespace-nowrap px-3 py-2">{formatShanghai(r.startedAt)}</td>
            <td className="whitespace-nowrap px-3 py-2">{r.finishedAt ? formatShanghai(r.finishedAt) : ""}</td>
            <td className="px-3 py-2">
              <Link className="text-indigo-700 hover:underline" href={`/reconciliation/${r.id}`}>
                {t("open")}
              </Link>
            </td>
          </tr>
        ))}
      </ListTable>
    </div>
  );
}
