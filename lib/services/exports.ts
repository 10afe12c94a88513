import "server-only";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { getDb } from "../db";
import { orders, redEnvelopes, refunds, royaltySettlements } from "../db/schema";
import { shanghaiDayEnd, shanghaiDayStart } from "../dates";
import { chargeTotals, listCharges } from "./charges";
import { listOrders, orderRefundColumns, orderRefundState, orderWhere } from "./orders";
import { listRefunds, refundWhere } from "./refunds";
import { shownOrderStatus, type RefundLevel } from "../refund-state";
import { redEnvelopeWhere } from "./red-envelopes";
import { settlementWhere } from "./settlements";
import { chargeFilterSchema } from "../validations/charges";
import { orderFilterSchema } from "../validations/orders";
import { refundFilterSchema } from "../validations/refunds";
import { redEnvelopeFilterSchema } from "../validations/red-envelopes";
import { settlementFilterSchema } from "../validations/settlements";
import type { Actor } from "./actor";
import { allDifferences, getRun } from "./reconciliation";
import { AppError } from "./errors";
import { pages, shanghaiTime, yuan, type Cell } from "../csv/write";

/**
 * The CSV exports: each one is exactly what its list page's filters select (the same filter
 * schema and the same WHERE as the list), read newest first in keyset batches of 1,000 rows.
 */
export interface ExportDef {
  header: string[];
  rows: (actor: Actor, query: Record<string, string>) => AsyncGenerator<Cell[][]>;
  /**
   * `?summary=1`: the list's totals for the same filters, one row per currency (yuan first), never added across
   * currencies.
   */
  summary?: { header: string[]; rows: (actor: Actor, query: Record<string, string>) => Promise<Cell[][]> };
  /**
   * Columns whose codes also go out as words (zh-CN or en), appended after the existing columns so
   * a consumer reading by position is not moved: the column's index and its message namespace.
   */
  words?: { column: number; messages: string; header: string }[];
  /**
   * Checked before the stream starts, when the export is of one thing (a 对账 run): false → the
   * route answers 404, rather than a download that breaks after its header.
   */
  exists?: (query: Record<string, string>) => Promise<boolean>;
}

const CHANNEL_WORDS = { messages: "channels", header: "渠道名称 channel_name" };
const STATUS_WORDS = (messages: string) => ({ messages, header: "状态名称 status_name" });

const BATCH = 1000;

/** The refund state column: the same words a person reads on the page. */
const REFUND_LEVEL: Record<RefundLevel, string> = { none: "", partial: "partially_refunded", full: "refunded" };

/** Newest-first keyset walk over (created_at, id) of any table, under a WHERE. */
async function* keyset<R extends { createdAt: Date; id: string }>(
  fetch: (after: SQL | undefined) => Promise<R[]>,
  createdAt: PgColumn,
  id: PgColumn,
): AsyncGenerator<R[]> {
  let after: SQL | undefined;
  for (;;) {
    const rows = await fetch(after);
    if (rows.length) yield rows;
    if (rows.length < BATCH) return;
    const last = rows[rows.length - 1]!;
    after = sql`(${createdAt}, ${id}) < (${last.createdAt.toISOString()}::timestamptz, ${last.id}::uuid)`;
  }
}

async function* mapped<R>(source: AsyncGenerator<R[]>, toCells: (r: R) => Cell[]): AsyncGenerator<Cell[][]> {
  for await (const batch of source) yield batch.map(toCells);
}

const days = (f: { from?: string; to?: string }) => ({
  from: f.from ? shanghaiDayStart(f.from) : undefined,
  to: f.to ? shanghaiDayEnd(f.to) : undefined,
});

export const EXPORTS: Record<string, ExportDef> = {
  charges: {
    words: [
      { column: 2, ...CHANNEL_WORDS },
      { column: 6, ...STATUS_WORDS("chargeStatus") },
    ],
    header: [
      "交易编号 charge_id",
      "订单号 order_no",
      "渠道 channel",
      "金额 amount",
      "币种 currency",
      "已退款 refunded",
      "状态 status",
      "终端 terminal",
      "商品 subject",
      "创建时间 created",
      "支付时间 paid",
      "退款中 refund_pending",
      "退款状态 refund_state",
    ],
    rows: (actor, q) => {
      const { cursor: _c, ...f } = chargeFilterSchema.parse(q);
      void _c;
      return mapped(
        pages((cursor) => listCharges(actor, { ...f, cursor }, BATCH)),
        (r) => [
          r.chargeId,
          r.orderNo,
          r.channel,
          yuan(r.amount),
          r.currency.toUpperCase(),
          yuan(r.refund.succeeded),
          r.status,
          r.terminalId,
          r.subject,
          shanghaiTime(r.createdAt),
          shanghaiTime(r.timePaid),
          yuan(r.refund.pending),
          REFUND_LEVEL[r.refund.level],
        ],
      );
    },
    summary: {
      header: [
        "币种 currency",
        "笔数 count",
        "已支付笔数 paid_count",
        "收款 paid_amount",
        "已退款 refunded",
        "退款中 refund_pending",
      ],
      rows: async (actor, q) => {
        const { cursor: _c, ...f } = chargeFilterSchema.parse(q);
        void _c;
        const t = await chargeTotals(actor, f);
        return t.byCurrency.map((c) => [
          c.currency.toUpperCase(),
          c.count,
          c.paidCount,
          yuan(c.paidAmount),
          yuan(c.refundedAmount),
          yuan(c.pendingRefundAmount),
        ]);
      },
    },
  },
  orders: {
    words: [
      { column: 8, ...CHANNEL_WORDS },
      { column: 7, ...STATUS_WORDS("orderStatus") },
    ],
    header: [
      "订单编号 order_id",
      "商户订单号 merchant_order_no",
      "用户 uid",
      "金额 amount",
      "实付 actual_amount",
      "已付 amount_paid",
      "已退款 amount_refunded",
      "状态 status",
      "渠道 channel",
      "终端 terminal",
      "创建时间 created",
      "支付时间 paid",
      "币种 currency",
      "退款中 refund_pending",
    ],
    rows: async function* (actor, q) {
      const where = orderWhere(actor, orderFilterSchema.parse(q));
      const db = await getDb();
      yield* mapped(
        keyset(
          async (after) =>
            (
              await db
                .select({ o: orders, ...orderRefundColumns })
                .from(orders)
                .where(and(where, after))
                .orderBy(desc(orders.createdAt), desc(orders.id))
                .limit(BATCH)
            ).map((r) => ({ ...r, createdAt: r.o.createdAt, id: r.o.id })),
          orders.createdAt,
          orders.id,
        ),
        ({ o, succeeded, pending }) => {
          // the same refund state as the list and the order page: 部分退款 / 已退款 by what succeeded, pending apart
          const refund = orderRefundState(o, { succeeded: Number(succeeded), pending: Number(pending) });
          return [
            o.pingppId,
            o.merchantOrderNo,
            o.uid,
            yuan(o.amount),
            yuan(o.actualAmount),
            yuan(o.amountPaid),
            yuan(refund.succeeded),
            shownOrderStatus(o.status, refund),
            o.channel,
            o.terminalId,
            shanghaiTime(o.createdAt),
            shanghaiTime(o.timePaid),
            o.currency.toUpperCase(),
            yuan(refund.pending),
          ];
        },
      );
    },
    summary: {
      header: [
        "币种 currency",
        "笔数 count",
        "应付 amount",
        "已付 amount_paid",
        "已退款 amount_refunded",
        "退款中 refund_pending",
      ],
      rows: async (actor, q) => {
        const { totals } = await listOrders(actor, orderFilterSchema.parse(q));
        return totals.byCurrency.map((c) => [
          c.currency.toUpperCase(),
          c.count,
          yuan(c.amount),
          yuan(c.paid),
          yuan(c.refunded),
          yuan(c.pendingRefund),
        ]);
      },
    },
  },
  refunds: {
    words: [{ column: 4, ...STATUS_WORDS("refundStatus") }],
    header: [
      "退款编号 refund_id",
      "交易编号 charge_id",
      "订单编号 order_id",
      "金额 amount",
      "状态 status",
      "原因 description",
      "失败原因 failure",
      "创建时间 created",
      "成功时间 succeeded",
      "币种 currency",
    ],
    rows: async function* (_actor, q) {
      const where = refundWhere(refundFilterSchema.parse(q));
      const db = await getDb();
      yield* mapped(
        keyset(
          (after) =>
            db
              .select({ r: refunds, orderPingppId: orders.pingppId, createdAt: refunds.createdAt, id: refunds.id })
              .from(refunds)
              .leftJoin(orders, eq(orders.id, refunds.orderId))
              .where(and(where, after))
              .orderBy(desc(refunds.createdAt), desc(refunds.id))
              .limit(BATCH),
          refunds.createdAt,
          refunds.id,
        ),
        ({ r, orderPingppId }) => [
          r.pingppId,
          r.chargeId,
          orderPingppId,
          yuan(r.amount),
          r.status,
          r.description,
          r.failureMsg,
          shanghaiTime(r.createdAt),
          shanghaiTime(r.timeSucceed),
          r.currency.toUpperCase(),
        ],
      );
    },
    summary: {
      header: ["币种 currency", "笔数 count", "金额 amount", "已成功 succeeded", "退款中 pending"],
      rows: async (_actor, q) => {
        const { totals } = await listRefunds(refundFilterSchema.parse(q));
        return totals.byCurrency.map((c) => [
          c.currency.toUpperCase(),
          c.count,
          yuan(c.amount),
          yuan(c.succeeded),
          yuan(c.pending),
        ]);
      },
    },
  },
  "red-envelopes": {
    words: [{ column: 4, ...STATUS_WORDS("redEnvelopeStatus") }],
    header: [
      "红包编号 red_envelope_id",
      "订单号 order_no",
      "接收者 recipient",
      "金额 amount",
      "状态 status",
      "主题 subject",
      "失败原因 failure",
      "创建时间 created",
      "领取时间 received",
    ],
    rows: async function* (_actor, q) {
      // Exactly the list's WHERE, `creating` rows included: the list shows them (and filters by
      // them), and a send whose answer was lost may have reached Ping++ — finance needs to see it.
      const f = redEnvelopeFilterSchema.parse(q);
      const where = redEnvelopeWhere({ ...f, ...days(f) });
      const db = await getDb();
      yield* mapped(
        keyset(
          (after) =>
            db
              .select()
              .from(redEnvelopes)
              .where(and(where, after))
              .orderBy(desc(redEnvelopes.createdAt), desc(redEnvelopes.id))
              .limit(BATCH),
          redEnvelopes.createdAt,
          redEnvelopes.id,
        ),
        (r) => [
          r.pingppId,
          r.orderNo,
          r.recipient,
          yuan(r.amount),
          r.status,
          r.subject,
          r.failureMsg,
          shanghaiTime(r.createdAt),
          shanghaiTime(r.receivedAt),
        ],
      );
    },
  },
  settlements: {
    words: [{ column: 8, ...STATUS_WORDS("settlementStatus") }],
    header: [
      "结算编号 settlement_id",
      "方式 method",
      "金额 amount",
      "成功 succeeded",
      "失败 failed",
      "取消 canceled",
      "手续费 fee",
      "笔数 count",
      "状态 status",
      "创建时间 created",
      "完成时间 finished",
    ],
    rows: async function* (_actor, q) {
      const f = settlementFilterSchema.parse(q);
      const where = settlementWhere({ ...f, ...days(f) });
      const db = await getDb();
      yield* mapped(
        keyset(
          (after) =>
            db
              .select()
              .from(royaltySettlements)
              .where(and(where, after))
              .orderBy(desc(royaltySettlements.createdAt), desc(royaltySettlements.id))
              .limit(BATCH),
          royaltySettlements.createdAt,
          royaltySettlements.id,
        ),
        (s) => [
          s.pingppId,
          s.method,
          yuan(s.amount),
          yuan(s.amountSucceeded),
          yuan(s.amountFailed),
          yuan(s.amountCanceled),
          yuan(s.fee),
          s.count,
          s.status,
          shanghaiTime(s.createdAt),
          shanghaiTime(s.timeFinished),
        ],
      );
    },
  },
  // 对账: one run's differences (`?run=<id>`), oldest first, in keyset pages.
  reconciliation: {
    header: [
      "日期 day",
      "类型 kind",
      "对象 object",
      "Ping++ ID",
      "币种 currency",
      "控制台 console",
      "Ping++",
      "差额 amount",
      "处理 resolution",
      "说明 note",
      "处理时间 resolved_at",
    ],
    exists: (q) =>
      getRun(q.run ?? "").then(
        () => true,
        (e: unknown) => (e instanceof AppError ? false : Promise.reject(e)),
      ),
    rows: async function* (_actor, q) {
      const run = await getRun(q.run ?? "");
      let batch: Cell[][] = [];
      for await (const d of allDifferences(run.id)) {
        batch.push([
          run.day,
          d.kind,
          d.objectType,
          d.pingppId,
          d.currency.toUpperCase(),
          d.ours,
          d.theirs,
          yuan(d.amount),
          d.resolution,
          d.note,
          shanghaiTime(d.resolvedAt),
        ]);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
  },
};

/**
 * An export's header and row mapping with its `words` columns appended: each code cell's words in
 * the given language (`translate(namespace, code)`, which answers null for a code it does not know:
 * the cell is left empty rather than guessed).
 */
export function withWords(
  def: ExportDef,
  translate: (messages: string, code: string) => string | null,
): { header: string[]; cells: (row: Cell[]) => Cell[] } {
  const words = def.words ?? [];
  return {
    header: [...def.header, ...words.map((w) => w.header)],
    cells: (row) => [
      ...row,
      ...words.map((w) =>
        row[w.column] == null || row[w.column] === "" ? "" : (translate(w.messages, String(row[w.column])) ?? ""),
      ),
    ],
  };
}
