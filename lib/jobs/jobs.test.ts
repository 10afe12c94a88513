import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import crypto from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { and, eq, like } from "drizzle-orm";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import { eventually } from "@/tests/helpers/console-sandbox";
import { addActor } from "@/tests/helpers/actors";
import { paidQrCharge } from "@/tests/helpers/payments";
import {
  auditLogs,
  charges,
  loginAttempts,
  pingppEvents,
  redEnvelopes,
  refunds,
  scheduledJobs,
  staffUsers,
} from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/services/actor";
import { refundCharge } from "@/lib/services/refunds";
import { sendRedEnvelope } from "@/lib/services/red-envelopes";
import { LOGIN_ATTEMPTS_KEPT_MS } from "@/lib/services/staff";
import { refundChargeSchema } from "@/lib/validations/refunds";
import { sendRedEnvelopeSchema } from "@/lib/validations/red-envelopes";
import { runJobOnce, Scheduler, stopScheduler, type Job } from "./index";

let h: ConsoleSandbox;
let db: Db;

// refunds stay pending at the sandbox until a test says otherwise
consoleTestbed((bed) => ({ h, db } = bed), {
  sandbox: { refundDelayMs: 3_600_000 },
  clean: [scheduledJobs, refunds, charges, redEnvelopes, loginAttempts, pingppEvents, auditLogs, staffUsers],
});
afterAll(stopScheduler);

/** A scheduler's log, to read instead of the console. */
const quietLog = () => ({ error: vi.fn(), warn: vi.fn() });
const jobRow = async (name: string) => (await db.select().from(scheduledJobs).where(eq(scheduledJobs.name, name)))[0]!;
const makeDue = (name: string) =>
  db
    .update(scheduledJobs)
    .set({ nextRunAt: new Date(0) })
    .where(eq(scheduledJobs.name, name));

describe("the scheduler", () => {
  it("two schedulers on one database: each due run is claimed by exactly one of them", async () => {
    const runs: string[] = [];
    const job = (who: string): Job => ({
      name: "test.exclusive",
      intervalMs: 60_000,
      run: async () => void runs.push(who),
    });
    const a = new Scheduler([job("a")], { log: quietLog() });
    const b = new Scheduler([job("b")], { log: quietLog() });
    for (let i = 0; i < 12; i++) {
      const [ta, tb] = await Promise.all([a.tick(), b.tick()]);
      expect(ta.length + tb.length).toBe(1);
      await Promise.all([a.idle(), b.idle()]);
      expect(runs).toHaveLength(i + 1);
      // just ran: not due again for its interval, whoever asks
      expect([...(await a.tick()), ...(await b.tick())]).toEqual([]);
      await makeDue("test.exclusive");
    }
    expect(await jobRow("test.exclusive")).toMatchObject({ runs: 12, runId: null, lockedUntil: null, lastError: null });
  });

  it("running side by side on their timers, two schedulers never overlap a job and respect its interval", async () => {
    const spans: { who: string; start: number; end: number }[] = [];
    const job = (who: string): Job => ({
      name: "test.timers",
      intervalMs: 100,
      async run() {
        const start = Date.now();
        await sleep(30);
        spans.push({ who, start, end: Date.now() });
      },
    });
    const a = new Scheduler([job("a")], { tickMs: 5, log: quietLog() });
    const b = new Scheduler([job("b")], { tickMs: 5, log: quietLog() });
    a.start();
    b.start();
    try {
      await eventually(async () => spans.length >= 8, "eight runs", 30_000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    spans.sort((x, y) => x.start - y.start);
    for (let i = 1; i < spans.length; i++) {
      // the next run starts only after the last one ended plus the interval (1 ms of clock rounding)
      expect(spans[i]!.start - spans[i - 1]!.end).toBeGreaterThanOrEqual(100 - 1);
    }
  });

  it("a crashed instance's claim blocks the job until its lease runs out; then another instance takes it", async () => {
    let ran = 0;
    const s = new Scheduler([{ name: "test.crash", intervalMs: 60_000, run: async () => void ran++ }], {
      log: quietLog(),
    });
    await s.tick();
    await s.idle();
    expect(ran).toBe(1);
    // An instance claimed the due job and died: nobody renews or frees its claim.
    await db
      .update(scheduledJobs)
      .set({
        runId: "dead-run",
        lockedBy: "dead-host:1",
        lockedUntil: new Date(Date.now() + 3_600_000),
        nextRunAt: new Date(0),
      })
      .where(eq(scheduledJobs.name, "test.crash"));
    expect(await s.tick()).toEqual([]);
    expect(await s.runNow("test.crash")).toBe(false);
    expect(ran).toBe(1);
    // Its lease runs out (moved back in time rather than waited for).
    await db
      .update(scheduledJobs)
      .set({ lockedUntil: new Date(Date.now() - 1) })
      .where(eq(scheduledJobs.name, "test.crash"));
    expect(await s.tick()).toEqual(["test.crash"]);
    await s.idle();
    expect(ran).toBe(2);
    const row = await jobRow("test.crash");
    expect(row).toMatchObject({ runId: null, lockedBy: null, lockedUntil: null, lastError: null });
    expect(row.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });

  it("a run longer than its lease keeps its claim (renewed); a claim taken over stops the old run", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let aborted: unknown = null;
    const long: Job = {
      name: "test.long",
      intervalMs: 0,
      leaseMs: 600,
      async run(ctx) {
        ctx.signal.addEventListener("abort", () => (aborted = ctx.signal.reason));
        await released;
      },
    };
    const aLog = quietLog();
    const a = new Scheduler([long], { log: aLog });
    const b = new Scheduler([{ ...long, run: async () => {} }], { log: quietLog() });
    expect(await a.tick()).toEqual(["test.long"]);
    // For three leases, the other instance finds it claimed, and so does this one (one run at a time here).
    for (const until = Date.now() + 1_800; Date.now() < until; await sleep(50)) {
      expect(await b.tick()).toEqual([]);
      expect(await a.tick()).toEqual([]);
    }
    expect(aborted).toBeNull();
    // This instance stalls past its lease (a database away, a frozen VM): another takes the job over…
    await db
      .update(scheduledJobs)
      .set({ lockedUntil: new Date(Date.now() - 1) })
      .where(eq(scheduledJobs.name, "test.long"));
    expect(await b.tick()).toEqual(["test.long"]);
    // …and the stalled run learns it at its next renewal and is told to stop.
    await eventually(async () => aborted !== null, "the old run aborted");
    expect(String(aborted)).toMatch(/claim lost/);
    expect(aLog.error).toHaveBeenCalledWith(expect.stringMatching(/test\.long: claim lost/));
    release();
    await Promise.all([a.stop(), b.stop()]);
  });

  it("a failing job is logged and recorded, and neither stops the others nor itself", async () => {
    const log = quietLog();
    let good = 0;
    const s = new Scheduler(
      [
        { name: "test.fails", intervalMs: 0, run: async () => Promise.reject(new Error("boom")) },
        {
          name: "test.throws",
          intervalMs: 0,
          run: () => {
            throw new Error("sync boom");
          },
        },
        { name: "test.works", intervalMs: 0, run: async () => void good++ },
      ],
      { log },
    );
    for (let i = 0; i < 3; i++) {
      expect((await s.tick()).sort()).toEqual(["test.fails", "test.throws", "test.works"]);
      await s.idle();
    }
    expect(good).toBe(3);
    expect(await jobRow("test.fails")).toMatchObject({ runs: 3, lastError: "boom", lockedUntil: null, runId: null });
    expect(await jobRow("test.throws")).toMatchObject({ runs: 3, lastError: "sync boom" });
    expect(await jobRow("test.works")).toMatchObject({ runs: 3, lastError: null });
    expect(log.error).toHaveBeenCalledWith("[jobs] test.fails failed:", expect.objectContaining({ message: "boom" }));
    // the same failure again and again is logged once (a minute), not on every run
    expect(log.error.mock.calls.filter(([m]) => m === "[jobs] test.fails failed:")).toHaveLength(1);
  });

  it("stop() aborts what runs and the work it left in the background, and waits for both", async () => {
    const seen: string[] = [];
    const s = new Scheduler(
      [
        {
          name: "test.background",
          intervalMs: 60_000,
          async run(ctx) {
            ctx.background(
              "worker",
              (signal) =>
                new Promise<void>((r) => signal.addEventListener("abort", () => (seen.push("worker stopped"), r()))),
            );
          },
        },
      ],
      { log: quietLog() },
    );
    await s.tick();
    await s.idle();
    expect(seen).toEqual([]);
    await s.stop();
    expect(seen).toEqual(["worker stopped"]);
    expect(await s.tick()).toEqual([]); // stopped for good
  });
});

describe("the jobs", () => {
  const NOWHERE = "http://127.0.0.1:9/nowhere";
  let finance: Actor;
  let cashier: Actor;
  beforeEach(async () => {
    finance = await addActor(db, "f@shop.cn", "finance");
    cashier = await addActor(db, "c@shop.cn", "cashier", "T01");
    h.sandbox.setWebhookUrl(h.webhookUrl);
  });

  it("refunds.sync: a pending refund the channel failed (Ping++ sends no event) turns failed with nobody looking", async () => {
    const { chargeId } = await paidQrCharge(h, db, cashier);
    const r = await refundCharge(
      finance,
      refundChargeSchema.parse({
        idempotencyKey: crypto.randomUUID(),
        chargeId,
        amount: "5.00",
        description: "多收了",
      }),
    );
    expect(r.status).toBe("pending");
    await h.sim(`refunds/${r.pingppId}/fail`, { message: "退款失败：原账户已注销" });
    const refund = async () => (await db.select().from(refunds).where(eq(refunds.id, r.id)))[0]!;

    await runJobOnce("refunds.sync"); // a minute has not passed: its webhook may still come
    expect(await refund()).toMatchObject({ status: "pending" });
    await runJobOnce("refunds.sync", { now: Date.now() + 2 * 60_000 });
    expect(await refund()).toMatchObject({ status: "failed", failureMsg: "退款失败：原账户已注销" });
    const [a] = await db.select().from(auditLogs).where(eq(auditLogs.action, "refund.sync"));
    expect(a).toMatchObject({
      actorId: null,
      actorEmail: "system",
      targetId: r.pingppId,
      result: "ok",
      params: { from: "pending", to: "failed" },
    });
  });

  it("red-envelopes.sync: an envelope WeChat failed (no event) turns failed after ten minutes, nobody looking", async () => {
    const form = sendRedEnvelopeSchema.parse({
      idempotencyKey: crypto.randomUUID(),
      recipient: "oUpF8uMuAJO_jobs01",
      amount: "8.88",
      sendName: "示例商户",
      subject: "新年红包",
      body: "恭喜发财",
      description: "年会",
    });
    const sent = await sendRedEnvelope(finance, form);
    expect(sent.status).toBe("sending");
    h.sandbox.setWebhookUrl(NOWHERE);
    await h.sim(`red_envelopes/${sent.pingppId}/fail`, { message: "发放失败：用户未关注公众号" });
    const row = async () => (await db.select().from(redEnvelopes).where(eq(redEnvelopes.id, sent.id)))[0]!;

    await runJobOnce("red-envelopes.sync", { now: Date.now() + 5 * 60_000 }); // too early to ask
    expect((await row()).status).toBe("sending");
    await runJobOnce("red-envelopes.sync", { now: Date.now() + 11 * 60_000 });
    expect(await row()).toMatchObject({ status: "failed", failureMsg: "发放失败：用户未关注公众号" });
    expect(
      await db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.action, "red_envelope.sync"), eq(auditLogs.actorEmail, "system"))),
    ).toHaveLength(1);
  });

  it("login-attempts.prune: attempts older than a week go, recent ones (the throttle's) stay", async () => {
    const now = Date.now();
    const at = (ms: number) => new Date(now - ms);
    await db.insert(loginAttempts).values([
      ...Array.from({ length: 3 }, () => ({
        email: "old@shop.cn",
        ip: "8.8.8.8",
        success: false,
        createdAt: at(LOGIN_ATTEMPTS_KEPT_MS + 60_000),
      })),
      { email: "recent@shop.cn", ip: "8.8.8.8", success: false, createdAt: at(10 * 60_000) },
      { email: "week@shop.cn", ip: "8.8.8.8", success: true, createdAt: at(LOGIN_ATTEMPTS_KEPT_MS - 60_000) },
    ]);
    expect(await runJobOnce("login-attempts.prune")).toBe(true);
    expect((await db.select({ email: loginAttempts.email }).from(loginAttempts)).map((r) => r.email).sort()).toEqual([
      "recent@shop.cn",
      "week@shop.cn",
    ]);
    expect(await jobRow("login-attempts.prune")).toMatchObject({ runs: 1, lastError: null });
  });

  it("every job is registered on the first claim, due at once", async () => {
    await runJobOnce("login-attempts.prune");
    const names = (
      await db.select({ name: scheduledJobs.name }).from(scheduledJobs).where(like(scheduledJobs.name, "%.%"))
    ).map((r) => r.name);
    expect(names.sort()).toEqual(
      [
        "charges.reverse-isv",
        "charges.sync",
        "login-attempts.prune",
        "reconciliation.nightly",
        "red-envelope-batches.resume",
        "red-envelopes.sync",
        "refunds.sync",
        "settlements.sync",
      ].sort(),
    );
  });
});
