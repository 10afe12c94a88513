import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireRole, FINANCE_ROLES } from "@/lib/auth/session";
import { listAudit } from "@/lib/services/audit";
import { auditFilterSchema } from "@/lib/validations/audit";
import { formatShanghai, shanghaiDayEnd, shanghaiDayStart } from "@/lib/dates";
import { inputClass } from "@/components/ui/field";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireRole(FINANCE_ROLES);
  const t = await getTranslations("audit");
  const f = auditFilterSchema.parse(await searchParams);
  const { rows, total, page, perPage } = await listAudit({
    ...f,
    from: f.from ? shanghaiDayStart(f.from) : undefined,
    to: f.to ? shanghaiDayEnd(f.to) : undefined,
  });
  const pages = Math.max(1, Math.ceil(total / perPage));
  const qs = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v !== undefined && k !== "page") q.set(k, String(v));
    q.set("page", String(p));
    return `?${q}`;
  };
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <form className="grid grid-cols-2 gap-3 rounded-lg bg-white p-4 shadow-sm md:grid-cols-7 md:items-end" method="get">
        <label className="text-sm">
          {t("actor")}
          <input name="actor" defaultValue={f.actor} className={inputClass} />
        </label>
        <label className="text-sm">
          {t("action")}
          <input name="action" defaultValue={f.action} className={inputClass} placeholder="staff." />
        </label>
        <label className="text-sm">
          {t("target")}
          <input name="target" defaultValue={f.target} className={inputClass} />
        </label>
        <label className="text-sm">
          {t("result")}
          <select name="result" defaultValue={f.result ?? ""} className={inputClass}>
            <option value="">{t("any")}</option>
            {(["ok", "refused", "error"] as const).map((r) => (
              <option key={r} value={r}>
                {t(`results.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          {t("from")}
          <input type="date" name="from" defaultValue={f.from} className={inputClass} />
        </label>
        <label className="text-sm">
          {t("to")}
          <input type="date" name="to" defaultValue={f.to} className={inputClass} />
        </label>
        <div className="flex gap-2">
          <button className="rounded-md bg-indigo-600 px-3 py-2 text-sm text-white">{t("filter")}</button>
          <Link href="/audit" className="rounded-md border border-slate-300 px-3 py-2 text-sm">
            {t("reset")}
          </Link>
        </div>
      </form>
      <p className="text-sm text-slate-500">{t("total", { total })}</p>
      {rows.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 shadow-sm">{t("empty")}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg bg-white shadow-sm">
          <table className="min-w-full text-sm" data-testid="audit-table">
            <thead className="bg-slate-100 text-left text-slate-600">
              <tr>
                <th className="px-3 py-2">{t("time")}</th>
                <th className="px-3 py-2">{t("actor")}</th>
                <th className="px-3 py-2">{t("action")}</th>
                <th className="px-3 py-2">{t("target")}</th>
                <th className="px-3 py-2">{t("params")}</th>
                <th className="px-3 py-2">{t("result")}</th>
                <th className="px-3 py-2">{t("message")}</th>
              </tr>
            </thead>
            <tbody>
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
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <nav className="flex gap-3 text-sm">
          {page > 1 ? <Link href={qs(page - 1)}>{t("prev")}</Link> : null}
          <span>
            {page} / {pages}
          </span>
          {page < pages ? <Link href={qs(page + 1)}>{t("next")}</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}
