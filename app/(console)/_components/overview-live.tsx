"use client";
import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import dynamic from "next/dynamic";
import type { OverviewPoll, OverviewStats, Totals } from "@/lib/services/overview";
import { formatMoney } from "@/lib/money";
import { HOME_CURRENCY } from "@/lib/money-totals";
import { afterDayChange, overviewPollUrl, type ShownPeriod } from "@/lib/overview-period";

/** recharts is loaded only when a trend is drawn (trend-chart.tsx), not with the page's other scripts. */
const TrendChart = dynamic(() => import("./trend-chart"), {
  ssr: false,
  loading: () => <div className="h-full animate-pulse rounded bg-slate-50" />,
});

/**
 * One period's stats, re-fetched every 5 s (ARCHITECTURE.md rule 5: lists poll every few seconds). A period that is
 * exactly today is asked for without dates: the server names the day on each poll (lib/overview-period.ts).
 */
function useOverview(from: string, to: string, today: string, initial: OverviewStats) {
  const url = overviewPollUrl(from, to, today);
  return useQuery({
    queryKey: ["overview", url],
    queryFn: async () => {
      const res = await fetch(url, { cache: "no-cache" });
      if (!res.ok) throw new Error(`status ${res.status}`);
      return (await res.json()) as OverviewPoll;
    },
    initialData: { ...initial, today },
    refetchInterval: 5000,
  });
}

/**
 * When a poll answers with a later Shanghai date than the page was rendered on (past midnight), the page moves on
 * once: a period ending today to the same period ending on the new day, otherwise a refresh (today's strip, presets).
 */
function useDayChange(shown: ShownPeriod, serverToday: string) {
  const router = useRouter();
  const done = useRef<string | null>(null);
  useEffect(() => {
    if (done.current === serverToday) return;
    const next = afterDayChange(shown, serverToday);
    if (!next) return;
    done.current = serverToday;
    if (next === "refresh") router.refresh();
    else router.replace(next.replace);
  }, [shown, serverToday, router]);
}

/** Gross, refunds, net, count and average ticket of one currency; `testId` prefixes each figure. */
function Cards({
  totals,
  currency,
  testId,
  compact = false,
}: {
  totals: Totals;
  currency: string;
  testId: string;
  compact?: boolean;
}) {
  const t = useTranslations("overview");
  const cards: [string, string, string][] = [
    ["gross", t("gross"), formatMoney(totals.gross, currency)],
    ["refunds", t("refunds"), formatMoney(totals.refunds, currency)],
    ["net", t("net"), formatMoney(totals.net, currency)],
    ["count", t("count"), String(totals.count)],
    ["avg", t("avgTicket"), formatMoney(totals.avgTicket, currency)],
  ];
  return (
    <div className="grid grid-cols-2 gap-4 md:grid-cols-5">
      {cards.map(([key, label, value]) => (
        <div
          key={key}
          className={`min-w-0 rounded-lg bg-white shadow-sm ${compact ? "px-3 py-2 sm:px-4" : "p-3 sm:p-4"}`}
        >
          <p className="text-sm text-slate-500">{label}</p>
          {/* on a phone two cards share 390 px: a smaller figure, and a long one wraps rather than being cut */}
          <p
            className={`${compact ? "text-lg" : "text-lg sm:text-2xl"} font-semibold tabular-nums [overflow-wrap:anywhere]`}
            data-testid={`${testId}-${key}`}
          >
            {value}
          </p>
        </div>
      ))}
    </div>
  );
}

/** One row of cards per currency, yuan first: the figures of two currencies are never added. */
function CurrencyCards({
  stats,
  testId,
  busy,
  compact = false,
}: {
  stats: OverviewStats;
  testId: string;
  busy: boolean;
  compact?: boolean;
}) {
  const tm = useTranslations("money");
  const several = stats.currencies.length > 1;
  return (
    <div className="space-y-3" aria-busy={busy}>
      {stats.currencies.map((c) => (
        <div key={c.currency} className="space-y-1" data-testid={`${testId}-${c.currency}`}>
          {several ? (
            <h3 className="text-xs font-semibold uppercase text-slate-500">{tm(`currency.${c.currency}` as never)}</h3>
          ) : null}
          <Cards totals={c.totals} currency={c.currency} testId={`${testId}-${c.currency}`} compact={compact} />
        </div>
      ))}
    </div>
  );
}

/**
 * Today's figures, live, shown above a chosen period that is not today. They follow the date past midnight: their poll
 * names no dates, and OverviewLive below moves the page on.
 */
export function TodayLive({ today, initial }: { today: string; initial: OverviewStats }) {
  const t = useTranslations("overview");
  const { data, isFetching } = useOverview(today, today, today, initial);
  return (
    <section className="space-y-2" data-testid="overview-today">
      <h2 className="text-sm font-semibold text-slate-600">{t("todayStrip")}</h2>
      <CurrencyCards stats={data} testId="today" busy={isFetching} compact />
    </section>
  );
}

/**
 * The chosen period: counters per currency; trend, by channel and by terminal for one currency at a time; live. Every
 * poll's answer carries the server's date, so this one moves the page on past midnight (for TodayLive above it too).
 */
export function OverviewLive({ shown, initial }: { shown: ShownPeriod; initial: OverviewStats }) {
  const t = useTranslations("overview");
  const tc = useTranslations("channels");
  const tm = useTranslations("money");
  const { from, to } = shown;
  const { data, isFetching } = useOverview(from, to, shown.today, initial);
  useDayChange(shown, data.today);
  const [chosen, setChosen] = useState(HOME_CURRENCY);
  const current = data.currencies.find((c) => c.currency === chosen) ?? data.currencies[0]!;
  const cur = current.currency;
  return (
    <div className="space-y-6">
      <h2 className="sr-only">{t("period", { from, to })}</h2>
      <CurrencyCards stats={data} testId="overview" busy={isFetching} />
      {data.currencies.length > 1 ? (
        <div
          role="tablist"
          aria-label={tm("currencyTabs")}
          className="flex gap-2 text-sm"
          data-testid="overview-currency"
        >
          {data.currencies.map((c) => (
            <button
              key={c.currency}
              type="button"
              role="tab"
              aria-selected={c.currency === cur}
              onClick={() => setChosen(c.currency)}
              className={`rounded-md border px-3 py-1 ${c.currency === cur ? "border-indigo-500 bg-indigo-50" : "border-slate-300 bg-white"}`}
            >
              {tm(`currency.${c.currency}` as never)}
            </button>
          ))}
        </div>
      ) : null}
      <section className="rounded-lg bg-white p-4 shadow-sm" data-testid="overview-trend" data-currency={cur}>
        <h2 className="mb-3 font-semibold">{t("trend")}</h2>
        {current.trend.every((d) => d.count === 0) ? (
          <p className="py-10 text-center text-slate-400">{t("noData")}</p>
        ) : (
          <div className="h-64">
            <TrendChart data={current.trend} currency={cur} grossLabel={t("gross")} />
          </div>
        )}
      </section>
      <div className="grid gap-6 lg:grid-cols-2">
        <Breakdown
          title={t("byChannel")}
          label={t("channel")}
          currency={cur}
          rows={current.byChannel.map((r) => ({ key: r.channel, name: tc(r.channel as never), ...r }))}
        />
        <Breakdown
          title={t("byTerminal")}
          label={t("terminalCol")}
          currency={cur}
          rows={current.byTerminal.map((r) => ({
            key: r.terminalId ?? "-",
            name: r.terminalId ?? t("noTerminalRow"),
            ...r,
          }))}
        />
      </div>
    </div>
  );
}

function Breakdown({
  title,
  label,
  currency,
  rows,
}: {
  title: string;
  label: string;
  currency: string;
  rows: (Totals & { key: string; name: string })[];
}) {
  const t = useTranslations("overview");
  return (
    <section className="rounded-lg bg-white p-4 shadow-sm">
      <h2 className="mb-3 font-semibold">{title}</h2>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-400">{t("noData")}</p>
      ) : (
        <table className="min-w-full text-sm">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="py-1">{label}</th>
              <th className="py-1 text-right">{t("gross")}</th>
              <th className="py-1 text-right">{t("refunds")}</th>
              <th className="py-1 text-right">{t("count")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} className="border-t border-slate-100">
                <td className="py-1">{r.name}</td>
                <td className="py-1 text-right tabular-nums">{formatMoney(r.gross, currency)}</td>
                <td className="py-1 text-right tabular-nums">{formatMoney(r.refunds, currency)}</td>
                <td className="py-1 text-right tabular-nums">{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
