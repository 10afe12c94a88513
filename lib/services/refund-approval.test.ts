import { beforeEach, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import { addActor } from "@/tests/helpers/actors";
import { paidQrOrder } from "@/tests/helpers/payments";
import { auditLogs, charges, consoleSettings, orders, pingppEvents, refunds, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { refundOrderSchema } from "@/lib/validations/refunds";
import { refundApprovalSchema } from "@/lib/validations/refund-approval";
import type { Actor } from "./actor";
import * as osvc from "./orders";
import * as rsvc from "./refunds";
import { getRefundApproval, setRefundApproval } from "./refund-approval";
import { listAttention, resolveAttention } from "./attention";

let h: ConsoleSandbox;
let db: Db;
let cashier: Actor;
let financeA: Actor;
let financeB: Actor;
let admin: Actor;

consoleTestbed((bed) => ({ h, db } = bed), {
  sandbox: { refundDelayMs: 3_600_000 },
  clean: [refunds, orders, charges, pingppEvents, auditLogs, consoleSettings, staffUsers],
});

beforeEach(async () => {
  h.sandbox.setWebhookUrl(h.webhookUrl);
  await h.sim("faults", { mode: "none" });
  cashier = await addActor(db, "c1@shop.cn", "cashier", "T01");
  financeA = await addActor(db, "fa@shop.cn", "finance");
  financeB = await addActor(db, "fb@shop.cn", "finance");
  admin = await addActor(db, "a@shop.cn", "admin");
});

async function sandboxRefunds(chargeId: string) {
  const res = await fetch(`${h.sandbox.url}/v1/charges/${chargeId}/refunds?limit=100`, {
    headers: { authorization: `Bearer ${h.sandbox.apiKey}` },
  });
  return ((await res.json()) as { data: { id: string; amount: number }[] }).data;
}
const refundForm = (orderId: string, amount: string) =>
  refundOrderSchema.parse({ idempotencyKey: crypto.randomUUID(), orderId, amount, description: "顾客退货" });
const audits = (action: string) => db.select().from(auditLogs).where(eq(auditLogs.action, action));
const limits = (threshold: string, dayLimit = "") =>
  setRefundApproval(admin, refundApprovalSchema.parse({ threshold, dayLimit }));

const paidOrder = (amount = "100.00") => paidQrOrder(h, db, cashier, amount);

describe("refund approval (issue 17)", () => {
  it("is off by default: a refund is sent as today", async () => {
    expect(await getRefundApproval()).toEqual({ threshold: null, dayLimit: null });
    const { orderId, chargeId } = await paidOrder("100.00");
    const r = await rsvc.refundOrder(financeA, refundForm(orderId, "99.00"));
    expect(r.status).toBe("pending");
    expect(await sandboxRefunds(chargeId)).toHaveLength(1);
  });

  it("the admin's limits parse with the strict yuan parser, are stored and audited", async () => {
    expect(refundApprovalSchema.safeParse({ threshold: "1,00.5" }).success).toBe(false);
    expect(refundApprovalSchema.safeParse({ threshold: "abc" }).success).toBe(false);
    expect(refundApprovalSchema.parse({ threshold: "", dayLimit: " " })).toEqual({ threshold: null, dayLimit: null });
    await limits("¥1,000.50", "5000");
    expect(await getRefundApproval()).toEqual({ threshold: 100050, dayLimit: 500000 });
    await limits("");
    expect(await getRefundApproval()).toEqual({ threshold: null, dayLimit: null });
    const rows = await audits("settings.refund_approval");
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.params)).toContainEqual({
      before: { threshold: null, dayLimit: null },
      after: { threshold: 100050, dayLimit: 500000 },
    });
  });

  it("at the threshold: held, nothing at the sandbox, its amount counted in the remainder; the requester cannot approve", async () => {
    await limits("50.00");
    const { orderId, chargeId } = await paidOrder("100.00");
    const small = await rsvc.refundOrder(financeA, refundForm(orderId, "49.99"));
    expect(small.status).toBe("pending");
    const held = await rsvc.refundOrder(financeA, refundForm(orderId, "50.00"));
    expect(held).toMatchObject({ status: "awaiting_approval", pingppId: null, amount: 5000, createdBy: financeA.id });
    expect(await sandboxRefunds(chargeId)).toHaveLength(1);
    // 100.00 - 49.99 - 50.00 held = 0.01 left
    expect((await osvc.getOrder(financeA, orderId)).refundable).toBe(1);
    await expect(rsvc.refundOrder(financeB, refundForm(orderId, "0.02"))).rejects.toMatchObject({
      code: "refunds.errors.overRefund",
    });

    await expect(rsvc.approveRefund(financeA, held.id, "自己批")).rejects.toMatchObject({
      code: "refunds.errors.ownApproval",
    });
    await expect(rsvc.rejectRefund(financeA, held.id, "自己拒")).rejects.toMatchObject({
      code: "refunds.errors.ownApproval",
    });
    await expect(rsvc.approveRefund(cashier, held.id, "收银")).rejects.toMatchObject({ code: "forbidden" });
    await expect(rsvc.withdrawRefund(financeB, held.id, "")).rejects.toMatchObject({
      code: "refunds.errors.notRequester",
    });
    expect((await rsvc.getRefund(held.id)).row.status).toBe("awaiting_approval");
    expect(await sandboxRefunds(chargeId)).toHaveLength(1);
    expect((await audits("refund.approve")).map((a) => [a.result, a.message, a.actorEmail]).sort()).toEqual([
      ["refused", "forbidden", "c1@shop.cn"],
      ["refused", "refunds.errors.ownApproval", "fa@shop.cn"],
    ]);
    const created = await audits("refund.create");
    expect(created.find((a) => a.message === "awaiting approval")?.params).toMatchObject({
      amount: 5000,
      hold: "threshold",
    });

    // shows in needs-attention as its own kind
    const items = (await listAttention()).filter((i) => i.kind === "refundAwaitingApproval");
    expect(items.map((i) => [i.objectId, i.amount])).toEqual([[held.id, 5000]]);
    // decided on its page, never "marked handled" away from the queue
    await expect(resolveAttention(financeB, "refundAwaitingApproval", held.id, "已核对")).rejects.toMatchObject({
      code: "decideOnItsPage",
    });
    expect((await listAttention()).filter((i) => i.kind === "refundAwaitingApproval")).toHaveLength(1);
    expect((await audits("attention.resolve")).map((a) => [a.result, a.targetId])).toEqual([["refused", held.id]]);
    // and in the refunds list, with its own status filter
    expect((await rsvc.listRefunds({ status: "awaiting_approval" })).rows.map((r) => r.row.id)).toEqual([held.id]);
  });

  it("another finance approves: two approvals at once send exactly one refund to Ping++", async () => {
    await limits("10.00");
    const { orderId, chargeId } = await paidOrder("100.00");
    const held = await rsvc.refundOrder(financeA, refundForm(orderId, "60.00"));
    expect(held.status).toBe("awaiting_approval");
    const results = await Promise.allSettled([
      rsvc.approveRefund(financeB, held.id, "核对无误"),
      rsvc.approveRefund(admin, held.id, "同意"),
      rsvc.approveRefund(financeB, held.id, "核对无误"),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "refunds.errors.notAwaiting" });
    const remote = await sandboxRefunds(chargeId);
    expect(remote).toHaveLength(1);
    expect(remote[0]!.amount).toBe(6000);
    const row = (await rsvc.getRefund(held.id)).row;
    expect(row).toMatchObject({ status: "pending", pingppId: remote[0]!.id });
    expect([financeB.id, admin.id]).toContain(row.decidedBy);
    expect((await osvc.getOrder(financeB, orderId)).refundable).toBe(4000);
    const approve = await audits("refund.approve");
    expect(approve.filter((a) => a.result === "ok")).toHaveLength(1);
    expect(approve.filter((a) => a.result === "ok")[0]!.params).toMatchObject({ refund: remote[0]!.id, amount: 6000 });
    expect(approve.filter((a) => a.result === "refused")).toHaveLength(2);
    // decided: no longer approvable, nor needing attention
    await expect(rsvc.approveRefund(admin, held.id, "再批")).rejects.toMatchObject({
      code: "refunds.errors.notAwaiting",
    });
    expect((await listAttention()).filter((i) => i.kind === "refundAwaitingApproval")).toHaveLength(0);
  });

  it("reject and withdraw release the held amount; nothing reaches Ping++", async () => {
    await limits("10.00");
    const { orderId, chargeId } = await paidOrder("100.00");
    const a = await rsvc.refundOrder(financeA, refundForm(orderId, "60.00"));
    const b = await rsvc.refundOrder(financeB, refundForm(orderId, "40.00"));
    expect([a.status, b.status]).toEqual(["awaiting_approval", "awaiting_approval"]);
    // two held refunds together hold everything
    await expect(rsvc.refundOrder(admin, refundForm(orderId, "0.01"))).rejects.toMatchObject({
      code: "refunds.errors.overRefund",
    });
    const rejected = await rsvc.rejectRefund(financeB, a.id, "金额不对");
    expect(rejected).toMatchObject({
      status: "failed",
      failureCode: "approval_rejected",
      decidedBy: financeB.id,
      decisionNote: "金额不对",
    });
    expect((await osvc.getOrder(admin, orderId)).refundable).toBe(6000);
    const withdrawn = await rsvc.withdrawRefund(financeB, b.id, "填错了");
    expect(withdrawn).toMatchObject({ status: "failed", failureCode: "approval_withdrawn", decidedBy: financeB.id });
    expect((await osvc.getOrder(admin, orderId)).refundable).toBe(10000);
    await expect(rsvc.approveRefund(admin, a.id, "晚了")).rejects.toMatchObject({ code: "refunds.errors.notAwaiting" });
    // the same form sent again answers with the decision, and sends nothing
    await expect(
      rsvc.refundOrder(financeA, { ...refundForm(orderId, "60.00"), idempotencyKey: a.idempotencyKey! }),
    ).rejects.toMatchObject({ code: "refunds.errors.approvalRejected", detail: "金额不对" });
    expect(await sandboxRefunds(chargeId)).toHaveLength(0);
    expect((await audits("refund.reject")).map((x) => x.result)).toEqual(["ok"]);
    expect((await audits("refund.withdraw")).map((x) => x.result)).toEqual(["ok"]);
  });

  it("day limit: a refund that takes the requester's day total above it waits; others' refunds don't count", async () => {
    await limits("", "100.00");
    const { orderId, chargeId } = await paidOrder("300.00");
    expect((await rsvc.refundOrder(financeA, refundForm(orderId, "60.00"))).status).toBe("pending");
    // exactly 100.00: not above
    expect((await rsvc.refundOrder(financeA, refundForm(orderId, "40.00"))).status).toBe("pending");
    const over = await rsvc.refundOrder(financeA, refundForm(orderId, "0.01"));
    expect(over.status).toBe("awaiting_approval");
    expect((await audits("refund.create")).find((x) => x.message === "awaiting approval")?.params).toMatchObject({
      hold: "dayLimit",
    });
    // another person's day is their own
    expect((await rsvc.refundOrder(financeB, refundForm(orderId, "100.00"))).status).toBe("pending");
    expect(await sandboxRefunds(chargeId)).toHaveLength(3);
  });

  it("day limit: two refunds by one person at once cannot slip under it together", async () => {
    await limits("", "100.00");
    // two orders: their own row locks do not keep the two requests apart, only the per-person lock does
    const paid = await Promise.all([
      paidOrder("300.00"),
      paidOrder("300.00"),
      paidOrder("300.00"),
      paidOrder("300.00"),
    ]);
    const all = await Promise.all(paid.map((o) => rsvc.refundOrder(financeA, refundForm(o.orderId, "40.00"))));
    // 40 + 40 fit under 100.00; a third would take the day to 120.00
    expect(all.map((r) => r.status).sort()).toEqual(["awaiting_approval", "awaiting_approval", "pending", "pending"]);
    let sent = 0;
    for (const o of paid) sent += (await sandboxRefunds(o.chargeId)).length;
    expect(sent).toBe(2);
  });
});
