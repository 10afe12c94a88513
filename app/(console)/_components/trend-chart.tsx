"use client";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMoney } from "@/lib/money";

/**
 * The overview's daily trend. recharts is ~115 KB (gzip) of the browser's download: this module
 * is loaded by next/dynamic only where a chart is drawn (overview-live.tsx), so neither the other
 * pages nor a Link prefetching the overview pull it in.
 */
export default function TrendChart({
  data,
  currency,
  grossLabel,
}: {
  data: { day: string; gross: number }[];
  currency: string;
  grossLabel: string;
}) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data.map((d) => ({ ...d, major: d.gross / 100 }))}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} fontSize={12} />
        <YAxis fontSize={12} />
        <Tooltip formatter={(v) => formatMoney(Math.round(Number(v) * 100), currency)} />
        <Bar dataKey="major" name={grossLabel} fill="#4f46e5" radius={[3, 3, 0, 0]} />
      </BarChart>
    </ResponsiveContainer>
  );
}
