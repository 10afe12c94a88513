import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import crypto from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { and, eq } from "drizzle-orm";
import { eventually } from "@/tests/helpers/console-sandbox";
import { addActor } from "@/tests/helpers/actors";
import { auditLogs, charges, pingppEvents, scheduledJobs, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { createChargeSchema, type CreateChargeInput } from "@/lib/validations/charges";
import type { Actor } from "./actor";
import { AppError } from "./errors";
import * as svc from "./charges";
import { runJobOnce, stopScheduler } from "@/lib/jobs";

let h: ConsoleSandbox;
let db: Db;
let cashier: Actor;
let other: Actor;
let finance: Actor;

consoleTestbed((bed) => ({ h, db } = bed), { clean: [charges, pingppEvents, auditLogs, staffUsers] });
afterAll(stopScheduler);

beforeEach(async () => {
  cashier = await addActor(db, "c1@shop.cn", "cashier", "T01");
  other = await addActor(db, "c2@shop.cn", "cashier", "T02");
  finance = await addActor(db, "f@shop.cn", "finance");
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

async function sandboxCharges(): Promise<{ id: string; order_no: string; paid: boolean; reversed: boolean }[]> {
  const res = await fetch(`${h.sandbox.url}/v1/charges?app[id]=${h.sandbox.appId}&limit=100`, {
    headers: { authorization: `Bearer ${h.sandbox.apiKey}` },
  });
  return (await res.json()).data;
}

const row = async (id: string) => (await db.select().from(charges).where(eq(charges.id, id)))[0]!;

describe("creating a QR charge", () => {
  it("creates it at Ping++ in fen, and the screen gets only the QR payload, amount and status", async () => {
    const view = await svc.createCharge(cashier, form({ amount: "0.29" }));
    expect(view).toMatchObject({
      status: "pending",
      amount: 29,
      currency: "cny",
      channel: "alipay_qr",
      terminalId: "T01",
      reversible: true,
    });
    expect(view.qrPayload).toMatch(new RegExp(`^${h.sandbox.url}/pay/ch_`));
    expect(Object.keys(view).sort()).toEqual([
      "amount",
      "channel",
      "chargeId",
      "currency",
      "failureMsg",
      "id",
      "qrPayload",
      "reversible",
      "status",
      "terminalId",
      "timeExpire",
      "timePaid",
    ]);
    const stored = await row(view.id);
    expect(stored.pingppId).toMatch(/^ch_/);
    expect((stored.raw as { amount: number }).amount).toBe(29);
    const [remote] = (await sandboxCharges()).filter((c) => c.id === stored.pingppId);
    expect(remote?.order_no).toBe(stored.orderNo);
    const [a] = await db.select().from(auditLogs).where(eq(auditLogs.action, "charge.create"));
    expect(a).toMatchObject({ result: "ok", actorId: cashier.id, targetId: stored.pingppId });
  });

  it("uses US dollars for cross-border channels and passes each channel's extra", async () => {
    const v = await svc.createCharge(
      cashier,
      form({ channel: "cb_wx_pub_qr", productId: "P1", goodsName: "茶叶", goodsNum: "2" }),
    );
    expect(v.currency).toBe("usd");
    const raw = (await row(v.id)).raw as { extra: { goods_list: unknown } };
    expect(raw.extra.goods_list).toEqual([{ goods_name: "茶叶", goods_num: "2" }]);
  });

  it("a double click (same idempotency key, concurrently) makes one charge at Ping++", async () => {
    const input = form();
    const before = (await sandboxCharges()).length;
    const results = await Promise.allSettled([svc.createCharge(cashier, input), svc.createCharge(cashier, input)]);
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as AppError).code).toBe("chargeInProgress");
    const again = await svc.createCharge(cashier, input); // a later retry returns the same charge
    expect(again.id).toBe((ok[0] as PromiseFulfilledResult<svc.ChargeView>).value.id);
    expect((await sandboxCharges()).length).toBe(before + 1);
    expect(await db.$count(charges)).toBe(1);
  });

  it("Ping++ down (HTML 502): clear error, nothing half-written, a retry with the same key makes exactly one charge", async () => {
    const input = form();
    await h.sim("faults", { mode: "502_html", count: 1 });
    await expect(svc.createCharge(cashier, input)).rejects.toMatchObject({ code: "pingppUnavailable" });
    const [claim] = await db.select().from(charges);
    expect(claim!.status).toBe("creating");
    expect(await svc.recentCharges(cashier)).toEqual([]); // a claim is not shown as a charge
    const v = await svc.createCharge(cashier, input);
    expect(v.status).toBe("pending");
    expect((await sandboxCharges()).filter((c) => c.order_no === claim!.orderNo)).toHaveLength(1);
    const audits = await db.select().from(auditLogs).where(eq(auditLogs.action, "charge.create"));
    expect(audits.map((a) => a.result).sort()).toEqual(["error", "ok"]);
  });

  it("isv_scan is paid at once; a refused pay code shows Ping++'s message and stores a failed charge", async () => {
    const paid = await svc.createCharge(cashier, form({ channel: "isv_scan", scanCode: "134567890123456789" }));
    expect(paid.status).toBe("paid");
    await expect(svc.createCharge(cashier, form({ channel: "isv_scan", scanCode: "fail-123" }))).rejects.toSatisfy(
      (e: AppError) => e.code === "pingppRefused" && !!e.detail && e.detail.length > 0,
    );
    const failed = await db.select().from(charges).where(eq(charges.status, "failed"));
    expect(failed).toHaveLength(1);
  });
});

describe("payment status", () => {
  it("the signed charge.succeeded webhook turns the charge paid, stored once even when delivered twice", async () => {
    const v = await svc.createCharge(cashier, form());
    const { pingppId } = await row(v.id);
    await h.sim(`charges/${pingppId}/pay`);
    const paid = await eventually(async () => {
      const s = await svc.chargeStatus(cashier, v.id);
      return s.status === "paid" ? s : null;
    }, "paid");
    expect(paid.timePaid).not.toBeNull();
    expect(paid.qrPayload).toBeNull();
    const [evt] = await db.select().from(pingppEvents).where(eq(pingppEvents.objectId, pingppId!));
    expect(evt).toMatchObject({
      type: "charge.succeeded",
      status: "applied",
      receiveCount: 1,
      signatureVerified: true,
    });
    await h.sim("webhooks/redeliver", { event_id: evt!.id });
    await eventually(
      async () => (await db.select().from(pingppEvents).where(eq(pingppEvents.id, evt!.id)))[0]!.receiveCount === 2,
      "redelivery",
    );
    // this charge's events only: a webhook for an earlier test's charge may still land meanwhile
    const stored = await db.select().from(pingppEvents).where(eq(pingppEvents.objectId, pingppId!));
    expect(stored.map((e) => [e.id, e.type, e.receiveCount])).toEqual([[evt!.id, "charge.succeeded", 2]]);
    expect((await row(v.id)).status).toBe("paid");
  });

  it("when the webhook is lost, the sync job asks Ping++ (at most once per interval) and it turns paid with no screen open", async () => {
    const v = await svc.createCharge(cashier, form());
    const { pingppId } = await row(v.id);
    h.sandbox.setWebhookUrl("http://127.0.0.1:9/nowhere");
    try {
      await h.sim(`charges/${pingppId}/pay`);
      const lastSynced = (await row(v.id)).lastSyncedAt; // the create's answer
      await runJobOnce("charges.sync"); // too young to ask
      expect(await row(v.id)).toMatchObject({ status: "pending", lastSyncedAt: lastSynced });
      // a poll only reads: it asks nobody, whatever the charge's age
      await db
        .update(charges)
        .set({ createdAt: new Date(Date.now() - 10_000), lastSyncedAt: null })
        .where(eq(charges.id, v.id));
      expect((await svc.chargeStatus(cashier, v.id)).status).toBe("pending");
      await sleep(200);
      expect(await row(v.id)).toMatchObject({ status: "pending", lastSyncedAt: null });
      // the job asks Ping++ and stores its answer
      await runJobOnce("charges.sync");
      expect((await svc.chargeStatus(cashier, v.id)).status).toBe("paid");
      const synced = (await row(v.id)).lastSyncedAt;
      expect(synced).not.toBeNull();
      // another pending charge asked a moment ago (by another instance) is not asked again within the interval
      const other = await svc.createCharge(cashier, form());
      const askedAt = new Date(Date.now() - 1_000);
      await db
        .update(charges)
        .set({ createdAt: new Date(Date.now() - 10_000), lastSyncedAt: askedAt })
        .where(eq(charges.id, other.id));
      await h.sim(`charges/${(await row(other.id)).pingppId}/pay`);
      await runJobOnce("charges.sync");
      expect(await row(other.id)).toMatchObject({ status: "pending", lastSyncedAt: askedAt });
      await runJobOnce("charges.sync", { now: Date.now() + svc.SYNC_INTERVAL_MS });
      expect((await row(other.id)).status).toBe("paid");
    } finally {
      h.sandbox.setWebhookUrl(h.webhookUrl);
    }
  });

  it("the sync job turns an expired QR expired; the ISV job reverses an unpaid isv_* charge 60 s after it was made, not before, nobody watching", async () => {
    const v = await svc.createCharge(cashier, form());
    await h.sim(`charges/${(await row(v.id)).pingppId}/expire`);
    await runJobOnce("charges.sync", { now: Date.now() + 10_000 });
    expect((await row(v.id)).status).toBe("expired");

    const isv = await svc.createCharge(cashier, form({ channel: "isv_qr", terminalId: "T01", payChannel: "alipay" }));
    const isvId = (await row(isv.id)).pingppId;
    await runJobOnce("charges.reverse-isv", { now: Date.now() + 50_000 });
    expect((await row(isv.id)).status).toBe("pending");
    expect((await sandboxCharges()).find((c) => c.id === isvId)?.reversed).toBe(false);
    await runJobOnce("charges.reverse-isv", { now: Date.now() + svc.ISV_REVERSE_AFTER_MS + 1_000 });
    expect((await row(isv.id)).status).toBe("reversed");
    expect((await sandboxCharges()).find((c) => c.id === isvId)?.reversed).toBe(true);
    const [a] = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "charge.reverse"), eq(auditLogs.targetId, isvId!)));
    expect(a).toMatchObject({
      actorId: null,
      actorEmail: "system",
      result: "ok",
      params: { channel: "isv_qr", amount: 1234, reason: "isv_unpaid_60s" },
    });

    // paid meanwhile, its webhook late: Ping++ is asked first, and a paid charge is never reversed
    const paid = await svc.createCharge(cashier, form({ channel: "isv_qr", terminalId: "T01", payChannel: "alipay" }));
    const paidId = (await row(paid.id)).pingppId;
    h.sandbox.setWebhookUrl("http://127.0.0.1:9/nowhere");
    try {
      await h.sim(`charges/${paidId}/pay`);
      await runJobOnce("charges.reverse-isv", { now: Date.now() + svc.ISV_REVERSE_AFTER_MS + 1_000 });
    } finally {
      h.sandbox.setWebhookUrl(h.webhookUrl);
    }
    expect((await row(paid.id)).status).toBe("paid");
    expect((await sandboxCharges()).find((c) => c.id === paidId)).toMatchObject({ paid: true, reversed: false });
  });

  it("an ISV reversal Ping++ fails is tried again after a pause, not on every sweep", async () => {
    const isv = await svc.createCharge(cashier, form({ channel: "isv_qr", terminalId: "T01", payChannel: "alipay" }));
    const isvId = (await row(isv.id)).pingppId;
    const t = Date.now() + svc.ISV_REVERSE_AFTER_MS + 1_000;
    const lastError = async () =>
      (await db.select().from(scheduledJobs).where(eq(scheduledJobs.name, "charges.reverse-isv")))[0]!.lastError;
    await h.sim("faults", { mode: "500", count: 1 });
    expect(await runJobOnce("charges.reverse-isv", { now: t })).toBe(true);
    expect(await lastError()).toMatch(/isv reversal: 1 of 1 failed/);
    expect((await row(isv.id)).status).toBe("pending");
    // at once again: not asked (the fault set here would be hit if it were, and the run would fail)
    await h.sim("faults", { mode: "500", count: 1 });
    await runJobOnce("charges.reverse-isv", { now: t + 1_000 });
    expect(await lastError()).toBeNull();
    await h.sim("faults", { mode: "none" });
    // after the pause: reversed
    await runJobOnce("charges.reverse-isv", { now: t + svc.SYNC_INTERVAL_MS + 1_000 });
    expect((await row(isv.id)).status).toBe("reversed");
    expect((await sandboxCharges()).find((c) => c.id === isvId)?.reversed).toBe(true);
  });

  it("keeps two Ping++ charges that share an order_no (an order paid from two channels) as two rows", async () => {
    const v = await svc.createCharge(cashier, form());
    const first = (await row(v.id)).raw as Record<string, unknown>;
    const second = {
      ...first,
      id: "ch_secondpaymentofsameorder",
      paid: true,
      time_paid: Math.floor(Date.now() / 1000),
    } as never;
    await db.transaction((tx) => svc.applyCharge(tx, second));
    const rows = await db
      .select()
      .from(charges)
      .where(eq(charges.orderNo, first.order_no as string));
    expect(rows.map((r) => [r.pingppId, r.status]).sort()).toEqual(
      [
        [first.id, "pending"],
        ["ch_secondpaymentofsameorder", "paid"],
      ].sort(),
    );
  });

  it("applyCharge returns the stored row exactly as a drizzle select reads it (names, Dates, the parsed object)", async () => {
    const v = await svc.createCharge(cashier, form());
    const raw = (await row(v.id)).raw as Record<string, unknown>;
    const paidAt = Math.floor(Date.now() / 1000);
    const synced = new Date(Date.now() - 1234);
    const returned = await db.transaction((tx) =>
      svc.applyCharge(tx, { ...raw, paid: true, time_paid: paidAt, transaction_no: "2026112700001" } as never, {
        lastSyncedAt: synced,
      }),
    );
    const stored = await row(v.id);
    expect(returned).toEqual(stored);
    expect(returned.timePaid).toEqual(new Date(paidAt * 1000));
    expect(returned.lastSyncedAt).toEqual(synced);
    expect(returned.createdAt).toBeInstanceOf(Date);
    expect(returned).toMatchObject({
      status: "paid",
      transactionNo: "2026112700001",
      amountRefunded: 0,
      refunded: false,
    });
    expect((returned.raw as { time_paid: number }).time_paid).toBe(paidAt);
    // without lastSyncedAt the column keeps its value
    const again = await db.transaction((tx) => svc.applyCharge(tx, { ...raw, paid: true, time_paid: paidAt } as never));
    expect(again.lastSyncedAt).toEqual(synced);
  });

  it("never moves back: a stale unpaid object after payment leaves the charge paid", async () => {
    const v = await svc.createCharge(cashier, form());
    const r = await row(v.id);
    await h.sim(`charges/${r.pingppId}/pay`);
    await eventually(async () => (await row(v.id)).status === "paid", "paid");
    const stale = { ...(r.raw as Record<string, unknown>), paid: false, time_paid: null, credential: {} } as never;
    const after = await db.transaction((tx) => svc.applyCharge(tx, stale));
    expect(after.status).toBe("paid");
    expect(after.timePaid).not.toBeNull();
    expect(after.qrPayload).toBe(r.qrPayload); // a QR once known is kept
    expect(r.qrPayload).toBeTruthy();
    // a reversal answer arriving after the payment (same rank or lower) does not replace "paid" either
    const late = await db.transaction((tx) =>
      svc.applyCharge(tx, { ...(r.raw as Record<string, unknown>), reversed: true } as never),
    );
    expect(late.status).toBe("paid");
  });

  it("an isv charge reversed the day it was paid (Ping++ says paid and reversed) becomes reversed, and stays so", async () => {
    const v = await svc.createCharge(cashier, form());
    const r = await row(v.id);
    const raw = r.raw as Record<string, unknown>;
    const paid = { ...raw, paid: true, time_paid: Math.floor(Date.now() / 1000) };
    expect((await db.transaction((tx) => svc.applyCharge(tx, paid as never))).status).toBe("paid");
    const reversedAfterPaying = await db.transaction((tx) => svc.applyCharge(tx, { ...paid, reversed: true } as never));
    expect(reversedAfterPaying.status).toBe("reversed");
    expect((await db.transaction((tx) => svc.applyCharge(tx, paid as never))).status).toBe("reversed"); // a late "paid" does not undo it
  });

  it("moves up: a pending charge becomes reversed, and then never pending again", async () => {
    const v = await svc.createCharge(cashier, form());
    const r = await row(v.id);
    const raw = r.raw as Record<string, unknown>;
    expect((await db.transaction((tx) => svc.applyCharge(tx, { ...raw, reversed: true } as never))).status).toBe(
      "reversed",
    );
    const again = await db.transaction((tx) => svc.applyCharge(tx, raw as never));
    expect(again.status).toBe("reversed");
    expect(await db.$count(charges, eq(charges.pingppId, r.pingppId!))).toBe(1);
  });
});

describe("reversing (撤销)", () => {
  it("reverses an unpaid charge once, and refuses channels and states that cannot be reversed", async () => {
    const v = await svc.createCharge(cashier, form());
    expect((await svc.reverseCharge(cashier, v.id)).status).toBe("reversed");
    expect((await svc.reverseCharge(cashier, v.id)).status).toBe("reversed"); // idempotent
    const vId = (await row(v.id)).pingppId;
    expect((await sandboxCharges()).find((c) => c.id === vId)?.reversed).toBe(true);

    const up = await svc.createCharge(cashier, form({ channel: "upacp_qr" }));
    expect(up.reversible).toBe(false);
    await expect(svc.reverseCharge(cashier, up.id)).rejects.toMatchObject({ code: "notReversibleChannel" });

    const paid = await svc.createCharge(cashier, form({ channel: "isv_scan", scanCode: "1345" }));
    await expect(svc.reverseCharge(cashier, paid.id)).rejects.toMatchObject({ code: "notReversibleStatus" });
    const refused = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "charge.reverse"), eq(auditLogs.result, "refused")));
    expect(refused).toHaveLength(2);
  });
});

describe("who sees what", () => {
  it("a cashier sees their terminal's charges only; finance sees all; displays follow the terminal", async () => {
    const v = await svc.createCharge(cashier, form());
    await expect(svc.chargeStatus(other, v.id)).rejects.toMatchObject({ code: "chargeNotFound" });
    await expect(svc.reverseCharge(other, v.id)).rejects.toMatchObject({ code: "chargeNotFound" });
    expect((await svc.chargeStatus(finance, v.id)).id).toBe(v.id);
    expect(await svc.recentCharges(other)).toEqual([]);
    expect((await svc.activeChargeForTerminal(cashier, "T01"))?.id).toBe(v.id);
    expect(await svc.activeChargeForTerminal(finance, "T09")).toBeNull();
    await expect(svc.activeChargeForTerminal(other, "T01")).rejects.toMatchObject({ code: "forbiddenTerminal" });
  });
});

describe("charges list and detail", () => {
  it("pages newest first by keyset, with totals that match the rows; a cashier only sees their terminal", async () => {
    const made: svc.ChargeView[] = [];
    for (const amount of ["1.00", "2.00", "3.00", "4.00", "5.00"])
      made.push(await svc.createCharge(cashier, form({ amount })));
    made.push(await svc.createCharge(other, form({ amount: "9.00" })));
    await svc.createCharge(cashier, form({ channel: "isv_scan", scanCode: "1345", amount: "0.50" }));

    const p1 = await svc.listCharges(finance, {}, 3);
    expect(p1.rows.map((r) => r.amount)).toEqual([50, 900, 500]);
    const p2 = await svc.listCharges(finance, { cursor: p1.nextCursor! }, 3);
    expect(p2.rows.map((r) => r.amount)).toEqual([400, 300, 200]);
    const p3 = await svc.listCharges(finance, { cursor: p2.nextCursor! }, 3);
    expect(p3.rows.map((r) => r.amount)).toEqual([100]);
    expect(p3.nextCursor).toBeNull();

    const all = [...p1.rows, ...p2.rows, ...p3.rows];
    const totals = await svc.chargeTotals(finance, {});
    expect(totals).toEqual({
      count: all.length,
      byCurrency: [
        { currency: "cny", count: all.length, paidCount: 1, paidAmount: 50, refundedAmount: 0, pendingRefundAmount: 0 },
      ],
    });
    expect(await svc.chargeTotals(finance, { status: "pending" })).toMatchObject({
      count: 6,
      byCurrency: [{ currency: "cny", paidAmount: 0 }],
    });

    const mine = await svc.listCharges(cashier, {});
    expect(mine.rows.map((r) => r.amount).sort((a, b) => a - b)).toEqual([50, 100, 200, 300, 400, 500]);
    expect((await svc.chargeTotals(other, {})).count).toBe(1);
    expect((await svc.listCharges(finance, { terminal: "T02" })).rows.map((r) => r.amount)).toEqual([900]);
    expect((await svc.listCharges(finance, { channel: "isv_scan" })).rows).toHaveLength(1);
    expect((await svc.listCharges(finance, { status: "paid" })).rows.map((r) => r.amount)).toEqual([50]);
    // a pending charge past its time_expire shows (and filters) as expired without anyone polling it
    await db
      .update(charges)
      .set({ timeExpire: new Date(Date.now() - 1000) })
      .where(eq(charges.id, made[0]!.id));
    expect((await svc.listCharges(finance, { status: "expired" })).rows.map((r) => [r.amount, r.status])).toEqual([
      [100, "expired"],
    ]);
    expect((await svc.listCharges(finance, { status: "pending" })).rows).toHaveLength(5);

    const target = (await row(made[2]!.id)).pingppId!;
    expect((await svc.listCharges(finance, { q: target })).rows.map((r) => r.chargeId)).toEqual([target]);
    expect((await svc.listCharges(finance, { cursor: "garbage" })).rows).toHaveLength(7); // a bad cursor = first page
  });

  it("shows the detail; the raw Ping++ object only to finance/admin", async () => {
    const v = await svc.createCharge(cashier, form());
    const { pingppId } = await row(v.id);
    await h.sim(`charges/${pingppId}/pay`);
    await eventually(async () => (await row(v.id)).status === "paid", "paid");
    const forFinance = await svc.chargeDetail(finance, pingppId!);
    expect(forFinance.raw?.id).toBe(pingppId);
    const forCashier = await svc.chargeDetail(cashier, v.id);
    expect(forCashier.raw).toBeNull();
    await expect(svc.chargeDetail(other, v.id)).rejects.toMatchObject({ code: "chargeNotFound" });
    await expect(svc.chargeDetail(finance, "not-an-id")).rejects.toMatchObject({ code: "chargeNotFound" });
  });
});
