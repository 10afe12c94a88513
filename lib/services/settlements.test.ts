import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { eventually, webhooksDelivered } from "@/tests/helpers/console-sandbox";
import { auditLogs, pingppEvents, royaltySettlements, royaltyTransactions, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { parseEvent, PingppConnectionError, type RoyaltySettlement } from "@/lib/pingpp";
import { fixtureBytes } from "@/lib/pingpp/test-fixtures";
import { shanghaiDayStart } from "@/lib/dates";
import {
  createSettlementSchema,
  previewSettlementSchema,
  type SettlementParamsInput,
} from "@/lib/validations/settlements";
import type { Actor } from "./actor";
import type { AppError } from "./errors";
import { applyEvent } from "./webhooks";
import { pingpp } from "./pingpp-client";
import * as svc from "./settlements";
import { runJobOnce, stopScheduler } from "@/lib/jobs";

let h: ConsoleSandbox;
let db: Db;
let finance: Actor;

consoleTestbed((bed) => ({ h, db } = bed));
afterAll(stopScheduler);
afterEach(() => vi.restoreAllMocks());

beforeEach(async () => {
  // Webhooks of earlier tests land first, so they cannot re-create rows after the clean-up.
  await webhooksDelivered(h.sandbox.url);
  await db.delete(royaltySettlements);
  await db.delete(pingppEvents);
  await db.delete(auditLogs);
  await db.delete(staffUsers);
  const [u] = await db
    .insert(staffUsers)
    .values({ email: "f@shop.cn", name: "财务", role: "finance", passwordHash: "x" })
    .returning();
  finance = { id: u!.id, email: "f@shop.cn", name: "财务", role: "finance", terminalId: null, ip: "10.1.2.3" };
});

/** Each test settles the royalties of its own (past) day, so tests never see each other's pool. */
let days = 0;
async function poolDay(royalties: [string, number][]): Promise<string> {
  days += 1;
  const day = `2026-01-${String(days).padStart(2, "0")}`;
  const created = Math.floor(shanghaiDayStart(day).getTime() / 1000) + 12 * 3600;
  await h.sim("royalties", { royalties: royalties.map(([source_user, amount]) => ({ source_user, amount, created })) });
  return day;
}

/** The sandbox's royalties of a day: which are still unsettled, and which settled. */
async function pool(day: string): Promise<{ amount: number; status: string }[]> {
  const res = await fetch(`${h.sandbox.url}/_sim/royalties`);
  const start = shanghaiDayStart(day).getTime() / 1000;
  return ((await res.json()).data as { amount: number; status: string; created: number }[]).filter(
    (r) => r.created >= start && r.created < start + 86400,
  );
}
const unsettled = async (day: string) =>
  (await pool(day)).filter((r) => r.status === "created").reduce((n, r) => n + r.amount, 0);

async function sandboxSettlements(): Promise<RoyaltySettlement[]> {
  return (await pingpp().royaltySettlements.list({ payer_app: h.sandbox.appId, per_page: 100 })).data;
}

const params = (day: string, over: Partial<SettlementParamsInput> = {}) =>
  previewSettlementSchema.parse({ payerApp: h.sandbox.appId, method: "balance", from: day, to: day, ...over });
const form = (day: string, over: Partial<SettlementParamsInput> = {}) =>
  createSettlementSchema.parse({
    idempotencyKey: crypto.randomUUID(),
    payerApp: h.sandbox.appId,
    method: "alipay",
    from: day,
    to: day,
    ...over,
  });

const audits = async (action: string) =>
  (await db.select().from(auditLogs).where(eq(auditLogs.action, action))).map((a) => a.result).sort();

async function finished(id: string): Promise<svc.SettlementView> {
  return eventually(async () => {
    const v = await svc.getSettlement(id);
    return ["succeeded", "partially_succeeded", "failed"].includes(v.status) ? v : null;
  }, "settlement outcome");
}

describe("preview", () => {
  it("shows totals, counts, fee and each payout per source user, and changes nothing anywhere", async () => {
    const day = await poolDay([
      ["user_a", 1500],
      ["user_a", 800],
      ["user_b", 650],
    ]);
    const p = await svc.previewSettlement(finance, params(day));
    expect(p).toMatchObject({ amount: 2950, count: 2, fee: 0 });
    expect(p.transactions.map((t) => [t.sourceUser, t.amount]).sort()).toEqual([
      ["user_a", 2300],
      ["user_b", 650],
    ]);
    expect(p.transactions[0]!.settleAccount).toMatch(/^3202\d+/);

    expect(await db.$count(royaltySettlements)).toBe(0);
    expect(await db.$count(auditLogs)).toBe(0);
    expect((await pool(day)).map((r) => r.status)).toEqual(["created", "created", "created"]);
    const withoutIds = (v: typeof p) => ({ ...v, transactions: v.transactions.map((t) => ({ ...t, id: null })) });
    // again the same: nothing was taken from the pool
    expect(withoutIds(await svc.previewSettlement(finance, params(day)))).toEqual(withoutIds(p));

    const filtered = await svc.previewSettlement(finance, params(day, { minAmount: "10", metadata: "batch=2026-01" }));
    expect(filtered).toMatchObject({ amount: 2300, count: 1 });
    expect((await svc.previewSettlement(finance, params(day, { sourceUser: "user_b" }))).amount).toBe(650);
  });
});

describe("create → confirm", () => {
  it("creates once (double click), confirms, and the succeeded webhook shows every transaction succeeded", async () => {
    const day = await poolDay([
      ["user_a", 1500],
      ["user_b", 2300],
    ]);
    const input = form(day);
    const before = (await sandboxSettlements()).length;
    const results = await Promise.allSettled([
      svc.createSettlement(finance, input),
      svc.createSettlement(finance, input),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results)
      if (r.status === "rejected") expect((r.reason as AppError).code).toBe("settlements.errors.inProgress");
    const created = (ok[0] as PromiseFulfilledResult<svc.SettlementSummary>).value;
    expect(created).toMatchObject({ status: "created", amount: 3800, count: 2, method: "alipay" });
    expect((await svc.createSettlement(finance, input)).id).toBe(created.id); // a later retry: the same settlement
    expect((await sandboxSettlements()).length).toBe(before + 1);
    expect(await db.$count(royaltySettlements)).toBe(1);
    expect(await unsettled(day)).toBe(0);

    const detail = await svc.getSettlement(created.id);
    expect(detail.transactions.map((t) => t.status)).toEqual(["created", "created"]);

    const confirmed = await svc.confirmSettlement(finance, created.id);
    expect(["pending", "succeeded"]).toContain(confirmed.status);
    const done = await finished(created.id);
    expect(done).toMatchObject({ status: "succeeded", amountSucceeded: 3800, countSucceeded: 2, amountFailed: 0 });
    expect(done.timeFinished).not.toBeNull();
    expect(done.transactions.map((t) => [t.sourceUser, t.status, t.failureMsg]).sort()).toEqual([
      ["user_a", "succeeded", null],
      ["user_b", "succeeded", null],
    ]);
    const [evt] = await db.select().from(pingppEvents).where(eq(pingppEvents.objectId, done.pingppId!));
    expect(evt).toMatchObject({ type: "royalty_settlement.succeeded", status: "applied" });
    expect((await pool(day)).map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    expect(await audits("royalty_settlement.create")).toEqual(["ok"]);
    expect(await audits("royalty_settlement.confirm")).toEqual(["ok"]);
  });

  it("a double confirm is one confirm at Ping++", async () => {
    const day = await poolDay([["user_a", 1000]]);
    const { id } = await svc.createSettlement(finance, form(day));
    const confirm = vi.spyOn(pingpp().royaltySettlements, "confirm");
    const results = await Promise.allSettled([svc.confirmSettlement(finance, id), svc.confirmSettlement(finance, id)]);
    expect(results.some((r) => r.status === "fulfilled")).toBe(true);
    for (const r of results)
      if (r.status === "rejected") expect((r.reason as AppError).code).toBe("settlements.errors.inProgress");
    await finished(id);
    expect((await svc.confirmSettlement(finance, id)).status).toBe("succeeded"); // later: already done
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(await audits("royalty_settlement.confirm")).toEqual(["ok"]);
  });
});

describe("outcomes", () => {
  it("partially_succeeded: each failed transaction shows why, and its royalties return to the pool", async () => {
    const day = await poolDay([
      ["user_a", 1500],
      ["user_b", 2300],
      ["user_c", 700],
    ]);
    const { id } = await svc.createSettlement(finance, form(day));
    await h.sim("royalty_settlements/next_outcome", { status: "partially_succeeded", fail_count: 1 });
    await svc.confirmSettlement(finance, id);
    const v = await finished(id);
    expect(v).toMatchObject({ status: "partially_succeeded", count: 3, countSucceeded: 2, countFailed: 1 });
    const failed = v.transactions.filter((t) => t.status === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.failureMsg).toMatch(/结算失败/);
    expect(v.amountFailed).toBe(failed[0]!.amount);
    expect(v.amountSucceeded).toBe(4500 - failed[0]!.amount);
    expect(v.transactions.filter((t) => t.status === "succeeded")).toHaveLength(2);
    expect(await unsettled(day)).toBe(failed[0]!.amount);
    expect((await svc.previewSettlement(finance, params(day))).amount).toBe(failed[0]!.amount); // can be settled again
  });

  it("failed: every transaction failed, all royalties back in the pool, and a new settlement takes them", async () => {
    const day = await poolDay([
      ["user_a", 1200],
      ["user_b", 300],
    ]);
    const { id } = await svc.createSettlement(finance, form(day));
    await h.sim("royalty_settlements/next_outcome", { status: "failed" });
    await svc.confirmSettlement(finance, id);
    const v = await finished(id);
    expect(v).toMatchObject({ status: "failed", amountFailed: 1500, countFailed: 2, amountSucceeded: 0 });
    expect(v.transactions.every((t) => t.status === "failed" && !!t.failureMsg)).toBe(true);
    expect(await unsettled(day)).toBe(1500);
    const again = await svc.createSettlement(finance, form(day));
    expect(again).toMatchObject({ status: "created", amount: 1500 });
    expect(again.id).not.toBe(id);
  });
});

describe("cancel", () => {
  it("cancels once, returns the royalties to the pool, and a canceled settlement cannot be confirmed", async () => {
    const day = await poolDay([
      ["user_a", 900],
      ["user_b", 100],
    ]);
    const { id } = await svc.createSettlement(finance, form(day));
    expect(await unsettled(day)).toBe(0);
    const v = await svc.cancelSettlement(finance, id);
    expect(v).toMatchObject({ status: "canceled", amountCanceled: 1000, countCanceled: 2 });
    expect(v.transactions.map((t) => t.status)).toEqual(["canceled", "canceled"]);
    expect(await unsettled(day)).toBe(1000);
    expect((await svc.previewSettlement(finance, params(day))).amount).toBe(1000);
    await eventually(
      async () =>
        (await db.select().from(pingppEvents).where(eq(pingppEvents.type, "royalty_settlement.canceled")))[0]
          ?.status === "applied",
      "canceled webhook",
    );

    expect((await svc.cancelSettlement(finance, id)).status).toBe("canceled"); // idempotent
    const confirm = vi.spyOn(pingpp().royaltySettlements, "confirm");
    await expect(svc.confirmSettlement(finance, id)).rejects.toMatchObject({
      code: "settlements.errors.wrongState",
      values: { status: "canceled" },
    });
    expect(confirm).not.toHaveBeenCalled();
    expect(await audits("royalty_settlement.cancel")).toEqual(["ok"]);
    expect(await audits("royalty_settlement.confirm")).toEqual(["refused"]);
  });
});

describe("Ping++ errors", () => {
  it("nothing to settle, or an unknown payer app: Ping++'s message is shown, nothing is stored, the refusal is audited", async () => {
    const day = await poolDay([["user_a", 500]]);
    for (const over of [{ sourceUser: "nobody" }, { payerApp: "app_NotMine0000001" }]) {
      await expect(svc.createSettlement(finance, form(day, over))).rejects.toSatisfy(
        (e: AppError) => e.code === "pingppRefused" && !!e.detail,
      );
      await expect(svc.previewSettlement(finance, params(day, over))).rejects.toMatchObject({ code: "pingppRefused" });
    }
    await expect(svc.createSettlement(finance, form(day, { sourceUser: "nobody" }))).rejects.toMatchObject({
      detail: expect.stringMatching(/没有满足条件/),
    });
    expect(await db.$count(royaltySettlements)).toBe(0);
    expect(await audits("royalty_settlement.create")).toEqual(["refused", "refused", "refused"]);
    expect(await unsettled(day)).toBe(500);
  });

  it("Ping++ down on create: a clear error, no settlement shown; the retry with the same key creates exactly one", async () => {
    const day = await poolDay([["user_a", 500]]);
    const input = form(day);
    await h.sim("faults", { mode: "500", count: 1 });
    await expect(svc.createSettlement(finance, input)).rejects.toMatchObject({ code: "pingppUnavailable" });
    expect((await db.select().from(royaltySettlements))[0]?.status).toBe("creating");
    expect((await svc.listSettlements({})).rows).toEqual([]);
    expect((await svc.createSettlement(finance, input)).status).toBe("created");
    expect(await audits("royalty_settlement.create")).toEqual(["error", "ok"]);
  });

  it("a create whose answer was lost is found again by the retry, not created twice", async () => {
    const day = await poolDay([["user_a", 700]]);
    const input = form(day);
    const real = pingpp().royaltySettlements.create;
    const create = vi.spyOn(pingpp().royaltySettlements, "create").mockImplementationOnce(async (p) => {
      await real(p);
      throw new PingppConnectionError("socket hang up", { mayHaveReachedPingpp: true });
    });
    await expect(svc.createSettlement(finance, input)).rejects.toMatchObject({ code: "pingppUnavailable" });
    const v = await svc.createSettlement(finance, input);
    expect(v).toMatchObject({ status: "created", amount: 700 });
    expect(create).toHaveBeenCalledTimes(1);
    expect(
      (await sandboxSettlements()).filter((s) => s.metadata[svc.REQUEST_KEY_METADATA] === input.idempotencyKey),
    ).toHaveLength(1);
  });

  it("a confirm whose answer was lost is not sent again; a confirm Ping++ refuses (canceled elsewhere) says so and shows the truth", async () => {
    const day = await poolDay([["user_a", 400]]);
    const { id } = await svc.createSettlement(finance, form(day));
    const other = await svc.createSettlement(finance, form(await poolDay([["user_b", 300]])));
    const real = pingpp().royaltySettlements.confirm;
    const confirm = vi.spyOn(pingpp().royaltySettlements, "confirm").mockImplementationOnce(async (sid) => {
      await real(sid);
      throw new PingppConnectionError("timeout", { mayHaveReachedPingpp: true, timedOut: true });
    });
    h.sandbox.setWebhookUrl("http://127.0.0.1:9/nowhere"); // no webhook tells us either
    try {
      await expect(svc.confirmSettlement(finance, id)).rejects.toMatchObject({ code: "pingppUnavailable" });
      expect(["pending", "succeeded"]).toContain((await svc.confirmSettlement(finance, id)).status);
      expect(confirm).toHaveBeenCalledTimes(1);
      expect(await audits("royalty_settlement.confirm")).toEqual(["error", "ok"]);

      await pingpp().royaltySettlements.cancel(other.pingppId!); // someone else, outside the console
      await expect(svc.confirmSettlement(finance, other.id)).rejects.toMatchObject({
        code: "pingppRefused",
        detail: expect.stringMatching(/canceled/),
      });
    } finally {
      h.sandbox.setWebhookUrl(h.webhookUrl);
    }
    expect((await svc.getSettlement(other.id)).status).toBe("canceled");
  });
});

describe("webhooks", () => {
  it("apply Ping++'s own samples forward only, and record settlements made outside the console", async () => {
    const apply = (name: string) =>
      db.transaction((tx) => applyEvent(tx, parseEvent(fixtureBytes(`seed-samples/${name}`))));
    expect(await apply("royalty-settlement-03-royalty_settlement.partially_succeeded.json")).toMatchObject({
      status: "applied",
    });
    const [row] = await db
      .select()
      .from(royaltySettlements)
      .where(eq(royaltySettlements.pingppId, "431170321171500001"));
    expect(row).toMatchObject({
      status: "partially_succeeded",
      amount: 4,
      amountFailed: 3,
      fee: 100,
      method: "alipay",
      createdBy: null,
    });
    const txs = await db.select().from(royaltyTransactions).where(eq(royaltyTransactions.settlementId, row!.id));
    expect(txs.map((t) => t.status).sort()).toEqual(["failed", "succeeded"]);
    expect((await svc.listSettlements({ status: "partially_succeeded" })).rows.map((r) => r.pingppId)).toEqual([
      "431170321171500001",
    ]);

    await apply("royalty-settlement-02-royalty_settlement.failed.json");
    // same settlement, later: a final status never changes
    await apply("royalty-settlement-05-royalty_settlement.canceled.json");
    const [failed] = await db
      .select()
      .from(royaltySettlements)
      .where(eq(royaltySettlements.pingppId, "170302171104000011"));
    expect(failed!.status).toBe("failed");
    const [tx] = await db
      .select()
      .from(royaltyTransactions)
      .where(and(eq(royaltyTransactions.settlementId, failed!.id)));
    expect(tx!.status).toBe("failed");
  });

  it("a stale object after the outcome leaves the settlement and its transactions as they were", async () => {
    const day = await poolDay([
      ["user_a", 100],
      ["user_b", 200],
    ]);
    const created = await svc.createSettlement(finance, form(day));
    const stale = (await db.select().from(royaltySettlements).where(eq(royaltySettlements.id, created.id)))[0]!
      .raw as RoyaltySettlement;
    await svc.confirmSettlement(finance, created.id);
    await finished(created.id);
    await db.transaction((tx) => svc.applySettlement(tx, stale));
    const v = await svc.getSettlement(created.id);
    expect(v.status).toBe("succeeded");
    expect(v.transactions.map((t) => t.status)).toEqual(["succeeded", "succeeded"]);
  });

  it("when the webhook is lost, the sync job asks Ping++ about a pending settlement and the outcome shows, nobody reading", async () => {
    const day = await poolDay([["user_a", 100]]);
    const { id } = await svc.createSettlement(finance, form(day));
    h.sandbox.setWebhookUrl("http://127.0.0.1:9/nowhere");
    try {
      await svc.confirmSettlement(finance, id);
      await h.sim("jobs/run");
      await db
        .update(royaltySettlements)
        .set({ status: "pending", updatedAt: new Date(Date.now() - 10_000), lastSyncedAt: null })
        .where(eq(royaltySettlements.id, id));
      expect((await svc.getSettlement(id)).status).toBe("pending"); // reading only reads
      await runJobOnce("settlements.sync");
      expect((await svc.getSettlement(id)).status).toBe("succeeded");
      const [a] = await db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.action, "royalty_settlement.sync"), eq(auditLogs.actorEmail, "system")));
      expect(a).toMatchObject({ result: "ok", params: { from: "pending", to: "succeeded" } });
    } finally {
      h.sandbox.setWebhookUrl(h.webhookUrl);
    }
  });
});

describe("list", () => {
  it("filters by status, method and date, pages, and totals what the filter matches", async () => {
    const a = await svc.createSettlement(finance, form(await poolDay([["user_a", 1000]]), { method: "alipay" }));
    const b = await svc.createSettlement(finance, form(await poolDay([["user_a", 2000]]), { method: "balance" }));
    await svc.cancelSettlement(finance, b.id);
    await db
      .update(royaltySettlements)
      .set({ createdAt: new Date("2026-02-01T04:00:00Z") })
      .where(eq(royaltySettlements.id, a.id));

    const all = await svc.listSettlements({});
    expect(all.rows.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(all.totals).toEqual({ count: 2, amount: 3000, amountSucceeded: 0, amountFailed: 0, amountCanceled: 2000 });
    expect((await svc.listSettlements({ status: "canceled" })).rows.map((r) => r.id)).toEqual([b.id]);
    expect((await svc.listSettlements({ method: "alipay" })).totals.amount).toBe(1000);
    const feb1 = await svc.listSettlements({
      from: shanghaiDayStart("2026-02-01"),
      to: shanghaiDayStart("2026-02-02"),
    });
    expect(feb1.rows.map((r) => r.id)).toEqual([a.id]);
    const p2 = await svc.listSettlements({ perPage: 1, page: 2 });
    expect(p2.rows.map((r) => r.id)).toEqual([a.id]);
    expect(p2.totals.count).toBe(2);
  });

  it("searches by a prefix of the Ping++ id or of ours; % and _ are literal", async () => {
    const a = await svc.createSettlement(finance, form(await poolDay([["user_a", 1000]])));
    const b = await svc.createSettlement(finance, form(await poolDay([["user_a", 2000]])));
    const found = async (q: string) => (await svc.listSettlements({ q })).rows.map((r) => r.id);
    expect(await found(a.pingppId!)).toEqual([a.id]);
    expect(await found(b.pingppId!.slice(0, -1))).toEqual([b.id]);
    expect(await found(a.id.slice(0, 8))).toEqual([a.id]);
    expect((await svc.listSettlements({ q: b.id.slice(0, 8) })).totals).toMatchObject({ count: 1, amount: 2000 });
    expect(await found(`${a.pingppId}0`)).toEqual([]);
    expect((await svc.listSettlements({ q: "nomatch" })).totals).toMatchObject({ count: 0, amount: 0 });
    for (const q of ["%", "_", `${a.pingppId!.slice(0, 4)}%`, `${a.pingppId!.slice(0, 2)}__`])
      expect(await found(q), q).toEqual([]);
  });
});
