import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { listAudit } from "@/lib/services/audit";
import { auditFilterSchema } from "@/lib/validations/audit";
import { parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import { formatShanghai, shanghaiDayEnd, shanghaiDayStart } from "@/lib/dates";
import { inputClass } from "@/components/ui/field";
import { DayRangeFilter, FilterField, FilterForm, ListTable, Pager, SelectFilter } from "@/components/ui/list";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireCapability("audit.read");
  const t = await getTranslations("audit");
  const { f, dateError } = parseFilters(auditFilterSchema, await searchParams);
  const { rows, total, page, perPage } = await listAudit({
    ...f,
    from: f.from ? shanghaiDayStart(f.from) : undefined,
    to: f.to ? shanghaiDayEnd(f.to) : undefined,
  });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <FilterForm resetHref="/audit" labels={{ filter: t("filter"), reset: t("reset") }} className="md:grid-cols-7">
        <FilterField label={t("actor")}>
          <input name="actor" defaultValue={f.actor} className={inputClass} />
        </FilterField>
        <FilterField label={t("action")}>
          <input name="action" defaultValue={f.action} className={inputClass} placeholder="staff." />
        </FilterField>
        <FilterField label={t("target")}>
          <input name="target" defaultValue={f.target} className={inputClass} />
        </FilterField>
        <SelectFilter name="result" label={t("result")} value={f.result} any={t("any")} options={(["ok", "refused", "error"] as const).map((r) => ({ value: r, label: t(`results.${r}`) }))} />
        <DayRangeFilter from={f.from} to={f.to} labels={{ from: t("from"), to: t("to") }} />
      </FilterForm>
      <DateFilterError show={dateError} />
      <p className="text-sm text-slate-500">{t("total", { total })}</p>
      <ListTable
        testId="audit-table"
        empty={rows.length === 0 ? t("empty") : null}
        head={[{ label: t("time") }, { label: t("actor") }, { label: t("action") }, { label: t("target") }, { label: t("params") }, { label: t("result") }, { label: t("message") }]}
      >
      {rows.map((r) => (
        <tr key={r.id} className="border-t border-slate-100 align-top">
          <td className="whitespace-nowrap px-3 py-2">{formatShanghai(r.createdAt)}</td>
          <td className="px-3 py-2">
            {r.actorEmail}
            {r.ip ? <span className="block text-xs text-slate-400">{r.ip}</span> : null}
          </td>
          <td className="px-3 py-2 font-mono">{r.action}</td>
          <td className="px-3 py-2 font-mono text-xs">{r.targetType ? `${r.targetType}:${r.targetId}` : ""}</td>
          <td className="max-w-xs truncate px-3 py-2 font-mono text-xs" title={r.params ? JSON.stringify(r.params) : ""}>
            {r.params ? JSON.stringify(r.params) : ""}
          </td>
          <td className="px-3 py-2">{t(`results.${r.result}`)}</td>
          <td className="px-3 py-2">{r.message}</td>
        </tr>
      ))}
      </ListTable>
      <Pager page={page} pages={Math.ceil(total / perPage)} filters={f} labels={{ prev: t("prev"), next: t("next") }} />
    </div>
  );
}
