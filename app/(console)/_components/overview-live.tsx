"use client";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { OverviewStats, Totals } from "@/lib/services/overview";
import { fenToDecimal, formatMoney } from "@/lib/money";

/** One period's stats, re-fetched every 5 s (DESIGN rule 5: lists poll every few seconds). */
function useOverview(from: string, to: string, initial: OverviewStats) {
  return useQuery({
    queryKey: ["overview", from, to],
    queryFn: async () => {
      const res = await fetch(`/api/overview?from=${from}&to=${to}`, { cache: "no-cache" });
      if (!res.ok) throw new Error(`status ${res.status}`);
      return (await res.json()) as OverviewStats;
    },
    initialData: initial,
    refetchInterval: 5000,
  });
}

/** Gross, refunds, net, count and average ticket of one period; `testId` prefixes each figure. */
function Cards({ totals, testId, busy, compact = false }: { totals: Totals; testId: string; busy: boolean; compact?: boolean }) {
  const t = useTranslations("overview");
  const cards: [string, string, string][] = [
    ["gross", t("gross"), formatMoney(totals.gross)],
    ["refunds", t("refunds"), formatMoney(totals.refunds)],
    ["net", t("net"), formatMoney(totals.net)],
    ["count", t("count"), String(totals.count)],
    ["avg", t("avgTicket"), formatMoney(totals.avgTicket)],
  ];
  return (
    <div className="grid grid-cols-2 gap-4 md:grid-cols-5" aria-busy={busy}>
      {cards.map(([key, label, value]) => (
        <div key={key} className={`rounded-lg bg-white shadow-sm ${compact ? "px-4 py-2" : "p-4"}`}>
          <p className="text-sm text-slate-500">{label}</p>
          <p className={`${compact ? "text-lg" : "text-2xl"} font-semibold tabular-nums`} data-testid={`${testId}-${key}`}>
            {value}
          </p>
        </div>
      ))}
    </div>
  );
}

/** Today's figures, live, shown above a chosen period that is not today. */
export function TodayLive({ today, initial }: { today: string; initial: OverviewStats }) {
  const t = useTranslations("overview");
  const { data = initial, isFetching } = useOverview(today, today, initial);
  return (
    <section className="space-y-2" data-testid="overview-today">
      <h2 className="text-sm font-semibold text-slate-600">{t("todayStrip")}</h2>
      <Cards totals={data.totals} testId="today" busy={isFetching} compact />
    </section>
  );
}

/** The chosen period: counters, trend, by channel and by terminal, live. */
export function OverviewLive({ from, to, initial }: { from: string; to: string; initial: OverviewStats }) {
  const t = useTranslations("overview");
  const tc = useTranslations("channels");
  const { data = initial, isFetching } = useOverview(from, to, initial);
  return (
    <div className="space-y-6">
      <h2 className="sr-only">{t("period", { from, to })}</h2>
      <Cards totals={data.totals} testId="overview" busy={isFetching} />
      <section className="rounded-lg bg-white p-4 shadow-sm">
        <h2 className="mb-3 font-semibold">{t("trend")}</h2>
        {data.trend.every((d) => d.count === 0) ? (
          <p className="py-10 text-center text-slate-400">{t("noData")}</p>
        ) : (
          <div className="h-64">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={data.trend.map((d) => ({ ...d, yuan: d.gross / 100 }))}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} fontSize={12} />
                <YAxis fontSize={12} />
                <Tooltip formatter={(v) => `¥${fenToDecimal(Math.round(Number(v) * 100))}`} />
                <Bar dataKey="yuan" name={t("gross")} fill="#4f46e5" radius={[3, 3, 0, 0]} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        )}
      </section>
      <div className="grid gap-6 lg:grid-cols-2">
        <Breakdown title={t("byChannel")} label={t("channel")} rows={data.byChannel.map((r) => ({ key: r.channel, name: tc(r.channel as never), ...r }))} />
        <Breakdown title={t("byTerminal")} label={t("terminalCol")} rows={data.byTerminal.map((r) => ({ key: r.terminalId ?? "-", name: r.terminalId ?? t("noTerminalRow"), ...r }))} />
      </div>
    </div>
  );
}

function Breakdown({ title, label, rows }: { title: string; label: string; rows: (Totals & { key: string; name: string })[] }) {
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
                <td className="py-1 text-right tabular-nums">{formatMoney(r.gross)}</td>
                <td className="py-1 text-right tabular-nums">{formatMoney(r.refunds)}</td>
                <td className="py-1 text-right tabular-nums">{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
