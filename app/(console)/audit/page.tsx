import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { actionKey, paramPairs, targetHref } from "./_components/format";
import { requireCapability } from "@/lib/auth/session";
import { listAudit } from "@/lib/services/audit";
import { auditFilterSchema } from "@/lib/validations/audit";
import { parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import { formatShanghai, shanghaiDayEnd, shanghaiDayStart } from "@/lib/dates";
import { inputClass } from "@/components/ui/field";
import { DayRangeFilter, FilterField, FilterForm, ListTable, Pager, SelectFilter } from "@/components/ui/list";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("audit");

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireCapability("audit.read");
  const t = await getTranslations("audit");
  const tRoot = await getTranslations();
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
        <SelectFilter
          name="result"
          label={t("result")}
          value={f.result}
          any={t("any")}
          options={(["ok", "refused", "error"] as const).map((r) => ({ value: r, label: t(`results.${r}`) }))}
        />
        <DayRangeFilter from={f.from} to={f.to} labels={{ from: t("from"), to: t("to") }} />
      </FilterForm>
      <DateFilterError show={dateError} />
      <p className="text-sm text-slate-500" data-testid="list-count">
        {t("total", { total })}
      </p>
      <ListTable
        testId="audit-table"
        empty={rows.length === 0 ? t("empty") : null}
        head={[
          { label: t("time") },
          { label: t("actor") },
          { label: t("action") },
          { label: t("target") },
          { label: t("params") },
          { label: t("result") },
          { label: t("message") },
        ]}
      >
        {rows.map((r) => {
          const href = targetHref(r.targetType, r.targetId);
          const label = tRoot.has(actionKey(r.action) as never) ? tRoot(actionKey(r.action) as never) : r.action;
          const target = r.targetType
            ? `${tRoot.has(`auditTargets.${r.targetType}` as never) ? tRoot(`auditTargets.${r.targetType}` as never) : r.targetType} ${r.targetId ?? ""}`
            : "";
          const pairs = paramPairs(r.params);
          const paramsText = pairs.map((p) => `${p.key}: ${p.value}`).join(" · ");
          return (
            <tr
              key={r.id}
              className="border-t border-slate-100 align-top"
              data-testid="audit-row"
              data-action={r.action}
            >
              <td className="whitespace-nowrap px-3 py-2">{formatShanghai(r.createdAt)}</td>
              <td className="max-w-[12rem] break-all px-3 py-2">
                {r.actorEmail}
                {r.ip ? <span className="block text-xs text-slate-500">{r.ip}</span> : null}
              </td>
              <td className="px-3 py-2" title={r.action}>
                <span data-testid="audit-action">{label}</span>
                {label !== r.action ? <span className="block font-mono text-xs text-slate-500">{r.action}</span> : null}
              </td>
              <td className="max-w-[14rem] px-3 py-2 text-xs">
                {href ? (
                  <Link
                    href={href}
                    className="break-all font-mono text-indigo-700 hover:underline"
                    data-testid="audit-target"
                  >
                    {target}
                  </Link>
                ) : (
                  <span className="break-all font-mono">{target}</span>
                )}
              </td>
              <td className="max-w-xs px-3 py-2 text-xs">
                <span className="line-clamp-3 break-all" data-testid="audit-params" title={paramsText}>
                  {paramsText}
                </span>
              </td>
              <td className="whitespace-nowrap px-3 py-2">{t(`results.${r.result}`)}</td>
              <td className="max-w-xs px-3 py-2 text-xs">
                <span className="line-clamp-3 break-words" title={r.message ?? ""}>
                  {r.message}
                </span>
              </td>
            </tr>
          );
        })}
      </ListTable>
      <Pager page={page} pages={Math.ceil(total / perPage)} filters={f} labels={{ prev: t("prev"), next: t("next") }} />
    </div>
  );
}
