import { z } from "zod";
import { getTranslations } from "next-intl/server";
import { can, requireCapability } from "@/lib/auth/session";
import { shiftReport, type ShiftCurrencyTotals } from "@/lib/services/shift-report";
import { listStaff } from "@/lib/services/staff";
import { formatMoney } from "@/lib/money";
import { formatShanghai, shanghaiToday } from "@/lib/dates";
import { inputClass } from "@/components/ui/field";
import { filterMinute, parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import { PrintButton } from "@/components/print-button";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("shift");

/** A datetime-local bound (Asia/Shanghai): strict, a malformed one is reported (lib/validations/dates.ts). */
const local = filterMinute;
const schema = z.object({
  terminal: z
    .string()
    .trim()
    .max(32)
    .regex(/^[A-Za-z0-9_-]*$/)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  staff: z.uuid().optional().catch(undefined),
  from: local,
  to: local,
});
/** A datetime-local value, read as Asia/Shanghai time. */
const shanghai = (v: string) => new Date(`${v}:00+08:00`);
/** The end of the current minute, as a Shanghai datetime-local value (the window includes "now"). */
const nowLocal = () => new Date(Date.now() + 8 * 3_600_000 + 60_000).toISOString().slice(0, 16);

export default async function ShiftReportPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requireCapability("shift.read");
  const t = await getTranslations("shift");
  const tc = await getTranslations("channels");
  const { f: q, dateError } = parseFilters(schema, await searchParams);
  const cashier = !can(actor.role, "terminals.all");
  const terminal = cashier ? (actor.terminalId ?? undefined) : q.terminal;
  const staffId = cashier && !actor.terminalId ? actor.id : q.staff;
  const from = q.from ?? `${shanghaiToday()}T00:00`;
  const to = q.to ?? nowLocal();
  const staff = cashier ? [] : await listStaff();
  const report =
    terminal || staffId
      ? await shiftReport(actor, { terminalId: terminal, staffId, from: shanghai(from), to: shanghai(to) })
      : null;
  return (
    <div className="space-y-6">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        {report ? <PrintButton label={t("print")} /> : null}
      </div>
      <form
        method="get"
        className="grid grid-cols-2 gap-3 rounded-lg bg-white p-4 shadow-sm print:hidden md:grid-cols-5 md:items-end"
      >
        <label className="text-sm">
          {t("terminal")}
          <input name="terminal" defaultValue={terminal} readOnly={cashier} className={inputClass} />
        </label>
        {!cashier ? (
          <label className="text-sm">
            {t("staff")}
            <select name="staff" defaultValue={q.staff ?? ""} className={inputClass}>
              <option value="">{t("anyStaff")}</option>
              {staff.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.email})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className="text-sm">
          {t("from")}
          <input type="datetime-local" name="from" defaultValue={from} className={inputClass} />
        </label>
        <label className="text-sm">
          {t("to")}
          <input type="datetime-local" name="to" defaultValue={to} className={inputClass} />
        </label>
        <button className="rounded-md bg-indigo-600 px-3 py-2 text-sm text-white">{t("run")}</button>
      </form>
      <DateFilterError show={dateError} />
      {!report ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 shadow-sm">{t("pick")}</p>
      ) : (
        <article className="space-y-4 rounded-lg bg-white p-6 shadow-sm" data-testid="shift-report">
          <header className="space-y-1">
            <p className="text-lg font-semibold">
              {report.filter.terminalId ? t("forTerminal", { terminal: report.filter.terminalId }) : null}{" "}
              {report.filter.staff ? t("forStaff", { staff: report.filter.staff }) : null}
            </p>
            <p className="text-sm text-slate-600">
              {formatShanghai(new Date(report.filter.from))} — {formatShanghai(new Date(report.filter.to))}
            </p>
          </header>
          <dl className="grid grid-cols-2 gap-4 md:grid-cols-5">
            {/* one line per currency, yuan first: US$ is never added into ¥ */}
            {(
              [
                [
                  "paid",
                  t("paid"),
                  (c) => `${formatMoney(c.paid.gross, c.currency)} · ${t("count", { count: c.paid.count })}`,
                ],
                [
                  "refunds",
                  t("refunds"),
                  (c) => `${formatMoney(c.refunds.amount, c.currency)} · ${t("count", { count: c.refunds.count })}`,
                ],
                ["net", t("net"), (c) => formatMoney(c.net, c.currency)],
                [
                  "reversed",
                  t("reversed"),
                  (c) => `${formatMoney(c.reversed.amount, c.currency)} · ${t("count", { count: c.reversed.count })}`,
                ],
              ] as const satisfies readonly (readonly [string, string, (c: ShiftCurrencyTotals) => string])[]
            ).map(([k, label, line]) => (
              <div key={k}>
                <dt className="text-sm text-slate-500">{label}</dt>
                <dd className="text-lg font-semibold tabular-nums" data-testid={`shift-${k}`}>
                  {report.byCurrency.map((c) => (
                    <span key={c.currency} className="block" data-testid={`shift-${k}-${c.currency}`}>
                      {line(c)}
                    </span>
                  ))}
                </dd>
              </div>
            ))}
            <div>
              <dt className="text-sm text-slate-500">{t("created")}</dt>
              <dd className="text-lg font-semibold tabular-nums" data-testid="shift-created">
                {report.created} · {t("expired", { count: report.expired })}
              </dd>
            </div>
          </dl>
          <table className="min-w-full text-sm">
            <thead className="text-left text-slate-500">
              <tr>
                <th className="py-1">{t("channel")}</th>
                <th className="py-1 text-right">{t("paidCount")}</th>
                <th className="py-1 text-right">{t("gross")}</th>
                <th className="py-1 text-right">{t("refunds")}</th>
              </tr>
            </thead>
            <tbody>
              {report.byChannel.map((r) => (
                <tr key={`${r.channel}-${r.currency}`} className="border-t border-slate-100">
                  <td className="py-1">{tc(r.channel as never)}</td>
                  <td className="py-1 text-right tabular-nums">{r.count}</td>
                  <td className="py-1 text-right tabular-nums">{formatMoney(r.gross, r.currency)}</td>
                  <td className="py-1 text-right tabular-nums">{formatMoney(r.refunded, r.currency)}</td>
                </tr>
              ))}
              {report.byChannel.length === 0 ? (
                <tr>
                  <td colSpan={4} className="py-4 text-center text-slate-400">
                    {t("empty")}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
          <p className="pt-6 text-sm text-slate-500">{t("signature")}</p>
        </article>
      )}
    </div>
  );
}
