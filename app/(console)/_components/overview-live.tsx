"use client";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { OverviewStats, Totals } from "@/lib/services/overview";
import { fenToDecimal, formatMoney } from "@/lib/money";

/** Live counters: re-fetched every 5 s (DESIGN rule 5: lists poll every few seconds). */
export function OverviewLive({ from, to, initial }: { from: string; to: string; initial: OverviewStats }) {
  const t = useTranslations("overview");
  const tc = useTranslations("channels");
  const { data = initial, isFetching } = useQuery({
    queryKey: ["overview", from, to],
    queryFn: async () => {
      const res = await fetch(`/api/overview?from=${from}&to=${to}`, { cache: "no-cache" });
      if (!res.ok) throw new Error(`status ${res.status}`);
      return (await res.json()) as OverviewStats;
    },
    initialData: initial,
    refetchInterval: 5000,
  });
  const cards: [string, string, string][] = [
    ["gross", t("gross"), formatMoney(data.totals.gross)],
    ["refunds", t("refunds"), formatMoney(data.totals.refunds)],
    ["net", t("net"), formatMoney(data.totals.net)],
    ["count", t("count"), String(data.totals.count)],
    ["avg", t("avgTicket"), formatMoney(data.totals.avgTicket)],
  ];
  return (
    <div className="space-y-6">
      <div className="grid grid-cols-2 gap-4 md:grid-cols-5" aria-busy={isFetching}>
        {cards.map(([key, label, value]) => (
          <div key={key} className="rounded-lg bg-white p-4 shadow-sm">
            <p className="text-sm text-slate-500">{label}</p>
            <p className="text-2xl font-semibold tabular-nums" data-testid={`overview-${key}`}>
              {value}
            </p>
          </div>
        ))}
      </div>
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
