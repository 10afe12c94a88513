import "server-only";
import { and, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { getDb } from "../db";
import { charges } from "../db/schema";
import { cashierScope } from "./charges";
import { byCurrency } from "../money-totals";
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

/** One currency's figures: never added to another currency's. */
export interface CurrencyOverview {
  currency: string;
  totals: Totals;
  byChannel: (Totals & { channel: string })[];
  byTerminal: (Totals & { terminalId: string | null })[];
  /** One point per Asia/Shanghai day in the period. */
  trend: { day: string; gross: number; count: number }[];
}

export interface OverviewStats {
  /**
   * One entry per currency with paid charges in the period, yuan first (always there, at zero when nothing was paid in
   * yuan).
   */
  currencies: CurrencyOverview[];
}

/** What GET /api/overview answers: the stats, and the server's Asia/Shanghai date when it answered. */
export type OverviewPoll = OverviewStats & { today: string };

const SH = sql`'Asia/Shanghai'`;

/** Paid charges in the period that the actor may see (cashiers: their terminal or their own). */
function paidIn(actor: Actor, p: Period): SQL {
  const conds: SQL[] = [eq(charges.status, "paid"), gte(charges.timePaid, p.from), lt(charges.timePaid, p.to)];
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
 * Gross, refunds, net, count and average ticket for paid charges (by payment time), per
 * currency: overall, per channel, per terminal and per day. Refunds are those that succeeded on
 * the charges paid in the period. Yuan and US dollars (cross-border channels) are never added.
 */
export async function overviewStats(actor: Actor, p: Period): Promise<OverviewStats> {
  const db = await getDb();
  const where = paidIn(actor, p);
  const cur = charges.currency;
  const day = sql<string>`to_char(${charges.timePaid} at time zone ${SH}, 'YYYY-MM-DD')`;
  const [all, channels, terminals, days] = await Promise.all([
    db
      .select({ currency: cur, ...aggregates })
      .from(charges)
      .where(where)
      .groupBy(cur),
    db
      .select({ currency: cur, channel: charges.channel, ...aggregates })
      .from(charges)
      .where(where)
      .groupBy(cur, charges.channel)
      .orderBy(sql`4 desc`, charges.channel),
    db
      .select({ currency: cur, terminalId: charges.terminalId, ...aggregates })
      .from(charges)
      .where(where)
      .groupBy(cur, charges.terminalId)
      .orderBy(sql`4 desc`, charges.terminalId),
    db
      .select({ currency: cur, day, gross: aggregates.gross, count: aggregates.count })
      .from(charges)
      .where(where)
      .groupBy(cur, day)
      .orderBy(day),
  ]);
  const currencies = byCurrency(
    all.map((a) => ({ currency: a.currency })),
    (currency) => ({ currency }),
  );
  return {
    currencies: currencies.map(({ currency }) => {
      const byDay = new Map(days.filter((d) => d.currency === currency).map((d) => [d.day, d]));
      const trend: CurrencyOverview["trend"] = [];
      for (let t = p.from.getTime(); t < p.to.getTime(); t += 86_400_000) {
        const key = new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
        const d = byDay.get(key);
        trend.push({ day: key, gross: Number(d?.gross ?? 0), count: Number(d?.count ?? 0) });
      }
      return {
        currency,
        totals: totals(all.find((a) => a.currency === currency)),
        byChannel: channels.filter((c) => c.currency === currency).map((c) => ({ channel: c.channel, ...totals(c) })),
        byTerminal: terminals
          .filter((c) => c.currency === currency)
          .map((c) => ({ terminalId: c.terminalId, ...totals(c) })),
        trend,
      };
    }),
  };
}
