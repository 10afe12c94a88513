import { afterAll, beforeEach, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import { eventually } from "@/tests/helpers/console-sandbox";
import { addActor } from "@/tests/helpers/actors";
import {
  auditLogs,
  charges,
  pingppEvents,
  reconciliationDifferences,
  reconciliationRuns,
  refunds,
  staffUsers,
} from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { createChargeSchema } from "@/lib/validations/charges";
import { shanghaiToday, addDays } from "@/lib/dates";
import { JOBS, Scheduler, runJobOnce, stopScheduler } from "@/lib/jobs";
import type { Actor } from "./actor";
import { AppError } from "./errors";
import { createCharge } from "./charges";
import * as svc from "./reconciliation";
import { EXPORTS } from "@/lib/services/exports";

let h: ConsoleSandbox;
let db: Db;
let cashier: Actor;
let finance: Actor;

consoleTestbed((bed) => ({ h, db } = bed), {
  clean: [reconciliationRuns, refunds, charges, pingppEvents, auditLogs, staffUsers],
});
afterAll(stopScheduler);

beforeEach(async () => {
  cashier = await addActor(db, "c1@shop.cn", "cashier", "T01");
  finance = await addActor(db, "f@shop.cn", "finance");
});

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${h.sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${h.sandbox.apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
};
const sandboxCharges = async (): Promise<{ id: string; paid: boolean; amount_refunded: number }[]> => {
  const out = [];
  let after = "";
  for (;;) {
    const page = await api(
      "GET",
      `/v1/charges?app[id]=${h.sandbox.appId}&limit=100${after ? `&starting_after=${after}` : ""}`,
    );
    out.push(...page.data);
    if (!page.has_more) return out;
    after = page.data.at(-1).id;
  }
};
const newCharge = async (amount = "12.34") =>
  createCharge(
    cashier,
    createChargeSchema.parse({
      idempotencyKey: crypto.randomUUID(),
      amount,
      channel: "alipay_qr",
      subject: "门店消费",
      body: "收银台收款",
    }),
  );
const rowOf = async (pingppId: string) => (await db.select().from(charges).where(eq(charges.pingppId, pingppId)))[0];
const diffsOf = async (runId: string) =>
  db.select().from(reconciliationDifferences).where(eq(reconciliationDifferences.runId, runId));

describe("reconciliation of a day against Ping++", () => {
  it("finds each kind of difference, counts both sides per currency, and changes nothing at Ping++", async () => {
    // 1. in step: created and paid through the console, webhook delivered
    const fine = await newCharge("10.00");
    await h.sim(`charges/${fine.chargeId}/pay`);
    await eventually(async () => (await rowOf(fine.chargeId!))?.status === "paid", "webhook applied");
    // 2. a lost webhook: paid at Ping++, pending here
    const lost = await newCharge("20.00");
    await h.sim(`charges/${lost.chargeId}/pay`, { lose_webhook: true });
    // 3. made straight at the sandbox: not here at all
    const direct = await api("POST", "/v1/charges", {
      app: { id: h.sandbox.appId },
      order_no: `D${Date.now()}`,
      amount: 3300,
      channel: "alipay_qr",
      currency: "cny",
      client_ip: "127.0.0.1",
      subject: "直连",
      body: "直连",
      extra: { product_id: "p1", goods_list: [{ goods_name: "x", goods_num: 1, price: 3300 }] },
    });
    expect(direct.id).toMatch(/^ch_/);
    // 4. our amount edited by mistake
    const edited = await newCharge("40.00");
    await db.update(charges).set({ amount: 4001 }).where(eq(charges.pingppId, edited.chargeId!));
    // 5. a row Ping++ never had, and a refund row Ping++ does not list under its charge
    await db.insert(charges).values({
      pingppId: "ch_notAtPingpp0000000000000",
      orderNo: "GHOST1",
      appId: h.sandbox.appId,
      channel: "alipay_qr",
      amount: 500,
      currency: "cny",
      subject: "s",
      body: "b",
      status: "paid",
    });
    const [ghostRefund] = await db
      .insert(refunds)
      .values({
        pingppId: "re_notAtPingpp0000000000000",
        chargeId: fine.chargeId!,
        amount: 100,
        description: "x",
        status: "succeeded",
      })
      .returning();

    const before = JSON.stringify(await sandboxCharges());
    const run = await svc.reconcileDay(shanghaiToday(), { actor: finance });
    expect(run.status).toBe("finished");
    expect(JSON.stringify(await sandboxCharges())).toBe(before); // reads only

    const diffs = await diffsOf(run.id);
    const of = (id: string) => diffs.filter((d) => d.pingppId === id).map((d) => [d.kind, d.ours, d.theirs]);
    expect(of(fine.chargeId!)).toEqual([]);
    expect(of(lost.chargeId!)).toEqual([["status", "pending", "paid"]]);
    expect(of(direct.id)).toEqual([["missing_here", null, "pending"]]);
    expect(of(edited.chargeId!)).toEqual([["amount", "4001", "4000"]]);
    expect(of("ch_notAtPingpp0000000000000")).toEqual([["missing_there", "paid", null]]);
    expect(diffs.find((d) => d.pingppId === ghostRefund!.pingppId)).toMatchObject({
      kind: "missing_there",
      objectType: "refund",
      rowId: ghostRefund!.id,
    });
    expect(run.differences).toBe(diffs.length);

    // per currency: Ping++ lists every sandbox charge of today; ours are the 5 rows above
    const cny = run.totals.find((t) => t.currency === "cny")!;
    const theirs = (await sandboxCharges()) as unknown as { amount: number }[];
    expect(cny.pingppCount).toBe(theirs.length);
    expect(cny.pingppAmount).toBe(theirs.reduce((s, c) => s + c.amount, 0));
    expect(cny).toMatchObject({ consoleCount: 4, consoleAmount: 1000 + 2000 + 4001 + 500 });

    // fix from Ping++: the lost webhook's charge becomes paid; the direct charge is imported
    const statusDiff = diffs.find((d) => d.pingppId === lost.chargeId)!;
    await svc.fixFromPingpp(finance, statusDiff.id);
    expect((await rowOf(lost.chargeId!))?.status).toBe("paid");
    await svc.fixFromPingpp(finance, diffs.find((d) => d.pingppId === direct.id)!.id);
    expect(await rowOf(direct.id)).toMatchObject({ amount: 3300, status: "pending" });
    await expect(svc.fixFromPingpp(finance, statusDiff.id)).rejects.toMatchObject({
      code: "reconciliation.errors.alreadyResolved",
    });
    // what Ping++ does not have cannot be fixed from it, only noted
    const ghost = diffs.find((d) => d.pingppId === "ch_notAtPingpp0000000000000")!;
    await expect(svc.fixFromPingpp(finance, ghost.id)).rejects.toBeInstanceOf(AppError);
    await svc.noteDifference(finance, ghost.id, "测试数据，已作废");
    const after = await diffsOf(run.id);
    expect(after.find((d) => d.id === ghost.id)).toMatchObject({
      resolution: "noted",
      note: "测试数据，已作废",
      resolvedBy: finance.id,
    });
    expect(after.find((d) => d.id === statusDiff.id)).toMatchObject({
      resolution: "fixed",
      note: "paid",
      resolvedBy: finance.id,
    });

    const audited = await db.select().from(auditLogs).where(eq(auditLogs.actorId, finance.id));
    expect(audited.map((a) => [a.action, a.result]).sort()).toEqual([
      ["reconciliation.fix", "ok"],
      ["reconciliation.fix", "ok"],
      ["reconciliation.note", "ok"],
      ["reconciliation.run", "ok"],
    ]);

    // the CSV export of the run: one line per difference, with its resolution
    const lines = [];
    for await (const batch of EXPORTS.reconciliation!.rows(finance, { run: run.id })) lines.push(...batch);
    expect(lines).toHaveLength(diffs.length);
    expect(lines.find((l) => l[3] === "ch_notAtPingpp0000000000000")).toEqual([
      shanghaiToday(),
      "missing_there",
      "charge",
      "ch_notAtPingpp0000000000000",
      "CNY",
      "paid",
      null,
      "5.00",
      "noted",
      "测试数据，已作废",
      expect.any(String),
    ]);

    // a second run of the same day: the fixed ones agree now
    const again = await svc.reconcileDay(shanghaiToday(), { actor: finance });
    const d2 = await diffsOf(again.id);
    expect(d2.filter((d) => d.pingppId === lost.chargeId || d.pingppId === direct.id)).toEqual([]);
  });

  it("pages Ping++'s list and ours: more charges than one page of either are all compared", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) mine.push((await newCharge()).chargeId!);
    // a ghost of ours among them: found on our side's later page
    await db.insert(charges).values({
      pingppId: "ch_ghost2",
      orderNo: "GHOST2",
      appId: h.sandbox.appId,
      channel: "alipay_qr",
      amount: 500,
      currency: "cny",
      subject: "s",
      body: "b",
      status: "paid",
    });
    const run = await svc.reconcileDay(shanghaiToday(), { actor: finance, pageSize: 2 });
    const total = (await sandboxCharges()).length;
    expect(total).toBeGreaterThan(3);
    expect(run.totals[0]!.pingppCount).toBe(total);
    const diffs = await diffsOf(run.id);
    // every charge of the sandbox not made in this test is missing here; ours are in step
    expect(diffs.filter((d) => d.kind === "missing_here" && d.objectType === "charge").length).toBe(total - 3);
    expect(diffs.filter((d) => mine.includes(d.chargeId!))).toEqual([]);
  });

  it("refuses a day in the future or not a date; the nightly job reconciles yesterday once and prunes after 90 days", async () => {
    await expect(svc.reconcileDay(addDays(shanghaiToday(), 1), { actor: finance })).rejects.toMatchObject({
      code: "reconciliation.errors.badDay",
    });
    await expect(svc.reconcileDay("2026-02-30x", { actor: finance })).rejects.toBeInstanceOf(AppError);
    expect(await db.select().from(reconciliationRuns)).toEqual([]);

    const [old] = await db
      .insert(reconciliationRuns)
      .values({ day: addDays(shanghaiToday(), -91), trigger: "nightly", status: "finished" })
      .returning();
    const [kept] = await db
      .insert(reconciliationRuns)
      .values({ day: addDays(shanghaiToday(), -90), trigger: "nightly", status: "finished" })
      .returning();
    expect(await svc.nightlyReconciliation()).toEqual({ ran: true, pruned: 1 });
    expect(await svc.nightlyReconciliation()).toEqual({ ran: false, pruned: 0 });
    const runs = await db.select().from(reconciliationRuns);
    expect(runs.map((r) => r.id)).not.toContain(old!.id);
    expect(runs.map((r) => r.id)).toContain(kept!.id);
    const nightly = runs.filter((r) => r.day === addDays(shanghaiToday(), -1));
    expect(nightly).toHaveLength(1);
    expect(nightly[0]).toMatchObject({ trigger: "nightly", status: "finished", startedBy: null });
    const [a] = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "reconciliation.run"), eq(auditLogs.actorEmail, "system")));
    expect(a).toMatchObject({ result: "ok" });
  });

  it("the nightly job through the scheduler: two instances claiming it at once reconcile yesterday once", async () => {
    const other = new Scheduler(JOBS, { log: { warn: () => {}, error: () => {} } });
    const ran = await Promise.all([runJobOnce("reconciliation.nightly"), other.runNow("reconciliation.nightly")]);
    await other.stop();
    expect(ran.filter(Boolean)).toHaveLength(1);
    const runs = await db
      .select()
      .from(reconciliationRuns)
      .where(eq(reconciliationRuns.day, addDays(shanghaiToday(), -1)));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: "nightly", status: "finished" });
  });
});
