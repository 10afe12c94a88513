import { afterEach, beforeEach, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import { eventually, webhooksDelivered } from "@/tests/helpers/console-sandbox";
import { addActor } from "@/tests/helpers/actors";
import { paidQrOrder } from "@/tests/helpers/payments";
import { auditLogs, charges, orders, pingppEvents, refunds, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { shanghaiToday, shanghaiDayEnd, shanghaiDayStart } from "@/lib/dates";
import { createChargeSchema } from "@/lib/validations/charges";
import { refundChargeSchema, refundOrderSchema } from "@/lib/validations/refunds";
import { EXPORTS } from "@/lib/services/exports";
import type { Cell } from "@/lib/csv/write";
import type { Actor } from "./actor";
import { chargeDetail, chargeTotals, createCharge, listCharges } from "./charges";
import { overviewStats } from "./overview";
import { shiftReport } from "./shift-report";
import { getOrder, listOrders } from "./orders";
import { listRefunds, refundCharge, refundOrder } from "./refunds";

/**
 * Issue 15, items 4 and 5: every total is per currency (a cb_* charge is in US dollars and is
 * never added into yuan), and every page reads a refund the same way (部分退款 / 已退款 by what
 * succeeded; a pending refund as pending, never as refunded).
 */
let h: ConsoleSandbox;
let db: Db;
let cashier: Actor;
let finance: Actor;

// Refunds stay pending until a test finishes them (`settle()`), as with a real channel.
consoleTestbed((bed) => ({ h, db } = bed), {
  sandbox: { refundDelayMs: 3_600_000 },
  clean: [refunds, orders, charges, pingppEvents, auditLogs, staffUsers],
});

beforeEach(async () => {
  h.sandbox.setWebhookUrl(h.webhookUrl);
  await h.sim("faults", { mode: "none" });
  cashier = await addActor(db, "c@money.test", "cashier", "T31");
  finance = await addActor(db, "f@money.test", "finance");
});

// a test's last webhooks land before the next test's clean-up, never after it (they would re-create rows)
afterEach(() => webhooksDelivered(h.sandbox.url));

const settle = () => h.sim("jobs/run");

/** A QR charge at the till, paid by the customer; returns its ch_ id. */
async function paidCharge(channel: "alipay_qr" | "cb_alipay_qr", amount: string): Promise<string> {
  const view = await createCharge(
    cashier,
    createChargeSchema.parse({
      idempotencyKey: crypto.randomUUID(),
      amount,
      channel,
      subject: "门店消费",
      body: "收银台",
    }),
  );
  const [row] = await db.select().from(charges).where(eq(charges.id, view.id));
  expect(row!.currency).toBe(channel.startsWith("cb_") ? "usd" : "cny");
  await h.sim(`charges/${row!.pingppId}/pay`);
  await eventually(
    async () =>
      (
        await db
          .select()
          .from(charges)
          .where(and(eq(charges.id, view.id), eq(charges.status, "paid")))
      ).length > 0,
    "charge paid",
  );
  return row!.pingppId!;
}

/** Order mode, paid: our order id and its ch_ id. */
const paidOrder = (amount: string) => paidQrOrder(h, db, cashier, amount);

const refundForm = (orderId: string, amount: string) =>
  refundOrderSchema.parse({ idempotencyKey: crypto.randomUUID(), orderId, amount, description: "顾客退货" });

/** Every row (and the header) of an export, as the route streams it. */
async function exported(
  kind: string,
  query: Record<string, string> = {},
): Promise<{ header: string[]; rows: Cell[][] }> {
  const def = EXPORTS[kind]!;
  const rows: Cell[][] = [];
  for await (const batch of def.rows(finance, query)) rows.push(...batch);
  return { header: def.header, rows };
}
const column = (e: { header: string[]; rows: Cell[][] }, name: string, key: (r: Cell[]) => boolean) => {
  const i = e.header.findIndex((h) => h.endsWith(` ${name}`));
  expect(i).toBeGreaterThanOrEqual(0);
  return e.rows.find(key)?.[i];
};

describe("currencies are never added (cb_* charges are in US dollars)", () => {
  it("a USD and a CNY charge: list totals, overview, shift report and export summary each give two currency totals", async () => {
    await paidCharge("alipay_qr", "12.34");
    await paidCharge("cb_alipay_qr", "5.00");

    // the charges list: one entry per currency, yuan first; US$ is not added into ¥
    const totals = await chargeTotals(finance, {});
    expect(totals.count).toBe(2);
    expect(totals.byCurrency.map((c) => [c.currency, c.paidCount, c.paidAmount])).toEqual([
      ["cny", 1, 1234],
      ["usd", 1, 500],
    ]);

    // the overview (its API answers this same object): USD is there, on its own
    const today = shanghaiToday();
    const stats = await overviewStats(finance, { from: shanghaiDayStart(today), to: shanghaiDayEnd(today) });
    expect(stats.currencies.map((c) => [c.currency, c.totals.gross, c.totals.count])).toEqual([
      ["cny", 1234, 1],
      ["usd", 500, 1],
    ]);
    expect(stats.currencies[1]!.byChannel.map((c) => [c.channel, c.gross])).toEqual([["cb_alipay_qr", 500]]);
    expect(stats.currencies[1]!.trend.at(-1)).toMatchObject({ day: today, gross: 500, count: 1 });
    expect(stats.currencies[0]!.byTerminal.map((c) => [c.terminalId, c.gross])).toEqual([["T31", 1234]]);

    // the shift report: the USD charge's amount is counted, in its own currency
    const shift = await shiftReport(cashier, {
      terminalId: "T31",
      from: new Date(Date.now() - 3_600_000),
      to: new Date(Date.now() + 60_000),
    });
    expect(shift.byCurrency.map((c) => [c.currency, c.paid.count, c.paid.gross, c.net])).toEqual([
      ["cny", 1, 1234, 1234],
      ["usd", 1, 500, 500],
    ]);

    // the export summary: one row per currency; the rows carry their currency
    expect(await EXPORTS.charges!.summary!.rows(finance, {})).toEqual([
      ["CNY", 1, 1, "12.34", "0.00", "0.00"],
      ["USD", 1, 1, "5.00", "0.00", "0.00"],
    ]);
    const csv = await exported("charges");
    expect(csv.rows.map((r) => [r[3], r[4]]).sort()).toEqual([
      ["12.34", "CNY"],
      ["5.00", "USD"],
    ]);
  });

  it("refund totals are per currency too", async () => {
    const cny = await paidCharge("alipay_qr", "20.00");
    const usd = await paidCharge("cb_alipay_qr", "8.00");
    for (const [chargeId, amount] of [
      [cny, "2.00"],
      [usd, "3.00"],
    ] as const) {
      await refundCharge(
        finance,
        refundChargeSchema.parse({ idempotencyKey: crypto.randomUUID(), chargeId, amount, description: "退货" }),
      );
    }
    await settle();
    await eventually(
      async () => (await listRefunds({})).totals.byCurrency.every((c) => c.succeeded > 0),
      "refunds succeeded",
    );
    expect((await listRefunds({})).totals.byCurrency.map((c) => [c.currency, c.count, c.succeeded])).toEqual([
      ["cny", 1, 200],
      ["usd", 1, 300],
    ]);
    expect(await EXPORTS.refunds!.summary!.rows(finance, {})).toEqual([
      ["CNY", 1, "2.00", "2.00", "0.00"],
      ["USD", 1, "3.00", "3.00", "0.00"],
    ]);
    const totals = await chargeTotals(finance, {});
    expect(totals.byCurrency.map((c) => [c.currency, c.refundedAmount])).toEqual([
      ["cny", 200],
      ["usd", 300],
    ]);
  });
});

describe("refund states: the same on every page", () => {
  it("a partial refund reads 部分退款 on the order (list, detail, filter, export) and its charge (list, detail, export); the rest makes it 已退款", async () => {
    const { orderId, chargeId } = await paidOrder("100.00");
    await refundOrder(finance, refundForm(orderId, "30.00"));
    await settle();
    await eventually(async () => (await getOrder(finance, orderId)).refund.succeeded === 3000, "refund succeeded");
    await eventually(
      async () => (await db.select().from(orders).where(eq(orders.id, orderId)))[0]!.status === "refunded",
      "order.refunded",
    );

    // Ping++ calls the order `refunded`; 30 of 100 went back: 部分退款
    const detail = await getOrder(finance, orderId);
    expect(detail.row.status).toBe("refunded");
    expect(detail.shownStatus).toBe("partially_refunded");
    expect(detail.refund).toEqual({ level: "partial", succeeded: 3000, pending: 0 });
    expect(detail.charges[0]).toMatchObject({
      refunded: 3000,
      refund: { level: "partial", pending: 0 },
      remainder: 7000,
    });
    const listed = (await listOrders(finance, {})).items.find((i) => i.row.id === orderId)!;
    expect(listed.shownStatus).toBe("partially_refunded");
    expect(listed.refund).toEqual(detail.refund);
    expect((await listOrders(finance, { status: "partially_refunded" })).items.map((i) => i.row.id)).toEqual([orderId]);
    expect((await listOrders(finance, { status: "refunded" })).items).toHaveLength(0);
    const orderCsv = await exported("orders");
    expect(column(orderCsv, "status", (r) => r[0] === detail.row.pingppId)).toBe("partially_refunded");
    expect(column(orderCsv, "amount_refunded", (r) => r[0] === detail.row.pingppId)).toBe("30.00");

    const chargeRow = (await listCharges(finance, {})).rows.find((r) => r.chargeId === chargeId)!;
    expect(chargeRow.refund).toEqual({ level: "partial", succeeded: 3000, pending: 0 });
    expect((await chargeDetail(finance, chargeId)).refund).toEqual(chargeRow.refund);
    const chargeCsv = await exported("charges");
    expect(column(chargeCsv, "refund_state", (r) => r[0] === chargeId)).toBe("partially_refunded");

    // the rest goes back: 已退款
    await refundOrder(finance, refundForm(orderId, "70.00"));
    await settle();
    await eventually(async () => (await getOrder(finance, orderId)).refund.level === "full", "fully refunded");
    expect((await getOrder(finance, orderId)).shownStatus).toBe("refunded");
    expect((await listOrders(finance, { status: "refunded" })).items.map((i) => i.row.id)).toEqual([orderId]);
    await eventually(
      async () => (await listCharges(finance, {})).rows.find((r) => r.chargeId === chargeId)!.refund.level === "full",
      "charge fully refunded",
    );
  });

  it("a pending refund shows as pending everywhere, never as refunded", async () => {
    const { orderId, chargeId } = await paidOrder("50.00");
    await refundOrder(finance, refundForm(orderId, "10.00")); // stays pending: the channel has not answered

    // the order: nothing refunded yet, ¥10.00 on its way; its charge line says the same (not ¥10.00 refunded)
    const detail = await getOrder(finance, orderId);
    expect(detail.refund).toEqual({ level: "none", succeeded: 0, pending: 1000 });
    expect(detail.shownStatus).toBe("paid");
    expect(detail.charges[0]).toMatchObject({
      refunded: 0,
      refund: { level: "none", succeeded: 0, pending: 1000 },
      remainder: 4000,
    });
    const listed = (await listOrders(finance, {})).items.find((i) => i.row.id === orderId)!;
    expect(listed.refund).toEqual(detail.refund);
    const orders_ = (await listOrders(finance, {})).totals.byCurrency;
    expect(orders_).toEqual([
      { currency: "cny", count: 1, amount: 5000, paid: 5000, refunded: 0, pendingRefund: 1000 },
    ]);
    const orderCsv = await exported("orders");
    expect(column(orderCsv, "amount_refunded", (r) => r[0] === detail.row.pingppId)).toBe("0.00");
    expect(column(orderCsv, "refund_pending", (r) => r[0] === detail.row.pingppId)).toBe("10.00");

    // the charge: list, detail, totals and export
    const chargeRow = (await listCharges(finance, {})).rows.find((r) => r.chargeId === chargeId)!;
    expect(chargeRow.refund).toEqual({ level: "none", succeeded: 0, pending: 1000 });
    expect((await chargeDetail(finance, chargeId)).refund).toEqual(chargeRow.refund);
    expect((await chargeTotals(finance, {})).byCurrency[0]).toMatchObject({
      refundedAmount: 0,
      pendingRefundAmount: 1000,
    });
    const chargeCsv = await exported("charges");
    expect(column(chargeCsv, "refunded", (r) => r[0] === chargeId)).toBe("0.00");
    expect(column(chargeCsv, "refund_pending", (r) => r[0] === chargeId)).toBe("10.00");
    expect(column(chargeCsv, "refund_state", (r) => r[0] === chargeId)).toBe("");
    // the refunds list
    expect((await listRefunds({})).totals.byCurrency).toEqual([
      { currency: "cny", count: 1, amount: 1000, succeeded: 0, pending: 1000 },
    ]);

    // once it succeeds: ¥10.00 refunded, nothing pending, 部分退款
    await settle();
    // every webhook of the settlement applied (refund.succeeded and order.refunded may land in either order)
    await webhooksDelivered(h.sandbox.url);
    await eventually(async () => (await getOrder(finance, orderId)).refund.pending === 0, "refund settled");
    expect((await getOrder(finance, orderId)).refund).toEqual({ level: "partial", succeeded: 1000, pending: 0 });
  });
});
