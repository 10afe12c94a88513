import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { overviewStats } from "@/lib/services/overview";
import { periodSchema } from "@/lib/validations/operations";
import { parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import { addDays, shanghaiDayEnd, shanghaiDayStart, shanghaiToday } from "@/lib/dates";
import { inputClass } from "@/components/ui/field";
import { OverviewLive, TodayLive } from "./_components/overview-live";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("overview");

export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requireCapability("console.enter");
  const t = await getTranslations("overview");
  const tr = await getTranslations("roles");
  const today = shanghaiToday();
  const { f: q, dateError } = parseFilters(periodSchema, await searchParams);
  let from = q.from ?? today;
  const to = q.to ?? today;
  if (addDays(from, 366) < to) from = addDays(to, -366);
  const initial = await overviewStats(actor, { from: shanghaiDayStart(from), to: shanghaiDayEnd(to) });
  // a chosen period other than today: today's figures stay in view above it
  const isToday = from === today && to === today;
  const todayStats = isToday
    ? null
    : await overviewStats(actor, { from: shanghaiDayStart(today), to: shanghaiDayEnd(today) });
  // the live polls follow the date past midnight: a period ending today moves with it (lib/overview-period.ts)
  const shown = { today, from, to, inUrl: Boolean(q.from || q.to) };
  const presets = [
    { label: t("today"), from: today, to: today },
    { label: t("last7"), from: addDays(today, -6), to: today },
    { label: t("last30"), from: addDays(today, -29), to: today },
  ];
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">{t("title")}</h1>
          <p className="text-sm text-slate-600">
            {t("welcome", { name: actor.name })} · {tr(actor.role)} ·{" "}
            {actor.terminalId ? t("terminal", { terminal: actor.terminalId }) : t("noTerminal")}
          </p>
        </div>
        <div className="flex flex-wrap items-end gap-2 text-sm">
          {presets.map((p) => (
            <Link
              key={p.label}
              href={`/?from=${p.from}&to=${p.to}`}
              className={`rounded-md border px-3 py-2 ${p.from === from && p.to === to ? "border-indigo-500 bg-indigo-50" : "border-slate-300 bg-white"}`}
            >
              {p.label}
            </Link>
          ))}
          <form method="get" className="flex items-end gap-2">
            <label>
              <span className="sr-only">{t("from")}</span>
              <input type="date" name="from" defaultValue={from} className={inputClass} aria-label={t("from")} />
            </label>
            <label>
              <span className="sr-only">{t("to")}</span>
              <input type="date" name="to" defaultValue={to} className={inputClass} aria-label={t("to")} />
            </label>
            <button className="rounded-md bg-indigo-600 px-3 py-2 text-white">{t("apply")}</button>
          </form>
        </div>
      </div>
      <DateFilterError show={dateError} />
      {todayStats ? <TodayLive today={today} initial={todayStats} /> : null}
      <OverviewLive shown={shown} initial={initial} />
    </div>
  );
}
