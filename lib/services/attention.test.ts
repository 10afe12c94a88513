import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { eventually, webhooksDelivered } from "@/tests/helpers/console-sandbox";
import { addActor } from "@/tests/helpers/actors";
import { paidQrCharge, qrOrderForm } from "@/tests/helpers/payments";
import {
  attentionResolutions,
  auditLogs,
  charges,
  orders,
  pingppEvents,
  redEnvelopes,
  refunds,
  royaltySettlements,
  royaltyTransactions,
  staffUsers,
} from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { shanghaiDayStart } from "@/lib/dates";
import { refundChargeSchema } from "@/lib/validations/refunds";
import { sendRedEnvelopeSchema } from "@/lib/validations/red-envelopes";
import { createSettlementSchema } from "@/lib/validations/settlements";
import type { Actor } from "./actor";
import { listAttention, resolveAttention, syncAttention, type AttentionItem, type AttentionKind } from "./attention";
import { cancelOrder, createOrderCharge } from "./orders";
import { refundCharge } from "./refunds";
import { sendRedEnvelope } from "./red-envelopes";
import { confirmSettlement, createSettlement } from "./settlements";

/**
 * The needs-attention queue for the kinds operations.test.ts does not cover: order anomalies,
 * failed refunds, failed red envelopes and failed settlement (royalty) transactions. Every state
 * is produced through the console's services and the sandbox's /_sim controls; no row is written
 * by hand. "Sync from Ping++" is proved by letting Ping++ (the sandbox) move on while its
 * webhooks cannot reach us, so only the sync can bring the news.
 */

let h: ConsoleSandbox;
let db: Db;
let cashier: Actor;
let finance: Actor;

// Refunds stay pending until a test fails or finishes them, as with a real channel.
consoleTestbed((bed) => ({ h, db } = bed), { sandbox: { refundDelayMs: 3_600_000 } });

const NOWHERE = "http://127.0.0.1:9/nowhere";

beforeEach(async () => {
  h.sandbox.setWebhookUrl(h.webhookUrl);
  await h.sim("faults", { mode: "none" });
  // Webhooks of earlier tests land first, so they cannot re-create rows after the clean-up.
  await webhooksDelivered(h.sandbox.url);
  for (const t of [
    attentionResolutions,
    refunds,
    orders,
    charges,
    redEnvelopes,
    royaltyTransactions,
    royaltySettlements,
    pingppEvents,
    auditLogs,
    staffUsers,
  ])
    await db.delete(t);
  cashier = await addActor(db, "c@attention.test", "cashier", "T01");
  finance = await addActor(db, "f@attention.test", "finance");
});
afterEach(() => h.sandbox.setWebhookUrl(h.webhookUrl));

const ofKind = async (kind: AttentionKind): Promise<AttentionItem[]> =>
  (await listAttention()).filter((i) => i.kind === kind);
const audits = (action: string) => db.select().from(auditLogs).where(eq(auditLogs.action, action));

/** Resolving with a note: stored once with who did it, audited, and the item leaves the queue. */
async function expectResolves(kind: AttentionKind, objectId: string) {
  const note = `已人工核对 ${kind}`;
  await resolveAttention(finance, kind, objectId, note);
  expect((await listAttention()).some((i) => i.kind === kind && i.objectId === objectId)).toBe(false);
  const [r] = await db
    .select()
    .from(attentionResolutions)
    .where(and(eq(attentionResolutions.kind, kind), eq(attentionResolutions.objectId, objectId)));
  expect(r).toMatchObject({ note, resolvedBy: finance.id, resolvedByEmail: finance.email });
  const [a] = (await audits("attention.resolve")).filter((x) => x.targetId === objectId);
  expect(a).toMatchObject({
    actorId: finance.id,
    targetType: kind,
    targetId: objectId,
    result: "ok",
    params: { note },
  });
}

const orderForm = qrOrderForm;
const orderOf = async (chargeRowId: string) => {
  const [c] = await db.select().from(charges).where(eq(charges.id, chargeRowId));
  const [o] = await db.select().from(orders).where(eq(orders.chargeId, c!.pingppId!));
  return o!;
};
const orderRow = async (id: string) => (await db.select().from(orders).where(eq(orders.id, id)))[0]!;

/** A ¥20.00 QR charge the customer paid (its webhook applied); its ch_ id. */
const paidCharge = async (): Promise<string> => (await paidQrCharge(h, db, cashier)).chargeId;

describe("needs attention: order anomalies (orderAnomaly)", () => {
  it("a normally paid order is not listed; paid after cancel and paid twice are, with what was paid; sync brings a double payment whose webhooks were lost", async () => {
    // paid once, as it should be: no anomaly
    const normal = await orderOf((await createOrderCharge(cashier, orderForm("10.00"))).id);
    await h.sim(`charges/${normal.chargeId}/pay`);
    await eventually(async () => (await orderRow(normal.id)).status === "paid", "normal order paid");
    expect(await ofKind("orderAnomaly")).toEqual([]);

    // canceled, then paid anyway (webhooks on): listed with the whole amount paid
    const late = await orderOf((await createOrderCharge(cashier, orderForm("12.00"))).id);
    await cancelOrder(finance, late.id, crypto.randomUUID());
    await h.sim(`orders/${late.pingppId}/pay_after_cancel`);
    await eventually(async () => (await orderRow(late.id)).amountPaid === 1200, "late payment seen");
    expect((await ofKind("orderAnomaly")).map((i) => [i.objectId, i.label, i.amount, i.href])).toEqual([
      [late.id, late.pingppId, 1200, `/orders/${late.id}`],
    ]);

    // paid from two channels while Ping++'s webhooks cannot reach us: the console does not know yet
    const twice = await orderOf((await createOrderCharge(cashier, orderForm("30.00"))).id);
    h.sandbox.setWebhookUrl(NOWHERE);
    await h.sim(`orders/${twice.pingppId}/pay_twice`);
    expect((await orderRow(twice.id)).amountPaid).toBe(0);
    expect((await ofKind("orderAnomaly")).map((i) => i.objectId)).toEqual([late.id]);
    // "sync from Ping++" retrieves the order and stores both payments: now it is listed
    await syncAttention(finance, "orderAnomaly", twice.id);
    expect(await orderRow(twice.id)).toMatchObject({ amountPaid: 6000, paid: true });
    const items = await ofKind("orderAnomaly");
    expect(items.map((i) => [i.objectId, i.amount]).sort()).toEqual(
      [
        [late.id, 1200],
        [twice.id, 6000],
      ].sort(),
    );
    h.sandbox.setWebhookUrl(h.webhookUrl);

    await expectResolves("orderAnomaly", twice.id);
    expect((await ofKind("orderAnomaly")).map((i) => i.objectId)).toEqual([late.id]);
  });
});

describe("needs attention: failed refunds (refundFailed)", () => {
  it("only a refund Ping++ made and the channel failed is listed (not pending, not refused before Ping++); sync brings the failure", async () => {
    const chargeId = await paidCharge();
    const form = (amount: string) =>
      refundChargeSchema.parse({ idempotencyKey: crypto.randomUUID(), chargeId, amount, description: "多收了" });

    // refused by Ping++ (a channel error): failed, but nothing exists at Ping++ to look after
    await h.sim("faults", { mode: "channel_error", count: 1 });
    await expect(refundCharge(finance, form("1.00"))).rejects.toMatchObject({ code: "pingppRefused" });
    const [refused] = await db.select().from(refunds);
    expect(refused).toMatchObject({ status: "failed", pingppId: null });

    const r = await refundCharge(finance, form("5.00"));
    expect(r.status).toBe("pending");
    expect(await ofKind("refundFailed")).toEqual([]);

    // the channel fails it at Ping++ (no webhook for that): still pending here, not listed yet
    await h.sim(`refunds/${r.pingppId}/fail`, { message: "退款失败：原账户已注销" });
    expect(await ofKind("refundFailed")).toEqual([]);

    await syncAttention(finance, "refundFailed", r.id);
    expect((await db.select().from(refunds).where(eq(refunds.id, r.id)))[0]).toMatchObject({
      status: "failed",
      failureMsg: "退款失败：原账户已注销",
    });
    const items = await ofKind("refundFailed");
    expect(items.map((i) => [i.objectId, i.label, i.amount, i.detail, i.href])).toEqual([
      [r.id, r.pingppId, 500, "退款失败：原账户已注销", `/refunds/${r.id}`],
    ]);
    // syncing the listed item again asks Ping++ again and changes nothing
    await syncAttention(finance, "refundFailed", r.id);
    expect((await ofKind("refundFailed")).map((i) => i.objectId)).toEqual([r.id]);

    await expectResolves("refundFailed", r.id);
    expect(await ofKind("refundFailed")).toEqual([]);
  });
});

describe("needs attention: failed red envelopes (redEnvelopeFailed)", () => {
  const form = () =>
    sendRedEnvelopeSchema.parse({
      idempotencyKey: crypto.randomUUID(),
      recipient: `oUpF8uMuAJO_${crypto.randomBytes(6).toString("hex")}`,
      amount: "8.88",
      sendName: "示例商户",
      subject: "新年红包",
      body: "恭喜发财",
      description: "年会抽奖",
    });

  it("a sending or received envelope is not listed; one Ping++ failed is, once synced, with Ping++'s reason", async () => {
    const ok = await sendRedEnvelope(finance, form());
    const bad = await sendRedEnvelope(finance, form());
    expect([ok.status, bad.status]).toEqual(["sending", "sending"]);
    await h.sim(`red_envelopes/${ok.pingppId}/receive`);
    await eventually(
      async () => (await db.select().from(redEnvelopes).where(eq(redEnvelopes.id, ok.id)))[0]!.status === "received",
      "received by webhook",
    );

    // failed at Ping++ (Ping++ sends no event for it): the console still says sending
    await h.sim(`red_envelopes/${bad.pingppId}/fail`, { message: "发放失败：用户未关注公众号" });
    expect(await ofKind("redEnvelopeFailed")).toEqual([]);

    await syncAttention(finance, "redEnvelopeFailed", bad.id);
    const items = await ofKind("redEnvelopeFailed");
    expect(items.map((i) => [i.objectId, i.label, i.amount, i.detail, i.href])).toEqual([
      [bad.id, bad.pingppId, 888, "发放失败：用户未关注公众号", `/red-envelopes/${bad.id}`],
    ]);
    await syncAttention(finance, "redEnvelopeFailed", bad.id); // again: still failed at Ping++, still listed
    expect((await ofKind("redEnvelopeFailed")).map((i) => i.objectId)).toEqual([bad.id]);

    await expectResolves("redEnvelopeFailed", bad.id);
    expect(await ofKind("redEnvelopeFailed")).toEqual([]);
  });
});

describe("needs attention: failed settlement transactions (royaltyTransactionFailed)", () => {
  it("only failed transactions are listed; sync retrieves the settlement when its outcome webhook was lost; unknown ids are refused", async () => {
    const day = "2026-01-15";
    const created = Math.floor(shanghaiDayStart(day).getTime() / 1000) + 12 * 3600;
    await h.sim("royalties", {
      royalties: [
        ["user_a", 1500],
        ["user_b", 2300],
        ["user_c", 700],
      ].map(([source_user, amount]) => ({ source_user, amount, created })),
    });
    const s = await createSettlement(
      finance,
      createSettlementSchema.parse({
        idempotencyKey: crypto.randomUUID(),
        payerApp: h.sandbox.appId,
        method: "alipay",
        from: day,
        to: day,
      }),
    );
    expect(s.count).toBe(3);

    // Ping++ settles it partly while its webhooks cannot reach us
    h.sandbox.setWebhookUrl(NOWHERE);
    await h.sim("royalty_settlements/next_outcome", { status: "partially_succeeded", fail_count: 1 });
    await confirmSettlement(finance, s.id);
    await h.sim("jobs/run");
    const local = async () => db.select().from(royaltyTransactions).where(eq(royaltyTransactions.settlementId, s.id));
    expect((await local()).some((t) => t.status === "failed")).toBe(false);
    expect(await ofKind("royaltyTransactionFailed")).toEqual([]);

    // "sync from Ping++" on one of its transactions retrieves the whole settlement
    const anyTx = (await local())[0]!.id;
    await syncAttention(finance, "royaltyTransactionFailed", anyTx);
    const txs = await local();
    expect(txs.map((t) => t.status).sort()).toEqual(["failed", "succeeded", "succeeded"]);
    const failed = txs.find((t) => t.status === "failed")!;
    expect((await db.select().from(royaltySettlements).where(eq(royaltySettlements.id, s.id)))[0]).toMatchObject({
      status: "partially_succeeded",
      amountFailed: failed.amount,
      countFailed: 1,
    });
    const items = await ofKind("royaltyTransactionFailed");
    expect(items.map((i) => [i.objectId, i.label, i.amount, i.href])).toEqual([
      [failed.id, failed.id, failed.amount, `/settlements/${s.id}`],
    ]);
    expect(items[0]!.detail).toMatch(/结算失败/);
    expect(
      (await audits("royalty_settlement.sync")).map((a) => [a.targetType, a.targetId, a.result, a.actorId]),
    ).toEqual([["royalty_settlement", s.pingppId, "ok", finance.id]]);

    // the listed item synced again: Ping++ says the same, nothing moves back
    await syncAttention(finance, "royaltyTransactionFailed", failed.id);
    expect((await ofKind("royaltyTransactionFailed")).map((i) => i.objectId)).toEqual([failed.id]);
    await expect(syncAttention(finance, "royaltyTransactionFailed", "no_such_tx")).rejects.toMatchObject({
      code: "attentionNotFound",
    });
    h.sandbox.setWebhookUrl(h.webhookUrl);

    await expectResolves("royaltyTransactionFailed", failed.id);
    expect(await ofKind("royaltyTransactionFailed")).toEqual([]);
  });
});

describe("needs attention: refunds and red envelopes waiting too long (refundPending, redEnvelopeSending)", () => {
  // An hour cannot pass in a test: the rows' created_at is moved back, the one thing written by hand here.
  const age = async (table: typeof refunds | typeof redEnvelopes, id: string, ms: number) =>
    db
      .update(table)
      .set({ createdAt: new Date(Date.now() - ms) })
      .where(eq(table.id, id));

  it("a refund pending past an hour is listed; sync brings Ping++'s outcome when its webhook was lost, and it leaves the queue", async () => {
    const chargeId = await paidCharge();
    const form = (amount: string) =>
      refundChargeSchema.parse({ idempotencyKey: crypto.randomUUID(), chargeId, amount, description: "多收了" });
    const late = await refundCharge(finance, form("5.00"));
    const fresh = await refundCharge(finance, form("1.00"));
    expect([late.status, fresh.status]).toEqual(["pending", "pending"]);
    expect(await ofKind("refundPending")).toEqual([]);

    await age(refunds, late.id, 2 * 3600_000);
    expect((await ofKind("refundPending")).map((i) => [i.objectId, i.label, i.amount, i.href])).toEqual([
      [late.id, late.pingppId, 500, `/refunds/${late.id}`],
    ]);

    // Ping++ finishes it while its webhook cannot reach us: only a sync brings the news
    h.sandbox.setWebhookUrl(NOWHERE);
    await h.sim("jobs/run");
    await syncAttention(finance, "refundPending", late.id);
    expect((await db.select().from(refunds).where(eq(refunds.id, late.id)))[0]!.status).toBe("succeeded");
    expect(await ofKind("refundPending")).toEqual([]);
    expect((await audits("refund.refresh")).map((a) => [a.targetId, a.result, a.message])).toEqual([
      [late.pingppId, "ok", "pending → succeeded"],
    ]);
  });

  it("a red envelope still sending after ten minutes is listed; resolving or syncing takes it out", async () => {
    const form = () =>
      sendRedEnvelopeSchema.parse({
        idempotencyKey: crypto.randomUUID(),
        recipient: `oUpF8uMuAJO_${crypto.randomBytes(6).toString("hex")}`,
        amount: "6.66",
        sendName: "示例商户",
        subject: "红包",
        body: "恭喜发财",
        description: "活动",
      });
    const a = await sendRedEnvelope(finance, form());
    const b = await sendRedEnvelope(finance, form());
    expect(await ofKind("redEnvelopeSending")).toEqual([]);
    await age(redEnvelopes, a.id, 20 * 60_000);
    await age(redEnvelopes, b.id, 30 * 60_000);
    expect((await ofKind("redEnvelopeSending")).map((i) => i.objectId)).toEqual([a.id, b.id]); // newest first

    await syncAttention(finance, "redEnvelopeSending", a.id); // test mode: the retrieve moves it on to sent
    expect((await db.select().from(redEnvelopes).where(eq(redEnvelopes.id, a.id)))[0]!.status).toBe("sent");
    expect((await ofKind("redEnvelopeSending")).map((i) => i.objectId)).toEqual([b.id]);

    await expectResolves("redEnvelopeSending", b.id);
    expect(await ofKind("redEnvelopeSending")).toEqual([]);
  });
});
