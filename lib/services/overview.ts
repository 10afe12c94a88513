import "server-only";
import { and, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { getDb } from "../db";
import { charges } from "../db/schema";
import { cashierScope } from "./charges";
import type { Actor } from "./actor";

export interface Period {
  from: Date;
  to: Date;
}

export interface Totals {
  gross: number;
  refunds: number;
  net: number;
  count: number;
  avgTicket: number;
}

export interface OverviewStats {
  currency: "cny";
  totals: Totals;
  byChannel: (Totals & { channel: string })[];
  byTerminal: (Totals & { terminalId: string | null })[];
  /** One point per Asia/Shanghai day in the period. */
  trend: { day: string; gross: number; count: number }[];
}

const SH = sql`'Asia/Shanghai'`;

/** Paid CNY charges in the period that the actor may see (cashiers: their terminal or their own). */
function paidIn(actor: Actor, p: Period): SQL {
  const conds: SQL[] = [eq(charges.status, "paid"), eq(charges.currency, "cny"), gte(charges.timePaid, p.from), lt(charges.timePaid, p.to)];
  const scope = cashierScope(actor);
  if (scope) conds.push(scope);
  return and(...conds)!;
}

const aggregates = {
  gross: sql<string>`coalesce(sum(${charges.amount}), 0)`,
  refunds: sql<string>`coalesce(sum(${charges.amountRefunded}), 0)`,
  count: sql<string>`count(*)`,
};

function totals(r: { gross: string | number; refunds: string | number; count: string | number } | undefined): Totals {
  const gross = Number(r?.gross ?? 0);
  const refunds = Number(r?.refunds ?? 0);
  const count = Number(r?.count ?? 0);
  return { gross, refunds, net: gross - refunds, count, avgTicket: count ? Math.round(gross / count) : 0 };
}

/**
 * Gross, refunds, net, count and average ticket for paid charges (by payment time), overall,
 * per channel, per terminal and per day. Refunds are those recorded on the charges paid in the
 * period. Cross-border (USD) charges are left out of these CNY figures.
 */
export async function overviewStats(actor: Actor, p: Period): Promise<OverviewStats> {
  const db = await getDb();
  const where = paidIn(actor, p);
  const day = sql<string>`to_char(${charges.timePaid} at time zone ${SH}, 'YYYY-MM-DD')`;
  const [[all], channels, terminals, days] = await Promise.all([
    db.select(aggregates).from(charges).where(where),
    db.select({ channel: charges.channel, ...aggregates }).from(charges).where(where).groupBy(charges.channel).orderBy(sql`2 desc`),
    db.select({ terminalId: charges.terminalId, ...aggregates }).from(charges).where(where).groupBy(charges.terminalId).orderBy(sql`2 desc`),
    db.select({ day, gross: aggregates.gross, count: aggregates.count }).from(charges).where(where).groupBy(day).orderBy(day),
  ]);
  const byDay = new Map(days.map((d) => [d.day, d]));
  const trend: OverviewStats["trend"] = [];
  for (let t = p.from.getTime(); t < p.to.getTime(); t += 86_400_000) {
    const key = new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
    const d = byDay.get(key);
    trend.push({ day: key, gross: Number(d?.gross ?? 0), count: Number(d?.count ?? 0) });
  }
  return {
    currency: "cny",
    totals: totals(all),
    byChannel: channels.map((c) => ({ channel: c.channel, ...totals(c) })),
    byTerminal: terminals.map((c) => ({ terminalId: c.terminalId, ...totals(c) })),
    trend,
  };
}
