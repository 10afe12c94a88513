import { beforeEach, describe, expect, it } from "vitest";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { eventually } from "@/tests/helpers/console-sandbox";
import { addActor } from "@/tests/helpers/actors";
import { qrChargeForm } from "@/tests/helpers/payments";
import { auditLogs, charges, orders, pingppEvents, refunds, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { createOrderSchema, type CreateOrderInput } from "@/lib/validations/orders";
import { refundChargeSchema, refundOrderSchema } from "@/lib/validations/refunds";
import type { Actor } from "./actor";
import * as svc from "./orders";
import * as rsvc from "./refunds";
import { createCharge } from "./charges";

let h: ConsoleSandbox;
let db: Db;
let cashier: Actor;
let other: Actor;
let finance: Actor;
let admin: Actor;

// Refunds stay pending until a test finishes them (`settle()`), as with a real channel. The two
// "timeout" tests wait for the client to give up: 2 s here (PINGPP_TIMEOUT_MS), not the product's 15 s.
consoleTestbed((bed) => ({ h, db } = bed), {
  sandbox: { refundDelayMs: 3_600_000, pingppTimeoutMs: 2_000 },
  clean: [refunds, orders, charges, pingppEvents, auditLogs, staffUsers],
});

beforeEach(async () => {
  h.sandbox.setWebhookUrl(h.webhookUrl);
  await h.sim("faults", { mode: "none" });
  cashier = await addActor(db, "c1@shop.cn", "cashier", "T01");
  other = await addActor(db, "c2@shop.cn", "cashier", "T02");
  finance = await addActor(db, "f@shop.cn", "finance");
  admin = await addActor(db, "a@shop.cn", "admin");
});

/** The sandbox's own API, as Ping++ itself (not through the console). */
async function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${h.sandbox.url}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${h.sandbox.apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
}

const orderForm = (over: Partial<CreateOrderInput> = {}) =>
  createOrderSchema.parse({
    idempotencyKey: crypto.randomUUID(),
    amount: "100.00",
    channel: "alipay_qr",
    subject: "门店订单",
    body: "收银台订单",
    ...over,
  });
const refundForm = (orderId: string, amount: string, over: Record<string, unknown> = {}) =>
  refundOrderSchema.parse({ idempotencyKey: crypto.randomUUID(), orderId, amount, description: "顾客退货", ...over });

const orderRow = async (id: string) => (await db.select().from(orders).where(eq(orders.id, id)))[0]!;
const chargeRow = async (id: string) => (await db.select().from(charges).where(eq(charges.id, id)))[0]!;
const sandboxRefunds = async (chargeId: string) =>
  (
    await api<{ data: { id: string; amount: number; status: string }[] }>(
      "GET",
      `/charges/${chargeId}/refunds?limit=100`,
    )
  ).data;
const audits = (action: string) => db.select().from(auditLogs).where(eq(auditLogs.action, action));

/** Order mode, paid by the customer: returns our order row id and the charge's ch_ id. */
async function paidOrder(amount = "100.00"): Promise<{ orderId: string; chargeId: string }> {
  const view = await svc.createOrderCharge(cashier, orderForm({ amount }));
  const { pingppId } = await chargeRow(view.id);
  await h.sim(`charges/${pingppId}/pay`);
  const [o] = await eventually(async () => {
    const rows = await db
      .select()
      .from(orders)
      .where(and(eq(orders.chargeId, pingppId!), eq(orders.status, "paid")));
    return rows.length ? rows : null;
  }, "order paid");
  return { orderId: o!.id, chargeId: pingppId! };
}

const settle = () => h.sim("jobs/run");

describe("order mode on the cashier screen", () => {
  it("creates the order and pays it by QR; the screen gets the charge, the webhooks make both paid", async () => {
    const view = await svc.createOrderCharge(cashier, orderForm({ amount: "0.50" }));
    expect(view).toMatchObject({ status: "pending", amount: 50, channel: "alipay_qr", terminalId: "T01" });
    expect(view.qrPayload).toMatch(/\/pay\/ch_/);
    const [order] = await db.select().from(orders);
    expect(order).toMatchObject({ status: "created", amount: 50, createdBy: cashier.id, terminalId: "T01" });
    const remote = await api<{ charge: string; status: string }>("GET", `/orders/${order!.pingppId}`);
    expect(remote.charge).toBe((await chargeRow(view.id)).pingppId);

    await h.sim(`charges/${remote.charge}/pay`);
    // two webhooks, charge.succeeded and order.succeeded, each applied on its own arrival: wait for both
    await eventually(async () => (await orderRow(order!.id)).status === "paid", "order paid");
    await eventually(async () => (await chargeRow(view.id)).status === "paid", "charge paid");
    // exactly one entry, and on a failure the message shows every row there is
    expect(await audits("order.create")).toMatchObject([{ result: "ok", targetId: order!.pingppId }]);
  });

  it("a double click makes one order and one charge at Ping++", async () => {
    const input = orderForm();
    const results = await Promise.allSettled([
      svc.createOrderCharge(cashier, input),
      svc.createOrderCharge(cashier, input),
    ]);
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThanOrEqual(1);
    const again = await svc.createOrderCharge(cashier, input);
    expect(await db.$count(orders)).toBe(1);
    expect(await db.$count(charges)).toBe(1);
    const [o] = await db.select().from(orders);
    const remote = await api<{ charges: { data: unknown[] } }>("GET", `/orders/${o!.pingppId}`);
    expect(remote.charges.data).toHaveLength(1);
    expect(again.id).toBe((await db.select().from(charges))[0]!.id);
  });

  it("Ping++ down while creating: a clear error, and a retry with the same form makes one order", async () => {
    const input = orderForm();
    await h.sim("faults", { mode: "502_html", count: 1 });
    await expect(svc.createOrderCharge(cashier, input)).rejects.toMatchObject({ code: "pingppUnavailable" });
    expect((await db.select().from(orders))[0]).toMatchObject({ status: "creating", pingppId: null });
    expect((await svc.listOrders(finance, {})).items).toHaveLength(0); // a claim is not an order yet
    await h.sim("faults", { mode: "500", count: 1 }); // the retry's create fails too: still nothing twice
    await expect(svc.createOrderCharge(cashier, input)).rejects.toMatchObject({ code: "pingppUnavailable" });
    const view = await svc.createOrderCharge(cashier, input);
    expect(view.status).toBe("pending");
    const [o] = await db.select().from(orders);
    const remote = await api<{ data: { merchant_order_no: string }[] }>(
      "GET",
      `/orders?app=${h.sandbox.appId}&per_page=20`,
    );
    expect(remote.data.filter((x) => x.merchant_order_no === o!.merchantOrderNo)).toHaveLength(1);
    expect((await audits("order.create")).map((a) => a.result).sort()).toEqual(["error", "error", "ok"]);
  });

  it("an order made at Ping++ whose answer was lost is found by the retry, not created twice", async () => {
    const input = orderForm({ uid: "buyer_42" });
    await h.sim("faults", { mode: "timeout", count: 1 });
    await expect(svc.createOrderCharge(cashier, input)).rejects.toMatchObject({ code: "pingppUnavailable" });
    const [claim] = await db.select().from(orders);
    // What Ping++ did although its answer never arrived:
    await api("POST", "/orders", {
      app: h.sandbox.appId,
      merchant_order_no: claim!.merchantOrderNo,
      amount: 10000,
      currency: "cny",
      client_ip: "1.2.3.4",
      subject: "门店订单",
      body: "收银台订单",
      uid: "buyer_42",
    });
    const view = await svc.createOrderCharge(cashier, input);
    expect(view.status).toBe("pending");
    const remote = await api<{ data: { merchant_order_no: string }[] }>(
      "GET",
      `/orders?app=${h.sandbox.appId}&uid=buyer_42`,
    );
    expect(remote.data).toHaveLength(1);
    expect((await orderRow(claim!.id)).pingppId).toMatch(/^\d+$/);
  });

  it("Ping++'s refusal of the order is shown and the form's key stays refused", async () => {
    const input = orderForm({ channel: "cb_alipay_qr" }); // orders are in yuan only
    await expect(svc.createOrderCharge(cashier, input)).rejects.toMatchObject({ code: "pingppRefused" });
    expect((await db.select().from(orders))[0]).toMatchObject({ status: "failed" });
    await expect(svc.createOrderCharge(cashier, input)).rejects.toMatchObject({ code: "pingppRefused" });
    expect((await audits("order.create"))[0]).toMatchObject({ result: "refused" });
  });

  it("a cashier sees their terminal's orders only, read-only; finance sees all", async () => {
    await svc.createOrderCharge(cashier, orderForm());
    const [o] = await db.select().from(orders);
    expect((await svc.listOrders(cashier, {})).items).toHaveLength(1);
    expect((await svc.listOrders(other, {})).items).toHaveLength(0);
    expect((await svc.listOrders(finance, {})).items).toHaveLength(1);
    await expect(svc.getOrder(other, o!.id)).rejects.toMatchObject({ code: "orders.errors.notFound" });
    await expect(svc.cancelOrder(cashier, o!.id, crypto.randomUUID())).rejects.toMatchObject({ code: "forbidden" });
    expect((await orderRow(o!.id)).status).toBe("created");
  });
});

describe("cancel (订单取消)", () => {
  it("cancels an unpaid order once; a double click sends one PUT; a paid order is refused before Ping++", async () => {
    await svc.createOrderCharge(cashier, orderForm());
    const [o] = await db.select().from(orders);
    const key = crypto.randomUUID();
    const [a, b] = await Promise.allSettled([
      svc.cancelOrder(finance, o!.id, key),
      svc.cancelOrder(finance, o!.id, key),
    ]);
    expect([a.status, b.status]).toContain("fulfilled");
    expect((await orderRow(o!.id)).status).toBe("canceled");
    expect((await svc.cancelOrder(finance, o!.id, key)).status).toBe("canceled"); // a retry of the same form
    const remote = await api<{ status: string }>("GET", `/orders/${o!.pingppId}`);
    expect(remote.status).toBe("canceled");
    expect((await audits("order.cancel")).filter((x) => x.result === "ok")).toHaveLength(1);

    const { orderId } = await paidOrder();
    await expect(svc.cancelOrder(admin, orderId, crypto.randomUUID())).rejects.toMatchObject({
      code: "orders.errors.notCancelable",
    });
    expect((await audits("order.cancel")).filter((x) => x.result === "refused").length).toBeGreaterThanOrEqual(1);
  });

  it("Ping++'s refusal (already canceled there) is shown with its message and nothing changes locally", async () => {
    await svc.createOrderCharge(cashier, orderForm());
    const [o] = await db.select().from(orders);
    await api("PUT", `/orders/${o!.pingppId}`, { status: "canceled" }); // canceled behind our back
    await expect(svc.cancelOrder(finance, o!.id, crypto.randomUUID())).rejects.toSatisfy(
      (e: { code: string; detail?: string }) =>
        e.code === "pingppRefused" && /已取消|already canceled/.test(e.detail ?? ""),
    );
    expect(await orderRow(o!.id)).toMatchObject({ status: "created", canceled: false, cancelKey: null });
    const [refused] = (await audits("order.cancel")).filter((x) => x.result === "refused");
    expect(refused?.message).toMatch(/已取消/);
  });

  it("Ping++ down: a clear error, nothing changed, the same form works when it is back", async () => {
    await svc.createOrderCharge(cashier, orderForm());
    const [o] = await db.select().from(orders);
    const key = crypto.randomUUID();
    await h.sim("faults", { mode: "500", count: 1 });
    await expect(svc.cancelOrder(finance, o!.id, key)).rejects.toMatchObject({ code: "pingppUnavailable" });
    // the claim is kept (the cancel may have gone through); the retry asks Ping++ first
    expect(await orderRow(o!.id)).toMatchObject({ status: "created", canceled: false, cancelKey: key });
    expect((await svc.cancelOrder(finance, o!.id, key)).status).toBe("canceled");
  });
});

describe("sync from Ping++", () => {
  it("reads every page of the orders list, stores orders made elsewhere, and is idempotent", async () => {
    for (let i = 0; i < 23; i++) {
      await api("POST", "/orders", {
        app: h.sandbox.appId,
        merchant_order_no: `SYNC${String(i).padStart(6, "0")}`,
        amount: 100 + i,
        currency: "cny",
        client_ip: "1.2.3.4",
        subject: "外部",
        body: "外部订单",
        uid: `u${i}`,
      });
    }
    const first = await svc.syncOrders(finance); // the sandbox also holds the orders of earlier tests
    expect(first.orders).toBeGreaterThanOrEqual(23);
    expect(first.pages).toBe(Math.ceil(first.orders / 20));
    expect(await db.$count(orders)).toBe(first.orders);
    expect(await svc.syncOrders(finance)).toEqual(first);
    expect(await db.$count(orders)).toBe(first.orders);
    await h.sim("faults", { mode: "500", count: 1 });
    await expect(svc.syncOrders(finance)).rejects.toMatchObject({ code: "pingppUnavailable" });
    expect((await audits("order.sync")).map((a) => a.result).sort()).toEqual(["error", "ok", "ok"]);
    const found = await svc.listOrders(finance, { q: "SYNC000007" });
    expect(found.items.map((x) => x.row.amount)).toEqual([107]);
    expect(found.totals.count).toBe(1);
    expect((await svc.listOrders(finance, { q: "u3" })).items).toHaveLength(1);
  });
});

describe("webhooks and forward-only state", () => {
  it("a late or repeated object never moves an order or a refund back", async () => {
    const { orderId, chargeId } = await paidOrder("10.00");
    const paid = await orderRow(orderId);
    const stale = {
      ...(paid.raw as Record<string, unknown>),
      status: "created",
      paid: false,
      amount_paid: 0,
      time_paid: null,
    } as never;
    const after = await db.transaction((tx) => svc.applyOrder(tx, stale));
    expect(after).toMatchObject({ status: "paid", paid: true, amountPaid: 1000 });
    expect(after.timePaid).not.toBeNull();

    const r = await rsvc.refundOrder(finance, refundForm(orderId, "4.00"));
    await settle();
    await eventually(async () => (await rsvc.getRefund(r.id)).row.status === "succeeded", "refund succeeded");
    const late = {
      ...(r.raw as Record<string, unknown>),
      status: "pending",
      succeed: false,
      time_succeed: null,
    } as never;
    expect((await db.transaction((tx) => rsvc.applyRefund(tx, late))).status).toBe("succeeded");
    const [evt] = await db.select().from(pingppEvents).where(eq(pingppEvents.type, "refund.succeeded"));
    expect(evt).toMatchObject({ status: "applied", objectId: r.pingppId });
    await h.sim("webhooks/redeliver", { event_id: evt!.id });
    await eventually(
      async () => (await db.select().from(pingppEvents).where(eq(pingppEvents.id, evt!.id)))[0]!.receiveCount === 2,
      "redelivered",
    );
    expect(await db.$count(refunds)).toBe(1);
    expect((await db.select().from(charges).where(eq(charges.pingppId, chargeId)))[0]!.amountRefunded).toBe(400);
  });

  it("a refund made outside the console arrives by webhook and counts against the remainder", async () => {
    const { orderId, chargeId } = await paidOrder("10.00");
    const [o] = await db.select().from(orders).where(eq(orders.id, orderId));
    await api("POST", `/orders/${o!.pingppId}/order_refunds`, {
      charge: chargeId,
      charge_amount: 300,
      description: "Ping++ 管理平台退款",
    });
    await settle();
    const ext = await eventually(async () => (await db.select().from(refunds))[0], "external refund stored");
    expect(ext).toMatchObject({ orderId, chargeId, amount: 300, status: "succeeded", idempotencyKey: null });
    await eventually(async () => (await orderRow(orderId)).amountRefunded === 300, "order.refunded");
    expect((await svc.getOrder(finance, orderId)).refundable).toBe(700);
  });
});

describe("refunds of orders (订单退款)", () => {
  it("partial, then up to the remainder, then refused; pending → succeeded via webhooks; all audited", async () => {
    const { orderId, chargeId } = await paidOrder("100.00");
    const r1 = await rsvc.refundOrder(finance, refundForm(orderId, "30.00"));
    expect(r1).toMatchObject({ status: "pending", amount: 3000, chargeId, orderId });
    await settle();
    await eventually(async () => (await rsvc.getRefund(r1.id)).row.status === "succeeded", "refund 1 succeeded");
    await eventually(async () => (await orderRow(orderId)).amountRefunded === 3000, "order.refunded");
    expect((await orderRow(orderId)).status).toBe("refunded");

    const detail = await svc.getOrder(finance, orderId);
    expect(detail.refundable).toBe(7000);
    const r2 = await rsvc.refundOrder(admin, refundForm(orderId, "70.00"));
    expect(r2.status).toBe("pending");
    await expect(rsvc.refundOrder(finance, refundForm(orderId, "0.01"))).rejects.toMatchObject({
      code: "refunds.errors.overRefund",
      field: "amount",
    });
    expect(await sandboxRefunds(chargeId)).toHaveLength(2);

    await settle();
    await eventually(
      async () => (await chargeRow((await db.select().from(charges))[0]!.id)).amountRefunded === 10000,
      "charge refunded",
    );
    const results = (await audits("refund.create")).map((a) => a.result).sort();
    expect(results).toEqual(["ok", "ok", "refused"]);
    const [refused] = (await audits("refund.create")).filter((a) => a.result === "refused");
    expect(refused?.params).toMatchObject({ amount: 1, reason: "顾客退货" });
  });

  it("returns royalty shares with an order refund (royalty_users), refusing lines that are wrong or add up to more", async () => {
    const { orderId, chargeId } = await paidOrder("50.00");
    // The shares come out of what the order's royalty users have unsettled at Ping++ (the sandbox
    // refuses more than that): give user_a and user_b their shares of this order first.
    const { merchant_order_no } = await api<{ merchant_order_no: string }>(
      "GET",
      `/orders/${(await orderRow(orderId)).pingppId}`,
    );
    const shares = {
      royalties: [
        { amount: 800, source_user: "user_a", source_no: merchant_order_no },
        { amount: 300, source_user: "user_b", source_no: merchant_order_no },
      ],
    };
    await h.sim("royalties", shares);
    const pool = async () =>
      (
        await fetch(`${h.sandbox.url}/_sim/royalties`).then(
          (r) => r.json() as Promise<{ data: { source_no: string; source_user: string; amount: number }[] }>,
        )
      ).data
        .filter((x) => x.source_no === merchant_order_no)
        .map((x) => [x.source_user, x.amount]);
    const r = await rsvc.refundOrder(
      finance,
      refundForm(orderId, "20.00", { royaltyUsers: "user_a,5.00\nuser_b，2.50" }),
    );
    expect((await pool()).sort()).toEqual([
      ["user_a", 300],
      ["user_b", 50],
    ]);
    expect(r.royaltyUsers).toEqual([
      { user: "user_a", amountRefunded: 500 },
      { user: "user_b", amountRefunded: 250 },
    ]);
    const [remote] = await api<{ data: { id: string; extra: { royalty_users?: unknown } }[] }>(
      "GET",
      `/charges/${chargeId}/refunds?limit=100`,
    ).then((l) => l.data);
    expect(remote?.extra.royalty_users).toEqual([
      { user: "user_a", amount_refunded: 500 },
      { user: "user_b", amount_refunded: 250 },
    ]);
    expect(() => refundForm(orderId, "1.00", { royaltyUsers: "user_a,0.60\nuser_b,0.50" })).toThrow(
      /royaltyOverRefund/,
    );
    expect(() => refundForm(orderId, "1.00", { royaltyUsers: "user a b,1" })).toThrow(/royaltyLine/);
    expect(() => refundForm(orderId, "1.00", { royaltyUsers: "user_a,-1" })).toThrow(/royaltyLine/);
  });

  it("20 concurrent submissions of the same form make exactly one refund at Ping++", async () => {
    const { orderId, chargeId } = await paidOrder();
    const input = refundForm(orderId, "10.00");
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => rsvc.refundOrder(finance, input)));
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results)
      if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "refunds.errors.inProgress" });
    expect(await sandboxRefunds(chargeId)).toHaveLength(1);
    expect(await db.$count(refunds)).toBe(1);
    // a later retry
    expect((await rsvc.refundOrder(finance, input)).pingppId).toBe((await sandboxRefunds(chargeId))[0]!.id);
    // every one of the 21 attempts is on record: one made it, the others were refused or answered with it
    const rows = await db.select().from(auditLogs).where(eq(auditLogs.action, "refund.create"));
    expect(rows).toHaveLength(21);
    expect(rows.filter((r) => r.result === "refused" && r.message === "refunds.errors.inProgress")).toHaveLength(
      20 - ok.length,
    );
    // one refund made
    expect(rows.filter((r) => r.result === "ok" && !(r.params as { replay?: boolean }).replay)).toHaveLength(1);
    // the rest answered with it
    expect(rows.filter((r) => r.result === "ok" && (r.params as { replay?: boolean }).replay)).toHaveLength(ok.length);
    expect(
      rows.every((r) => r.actorId === finance.id && (r.params as { reason?: string }).reason === input.description),
    ).toBe(true);
    // all under the order's own id, with the refund's amount, so filtering the log by the order finds every one
    const [o] = await db.select().from(orders).where(eq(orders.id, orderId));
    expect([
      ...new Set(rows.map((r) => `${r.targetType}:${r.targetId}:${(r.params as { amount: number }).amount}`)),
    ]).toEqual([`order:${o!.pingppId}:1000`]);
  });

  it("two staff at once cannot refund more than was paid (row lock + remainder)", async () => {
    const { orderId, chargeId } = await paidOrder("100.00");
    const results = await Promise.allSettled([
      rsvc.refundOrder(finance, refundForm(orderId, "60.00")),
      rsvc.refundOrder(admin, refundForm(orderId, "60.00")),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({
      reason: { code: "refunds.errors.overRefund" },
    });
    expect(await sandboxRefunds(chargeId)).toHaveLength(1);
  });

  it("Ping++ errors and timeouts: nothing half-done, the user is told, a retry with the same key makes one refund", async () => {
    const { orderId, chargeId } = await paidOrder();
    const input = refundForm(orderId, "5.00");
    await h.sim("faults", { mode: "timeout", count: 1 });
    await expect(rsvc.refundOrder(finance, input)).rejects.toMatchObject({ code: "pingppUnavailable" });
    expect((await db.select().from(refunds))[0]).toMatchObject({ status: "creating", pingppId: null });
    // The retry first asks Ping++ whether the refund exists: that GET gets a 500.
    await h.sim("faults", { mode: "500", count: 1 });
    await expect(rsvc.refundOrder(finance, input)).rejects.toMatchObject({ code: "pingppUnavailable" });
    expect(await sandboxRefunds(chargeId)).toHaveLength(0);
    const ok = await rsvc.refundOrder(finance, input);
    expect(ok.status).toBe("pending");
    expect(await sandboxRefunds(chargeId)).toHaveLength(1);
    expect((await audits("refund.create")).map((a) => a.result).sort()).toEqual(["error", "error", "ok"]);
  });

  it("an answer lost after Ping++ made the refund: the retry finds it instead of refunding twice", async () => {
    const { orderId, chargeId } = await paidOrder();
    const input = refundForm(orderId, "8.00");
    await h.sim("faults", { mode: "502_html", count: 1 });
    await expect(rsvc.refundOrder(finance, input)).rejects.toMatchObject({ code: "pingppUnavailable" });
    const [claim] = await db.select().from(refunds);
    // What Ping++ did although its answer never arrived:
    const [o] = await db.select().from(orders);
    await api("POST", `/orders/${o!.pingppId}/order_refunds`, {
      charge: chargeId,
      charge_amount: 800,
      description: "顾客退货",
      metadata: { console_refund: claim!.id },
    });
    const r = await rsvc.refundOrder(finance, input);
    expect(r.id).toBe(claim!.id);
    expect(r.pingppId).toMatch(/^re_/);
    expect(await sandboxRefunds(chargeId)).toHaveLength(1);
  });

  it("Ping++'s refusal is shown with its message; the claim is failed and does not hold the remainder", async () => {
    const { orderId, chargeId } = await paidOrder("10.00");
    h.sandbox.setWebhookUrl("http://127.0.0.1:9/nowhere");
    // refunded elsewhere, unknown to us
    await api("POST", `/charges/${chargeId}/refunds`, { amount: 1000, description: "柜台外退款" });
    await expect(rsvc.refundOrder(finance, refundForm(orderId, "10.00"))).rejects.toSatisfy(
      (e: { code: string; detail?: string }) =>
        e.code === "pingppRefused" && /可退金额|refundable/.test(e.detail ?? ""),
    );
    expect((await db.select().from(refunds))[0]).toMatchObject({ status: "failed", pingppId: null });
    expect((await audits("refund.create"))[0]).toMatchObject({ result: "refused" });
  });

  it("a refund the channel fails is shown as failed with Ping++'s message after a refresh, and frees the amount", async () => {
    const { orderId, chargeId } = await paidOrder("10.00");
    const r = await rsvc.refundOrder(finance, refundForm(orderId, "10.00"));
    await h.sim(`refunds/${r.pingppId}/fail`, { message: "退款失败：原账户已注销" });
    const after = await rsvc.refreshRefund(finance, r.id);
    expect(after).toMatchObject({ status: "failed", failureMsg: "退款失败：原账户已注销" });
    // the sync is on record with what it changed
    expect(await audits("refund.refresh")).toMatchObject([
      { result: "ok", actorId: finance.id, targetId: r.pingppId, message: "pending → failed" },
    ]);
    expect((await svc.getOrder(finance, orderId)).refundable).toBe(1000);
    expect(await sandboxRefunds(chargeId)).toHaveLength(1);
  });

  it("a cashier cannot refund (refused and audited)", async () => {
    const { orderId } = await paidOrder();
    await expect(rsvc.refundOrder(cashier, refundForm(orderId, "1.00"))).rejects.toMatchObject({ code: "forbidden" });
    expect((await audits("refund.create"))[0]).toMatchObject({ result: "refused", actorId: cashier.id });
  });
});

describe("refunds of plain QR charges", () => {
  it("refunds a paid charge in parts, the charge's refunded amount follows refund.succeeded, over-refund refused", async () => {
    const v = await createCharge(cashier, qrChargeForm());
    const { pingppId } = await chargeRow(v.id);
    const form = (amount: string) =>
      refundChargeSchema.parse({
        idempotencyKey: crypto.randomUUID(),
        chargeId: pingppId,
        amount,
        description: "多收了",
      });
    await expect(rsvc.refundCharge(finance, form("1.00"))).rejects.toMatchObject({ code: "refunds.errors.notPaid" });
    await h.sim(`charges/${pingppId}/pay`);
    await eventually(async () => (await chargeRow(v.id)).status === "paid", "paid");

    const r = await rsvc.refundCharge(finance, form("5.00"));
    expect(r).toMatchObject({ status: "pending", orderId: null, amount: 500 });
    await settle();
    await eventually(async () => (await chargeRow(v.id)).amountRefunded === 500, "charge amount_refunded");
    expect((await chargeRow(v.id)).refunded).toBe(true);
    expect(await rsvc.chargeForRefund(pingppId!)).toMatchObject({ remainder: 1500 });
    await expect(rsvc.refundCharge(finance, form("15.01"))).rejects.toMatchObject({
      code: "refunds.errors.overRefund",
    });
    await rsvc.refundCharge(finance, form("15.00"));
    expect(await sandboxRefunds(pingppId!)).toHaveLength(2);
    const listed = await rsvc.listRefunds({ kind: "charge", q: pingppId! });
    expect(listed.totals).toMatchObject({ count: 2, byCurrency: [{ currency: "cny", count: 2, amount: 2000 }] });
  });

  it("a charge that pays an order is refunded through its order", async () => {
    const { chargeId } = await paidOrder();
    await expect(
      rsvc.refundCharge(
        finance,
        refundChargeSchema.parse({ idempotencyKey: crypto.randomUUID(), chargeId, amount: "1.00", description: "x" }),
      ),
    ).rejects.toMatchObject({
      code: "refunds.errors.orderCharge",
    });
  });
});

describe("needs attention (注意事项)", () => {
  it("a canceled order paid anyway is flagged with its whole amount, and the one-click refund clears it", async () => {
    const view = await svc.createOrderCharge(cashier, orderForm({ amount: "12.00" }));
    const [o] = await db.select().from(orders);
    await svc.cancelOrder(finance, o!.id, crypto.randomUUID());
    await h.sim(`orders/${o!.pingppId}/pay_after_cancel`);
    await eventually(async () => (await orderRow(o!.id)).amountPaid === 1200, "late payment seen");
    // charge.succeeded and order.succeeded are two webhooks, delivered in either order
    await eventually(async () => (await chargeRow(view.id)).status === "paid", "charge paid");

    const d = await svc.getOrder(finance, o!.id);
    expect(d.anomaly).toEqual({ kind: "paidAfterCancel", excess: 1200 });
    const flagged = await svc.listOrders(finance, { attention: "1" });
    expect(flagged.items.map((x) => x.row.id)).toEqual([o!.id]);
    expect(flagged.totals.attention).toBe(1);

    await rsvc.refundOrder(finance, refundForm(o!.id, "12.00", { description: "订单已取消后支付，退回" }));
    expect((await svc.getOrder(finance, o!.id)).anomaly).toBeNull();
    expect((await svc.listOrders(finance, { attention: "1" })).items).toHaveLength(0);
  });

  it("an order paid from two channels is flagged with exactly the excess", async () => {
    await svc.createOrderCharge(cashier, orderForm({ amount: "30.00" }));
    const [o] = await db.select().from(orders);
    await h.sim(`orders/${o!.pingppId}/pay_twice`);
    await eventually(async () => (await orderRow(o!.id)).amountPaid === 6000, "second payment seen");
    const d = await svc.getOrder(finance, o!.id);
    expect(d.anomaly).toEqual({ kind: "paidTwice", excess: 3000 });
    expect(d.charges.filter((c) => c.paid)).toHaveLength(2);
    await rsvc.refundOrder(finance, refundForm(o!.id, "30.00"));
    expect((await svc.getOrder(finance, o!.id)).anomaly).toBeNull();
  });
});
