// At the till (issue 15, items 1 and 2): a failed attempt does not end a QR charge, and a cashier
// charges on their own terminal only (and /go reveals nothing they may not see).
import { beforeEach, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { and, eq, or } from "drizzle-orm";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import { eventually } from "@/tests/helpers/console-sandbox";
import { addActor } from "@/tests/helpers/actors";
import {
  auditLogs,
  charges,
  orders,
  pingppEvents,
  redEnvelopes,
  refunds,
  royaltySettlements,
  staffUsers,
} from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { createChargeSchema, type CreateChargeInput } from "@/lib/validations/charges";
import { createOrderSchema, type CreateOrderInput } from "@/lib/validations/orders";
import type { Actor } from "./actor";
import * as svc from "./charges";
import { createOrderCharge } from "./orders";
import { lookupObject } from "./event-log";

let h: ConsoleSandbox;
let db: Db;
let cashier: Actor;
let other: Actor;
let unassigned: Actor;
let finance: Actor;
let admin: Actor;

consoleTestbed((bed) => ({ h, db } = bed), {
  clean: [refunds, orders, charges, redEnvelopes, royaltySettlements, pingppEvents, auditLogs, staffUsers],
});

beforeEach(async () => {
  h.sandbox.setWebhookUrl(h.webhookUrl);
  cashier = await addActor(db, "c1@shop.cn", "cashier", "T01");
  other = await addActor(db, "c2@shop.cn", "cashier", "T02");
  unassigned = await addActor(db, "c3@shop.cn", "cashier");
  finance = await addActor(db, "f@shop.cn", "finance");
  admin = await addActor(db, "a@shop.cn", "admin");
});

const form = (over: Partial<CreateChargeInput> = {}) =>
  createChargeSchema.parse({
    idempotencyKey: crypto.randomUUID(),
    amount: "12.34",
    channel: "alipay_qr",
    subject: "门店消费",
    body: "收银台收款",
    ...over,
  });
const orderForm = (over: Partial<CreateOrderInput> = {}) =>
  createOrderSchema.parse({
    idempotencyKey: crypto.randomUUID(),
    amount: "20.00",
    channel: "alipay_qr",
    subject: "门店订单",
    body: "收银台订单",
    ...over,
  });

const row = async (id: string) => (await db.select().from(charges).where(eq(charges.id, id)))[0]!;

async function sandboxCharges(): Promise<{ id: string; metadata: Record<string, unknown> }[]> {
  const res = await fetch(`${h.sandbox.url}/v1/charges?app[id]=${h.sandbox.appId}&limit=100`, {
    headers: { authorization: `Bearer ${h.sandbox.apiKey}` },
  });
  return (await res.json()).data;
}

describe("fail, then pay (item 1)", () => {
  it("a failed attempt keeps the QR charge open, with the reason as a notice; paid wins after it", async () => {
    const v = await svc.createCharge(cashier, form());
    const raw = (await row(v.id)).raw as Record<string, unknown>;
    const failedAttempt = { ...raw, failure_code: "USER_PAY_FAIL", failure_msg: "用户支付失败" };
    const afterFail = await db.transaction((tx) => svc.applyCharge(tx, failedAttempt as never));
    expect(afterFail.status).toBe("pending");
    const view = await svc.chargeStatus(cashier, v.id);
    expect(view).toMatchObject({ status: "pending", failureMsg: "用户支付失败", reversible: true });
    expect(view.qrPayload).toBeTruthy(); // the same QR is still shown
    // the customer pays on the same QR: Ping++ clears the failure and says paid
    const paid = {
      ...raw,
      paid: true,
      time_paid: Math.floor(Date.now() / 1000),
      failure_code: null,
      failure_msg: null,
      credential: {},
    };
    expect(await db.transaction((tx) => svc.applyCharge(tx, paid as never))).toMatchObject({
      status: "paid",
      failureMsg: null,
    });
    // a late copy of the failed attempt never moves it back
    expect((await db.transaction((tx) => svc.applyCharge(tx, failedAttempt as never))).status).toBe("paid");
    // and a failed attempt on an expired QR is simply expired
    const w = await svc.createCharge(cashier, form());
    const wRaw = (await row(w.id)).raw as Record<string, unknown>;
    const lapsed = {
      ...wRaw,
      failure_code: "USER_PAY_FAIL",
      failure_msg: "x",
      time_expire: Math.floor(Date.now() / 1000) - 1,
    };
    expect((await db.transaction((tx) => svc.applyCharge(tx, lapsed as never))).status).toBe("expired");
  });

  it("through the sandbox: 模拟支付失败 then 确认支付 on the same QR ends paid, by the webhook", async () => {
    const v = await svc.createCharge(cashier, form());
    const { pingppId } = await row(v.id);
    await h.sim(`charges/${pingppId}/fail`);
    // what a sync learns from Ping++ (no webhook tells of a failed attempt): still open, with a notice
    const notice = await svc.syncCharge(finance, v.id);
    expect(notice).toMatchObject({ status: "pending", failureMsg: expect.stringContaining("失败") });
    expect(await svc.chargeStatus(cashier, v.id)).toMatchObject({ status: "pending", failureMsg: notice.failureMsg });
    expect(await svc.activeChargeForTerminal(cashier, "T01")).toMatchObject({
      id: v.id,
      status: "pending",
      failureMsg: notice.failureMsg,
    });
    await h.sim(`charges/${pingppId}/pay`);
    const paid = await eventually(async () => {
      const s = await svc.chargeStatus(cashier, v.id);
      return s.status === "paid" ? s : null;
    }, "paid by the webhook");
    expect(paid.failureMsg).toBeNull();
    expect((await svc.activeChargeForTerminal(cashier, "T01"))?.status).toBe("paid");
  });

  it("with the webhook lost, a sync after the failed attempt and the payment turns it paid", async () => {
    const v = await svc.createCharge(cashier, form());
    const { pingppId } = await row(v.id);
    h.sandbox.setWebhookUrl("http://127.0.0.1:9/nowhere");
    await h.sim(`charges/${pingppId}/fail`);
    expect((await svc.syncCharge(finance, v.id)).status).toBe("pending");
    await h.sim(`charges/${pingppId}/pay`);
    expect((await svc.syncCharge(finance, v.id)).status).toBe("paid");
    expect((await row(v.id)).failureCode).toBeNull();
  });

  it("the scheduler's charge sync keeps following a charge after a failed attempt, and a row marked failed by an older version", async () => {
    h.sandbox.setWebhookUrl("http://127.0.0.1:9/nowhere");
    const due = (id: string) =>
      db
        .update(charges)
        .set({ createdAt: new Date(Date.now() - 10_000), lastSyncedAt: null })
        .where(eq(charges.id, id));
    const v = await svc.createCharge(cashier, form());
    const { pingppId } = await row(v.id);
    await h.sim(`charges/${pingppId}/fail`);
    await due(v.id);
    await svc.syncDueCharges();
    expect(await row(v.id)).toMatchObject({ status: "pending", failureCode: "USER_PAY_FAIL" });
    await h.sim(`charges/${pingppId}/pay`);
    await due(v.id);
    await svc.syncDueCharges();
    expect(await row(v.id)).toMatchObject({ status: "paid", failureCode: null });

    const w = await svc.createCharge(cashier, form());
    const wId = (await row(w.id)).pingppId;
    await h.sim(`charges/${wId}/fail`);
    await db.update(charges).set({ status: "failed", failureCode: "USER_PAY_FAIL" }).where(eq(charges.id, w.id));
    await h.sim(`charges/${wId}/pay`);
    await due(w.id);
    await svc.syncDueCharges();
    expect((await row(w.id)).status).toBe("paid");
  });

  it("a row an older version stored as failed (with a Ping++ charge) is still followed to paid or expired", async () => {
    const v = await svc.createCharge(cashier, form());
    const { pingppId } = await row(v.id);
    h.sandbox.setWebhookUrl("http://127.0.0.1:9/nowhere");
    await h.sim(`charges/${pingppId}/fail`);
    await db.update(charges).set({ status: "failed", failureMsg: "用户支付失败" }).where(eq(charges.id, v.id));
    expect((await svc.syncCharge(finance, v.id)).status).toBe("failed"); // Ping++ says open: no step back to pending
    await h.sim(`charges/${pingppId}/pay`);
    expect((await svc.syncCharge(finance, v.id)).status).toBe("paid");

    const w = await svc.createCharge(cashier, form());
    const wId = (await row(w.id)).pingppId;
    await h.sim(`charges/${wId}/fail`);
    await h.sim(`charges/${wId}/expire`);
    await db.update(charges).set({ status: "failed" }).where(eq(charges.id, w.id));
    expect((await svc.syncCharge(finance, w.id)).status).toBe("expired");
  });
});

describe("a cashier charges on their own terminal only (item 2)", () => {
  it("createCharge: a cashier's charge is always on their terminal; another one is refused, nothing is made", async () => {
    const before = (await sandboxCharges()).length;
    for (const t of ["T02", "t01"]) {
      await expect(svc.createCharge(cashier, form({ terminalId: t }))).rejects.toMatchObject({
        code: "ownTerminalOnly",
        field: "terminalId",
        values: { terminal: "T01" },
      });
    }
    await expect(
      svc.createCharge(cashier, form({ channel: "isv_qr", payChannel: "alipay", terminalId: "T02" })),
    ).rejects.toMatchObject({ code: "ownTerminalOnly" });
    await expect(svc.createCharge(unassigned, form({ terminalId: "T02" }))).rejects.toMatchObject({
      code: "noTerminalAssigned",
      field: "terminalId",
    });
    // (by creator: a late webhook of an earlier test's charge may still land meanwhile)
    expect(await db.$count(charges, or(eq(charges.createdBy, cashier.id), eq(charges.createdBy, unassigned.id)))).toBe(
      0,
    );
    expect((await sandboxCharges()).length).toBe(before);
    const refused = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "charge.create"), eq(auditLogs.result, "refused")));
    expect(refused.map((a) => a.actorId).sort()).toEqual([cashier.id, cashier.id, cashier.id, unassigned.id].sort());
    expect(await svc.activeChargeForTerminal(finance, "T02")).toBeNull(); // nothing on T02's display

    expect((await svc.createCharge(cashier, form({ terminalId: "T01" }))).terminalId).toBe("T01");
    expect((await svc.createCharge(cashier, form())).terminalId).toBe("T01");
    expect((await svc.createCharge(unassigned, form())).terminalId).toBeNull();
    await expect(svc.createCharge(unassigned, form({ channel: "isv_qr", payChannel: "alipay" }))).rejects.toMatchObject(
      { code: "terminalRequired" },
    );
    // finance and admin may choose any terminal
    expect((await svc.createCharge(finance, form({ terminalId: "T02" }))).terminalId).toBe("T02");
    expect((await svc.createCharge(admin, form({ terminalId: "T09" }))).terminalId).toBe("T09");
    expect((await svc.createCharge(admin, form())).terminalId).toBeNull();
    const onT02 = await svc.listCharges(finance, { terminal: "T02" });
    expect(onT02.rows).toHaveLength(1);
  });

  it("createOrderCharge: the same rule, before anything is asked of Ping++", async () => {
    await expect(createOrderCharge(cashier, orderForm({ terminalId: "T02" }))).rejects.toMatchObject({
      code: "ownTerminalOnly",
      field: "terminalId",
    });
    await expect(createOrderCharge(unassigned, orderForm({ terminalId: "T02" }))).rejects.toMatchObject({
      code: "noTerminalAssigned",
    });
    expect(await db.$count(orders)).toBe(0);
    expect(await db.$count(charges, or(eq(charges.createdBy, cashier.id), eq(charges.createdBy, unassigned.id)))).toBe(
      0,
    );
    const refused = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "order.create"), eq(auditLogs.result, "refused")));
    expect(refused).toHaveLength(2);

    const mine = await createOrderCharge(cashier, orderForm());
    expect(mine.terminalId).toBe("T01");
    expect((await db.select().from(orders))[0]!.terminalId).toBe("T01");
    expect((await createOrderCharge(finance, orderForm({ terminalId: "T02" }))).terminalId).toBe("T02");
  });

  it("/go/{id} answers a cashier the same for another terminal's objects as for ids that do not exist", async () => {
    const mine = await svc.createCharge(cashier, form());
    const theirs = await svc.createCharge(other, form());
    const myCh = (await row(mine.id)).pingppId!;
    const theirCh = (await row(theirs.id)).pingppId!;
    const myOrder = await createOrderCharge(cashier, orderForm());
    const theirOrder = await createOrderCharge(other, orderForm());
    const orderOf = async (chargeViewId: string) => {
      const ch = (await row(chargeViewId)).pingppId!;
      return (await db.select().from(orders).where(eq(orders.chargeId, ch)))[0]!;
    };
    const myO = await orderOf(myOrder.id);
    const theirO = await orderOf(theirOrder.id);
    const [refund] = await db
      .insert(refunds)
      .values({ pingppId: "re_till0001", chargeId: myCh, amount: 100, description: "x", status: "pending" })
      .returning();
    const [envelope] = await db
      .insert(redEnvelopes)
      .values({
        pingppId: "red_till0001",
        orderNo: "tillred0001",
        appId: h.sandbox.appId,
        amount: 100,
        recipient: "o1",
        sendName: "店",
        subject: "s",
        body: "b",
        description: "d",
        status: "sent",
      })
      .returning();
    const [settlement] = await db
      .insert(royaltySettlements)
      .values({ pingppId: "421till0001", payerApp: h.sandbox.appId, method: "unionpay", status: "pending" })
      .returning();

    // a cashier: their own charge and order, nothing else (refunds, red envelopes, settlements are not theirs to see)
    expect(await lookupObject(cashier, myCh)).toBe(`/charges/${myCh}`);
    expect(await lookupObject(cashier, myO.pingppId!)).toBe(`/orders/${myO.id}`);
    for (const id of [
      theirCh,
      theirO.pingppId!,
      "re_till0001",
      "red_till0001",
      "421till0001",
      "ch_doesnotexist",
      "nothing",
    ]) {
      expect(await lookupObject(cashier, id), id).toBeNull();
    }
    expect(await lookupObject(other, myCh)).toBeNull();
    expect(await lookupObject(other, theirCh)).toBe(`/charges/${theirCh}`);
    // finance and admin: everything
    for (const actor of [finance, admin]) {
      expect(await lookupObject(actor, theirCh)).toBe(`/charges/${theirCh}`);
      expect(await lookupObject(actor, theirO.pingppId!)).toBe(`/orders/${theirO.id}`);
      expect(await lookupObject(actor, "re_till0001")).toBe(`/refunds/${refund!.id}`);
      expect(await lookupObject(actor, "red_till0001")).toBe(`/red-envelopes/${envelope!.id}`);
      expect(await lookupObject(actor, "421till0001")).toBe(`/settlements/${settlement!.id}`);
    }
  });
});
