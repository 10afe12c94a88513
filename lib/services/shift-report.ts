import "server-only";
import { and, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { getDb } from "../db";
import { charges, staffUsers } from "../db/schema";
import { AppError } from "./errors";
import { cashierScope } from "./charges";
import { byCurrency } from "../money-totals";
import { can } from "../auth/policy";
import type { Actor } from "./actor";

export interface ShiftFilter {
  terminalId?: string;
  staffId?: string;
  from: Date;
  to: Date;
}

export interface ShiftCurrencyTotals {
  currency: string;
  paid: { count: number; gross: number };
  /** Refunds that succeeded on the window's charges (count: charges with one). */
  refunds: { count: number; amount: number };
  reversed: { count: number; amount: number };
  /** gross − refunds */
  net: number;
}

export interface ShiftReport {
  filter: { terminalId: string | null; staff: string | null; from: string; to: string };
  byChannel: { channel: string; currency: string; count: number; gross: number; refunded: number }[];
  /**
   * One entry per currency, yuan first (always there): paid, refunded and reversed amounts are never added across
   * currencies.
   */
  byCurrency: ShiftCurrencyTotals[];
  expired: number;
  created: number;
}

/**
 * 交班报表: what a terminal or a cashier took in a time window. Charges are counted by the time
 * they were created at the counter; refunds are those recorded on them. Cashiers may only run it
 * for their own terminal or themselves.
 */
export async function shiftReport(actor: Actor, f: ShiftFilter): Promise<ShiftReport> {
  if (!can(actor.role, "terminals.all")) {
    const own = (f.terminalId && f.terminalId === actor.terminalId) || (f.staffId && f.staffId === actor.id);
    if (!own) throw new AppError("forbiddenShift");
  }
  const db = await getDb();
  const conds: SQL[] = [
    sql`${charges.status} <> 'creating'`,
    gte(charges.createdAt, f.from),
    lt(charges.createdAt, f.to),
  ];
  if (f.terminalId) conds.push(eq(charges.terminalId, f.terminalId));
  if (f.staffId) conds.push(eq(charges.createdBy, f.staffId));
  const scope = cashierScope(actor);
  if (scope) conds.push(scope);
  const where = and(...conds);
  const paid = sql`${charges.status} = 'paid'`;
  const [rows, perCurrency, staff] = await Promise.all([
    db
      .select({
        channel: charges.channel,
        currency: charges.currency,
        count: sql<string>`count(*) filter (where ${paid})`,
        gross: sql<string>`coalesce(sum(${charges.amount}) filter (where ${paid}), 0)`,
        refunded: sql<string>`coalesce(sum(${charges.amountRefunded}), 0)`,
      })
      .from(charges)
      .where(where)
      .groupBy(charges.channel, charges.currency)
      .orderBy(charges.channel),
    db
      .select({
        currency: charges.currency,
        created: sql<string>`count(*)`,
        paidCount: sql<string>`count(*) filter (where ${paid})`,
        gross: sql<string>`coalesce(sum(${charges.amount}) filter (where ${paid}), 0)`,
        refundCount: sql<string>`count(*) filter (where ${charges.amountRefunded} > 0)`,
        refundAmount: sql<string>`coalesce(sum(${charges.amountRefunded}), 0)`,
        reversedCount: sql<string>`count(*) filter (where ${charges.status} = 'reversed')`,
        reversedAmount: sql<string>`coalesce(sum(${charges.amount}) filter (where ${charges.status} = 'reversed'), 0)`,
        expired: sql<string>`count(*) filter (where ${charges.status} = 'expired')`,
      })
      .from(charges)
      .where(where)
      .groupBy(charges.currency),
    f.staffId
      ? db.select({ email: staffUsers.email }).from(staffUsers).where(eq(staffUsers.id, f.staffId))
      : Promise.resolve([]),
  ]);
  const n = (v: string | number | undefined) => Number(v ?? 0);
  return {
    filter: {
      terminalId: f.terminalId ?? null,
      staff: staff[0]?.email ?? null,
      from: f.from.toISOString(),
      to: f.to.toISOString(),
    },
    byChannel: rows
      .filter((r) => n(r.count) > 0 || n(r.refunded) > 0)
      .map((r) => ({
        channel: r.channel,
        currency: r.currency,
        count: n(r.count),
        gross: n(r.gross),
        refunded: n(r.refunded),
      })),
    byCurrency: byCurrency(
      perCurrency
        .map((t) => ({
          currency: t.currency,
          paid: { count: n(t.paidCount), gross: n(t.gross) },
          refunds: { count: n(t.refundCount), amount: n(t.refundAmount) },
          reversed: { count: n(t.reversedCount), amount: n(t.reversedAmount) },
          net: n(t.gross) - n(t.refundAmount),
        }))
        .filter((t) => t.paid.count > 0 || t.refunds.count > 0 || t.reversed.count > 0),
      (currency) => ({
        currency,
        paid: { count: 0, gross: 0 },
        refunds: { count: 0, amount: 0 },
        reversed: { count: 0, amount: 0 },
        net: 0,
      }),
    ),
    expired: perCurrency.reduce((k, t) => k + n(t.expired), 0),
    created: perCurrency.reduce((k, t) => k + n(t.created), 0),
  };
}
