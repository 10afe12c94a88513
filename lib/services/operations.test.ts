import { beforeEach, describe, expect, it } from "vitest";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { addActor } from "@/tests/helpers/actors";
import { auditLogs, charges, pingppEvents, staffUsers, type ChargeRow } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { shanghaiDayEnd, shanghaiDayStart } from "@/lib/dates";
import type { Actor } from "./actor";
import { overviewStats } from "./overview";
import { shiftReport } from "./shift-report";
import { applyAgain, listEvents, objectEvents } from "./event-log";
import { checkWebhookPath, maskKey, publicKeyFingerprint } from "./settings";
import { listAttention, resolveAttention, STUCK_AFTER_EXPIRY_MS, syncAttention } from "./attention";
import { createCharge } from "./charges";
import { createChargeSchema } from "../validations/charges";
import { attentionResolutions } from "@/lib/db/schema";
import { SANDBOX_APP_ID } from "@/lib/env";

let h: ConsoleSandbox;
let db: Db;
let admin: Actor;
let cashier: Actor;

consoleTestbed((bed) => ({ h, db } = bed), {
  clean: [charges, pingppEvents, auditLogs, staffUsers, attentionResolutions],
});

beforeEach(async () => {
  admin = await addActor(db, "a@ops.test", "admin");
  cashier = await addActor(db, "c@ops.test", "cashier", "T01");
});

let seq = 0;
/** A charge row as webhooks would have left it. */
async function charge(over: Partial<typeof charges.$inferInsert>): Promise<ChargeRow> {
  seq++;
  const [r] = await db
    .insert(charges)
    .values({
      orderNo: `ops${seq}${Date.now()}`,
      pingppId: `ch_ops${seq}`,
      appId: "app_x",
      channel: "alipay_qr",
      amount: 100,
      currency: "cny",
      subject: "s",
      body: "b",
      status: "paid",
      ...over,
    })
    .returning();
  return r!;
}

const at = (iso: string) => new Date(iso);

describe("overview", () => {
  it("totals, per-channel, per-terminal and daily trend match the paid rows of the period (Shanghai days)", async () => {
    await charge({ amount: 1000, timePaid: at("2026-11-26T16:30:00Z"), terminalId: "T01" }); // 11-27 00:30 Shanghai
    await charge({
      amount: 2500,
      amountRefunded: 500,
      channel: "wx_pub_qr",
      timePaid: at("2026-11-27T03:00:00Z"),
      terminalId: "T02",
    });
    await charge({ amount: 700, timePaid: at("2026-11-28T01:00:00Z"), terminalId: "T01" });
    await charge({ amount: 999, timePaid: at("2026-11-26T15:59:59Z") }); // 11-26 23:59:59 Shanghai: outside
    await charge({ amount: 5000, status: "pending", timePaid: null }); // not paid
    // USD: its own entry, never in the CNY totals
    await charge({ amount: 300, currency: "usd", channel: "cb_alipay_qr", timePaid: at("2026-11-27T03:00:00Z") });
    const stats = await overviewStats(admin, {
      from: shanghaiDayStart("2026-11-27"),
      to: shanghaiDayEnd("2026-11-28"),
    });
    expect(stats.currencies.map((c) => c.currency)).toEqual(["cny", "usd"]);
    const s = stats.currencies[0]!;
    expect(s.totals).toEqual({ gross: 4200, refunds: 500, net: 3700, count: 3, avgTicket: 1400 });
    expect(s.byChannel.map((c) => [c.channel, c.gross, c.count])).toEqual([
      ["wx_pub_qr", 2500, 1],
      ["alipay_qr", 1700, 2],
    ]);
    expect(s.byTerminal.map((c) => [c.terminalId, c.gross])).toEqual([
      ["T02", 2500],
      ["T01", 1700],
    ]);
    expect(s.trend).toEqual([
      { day: "2026-11-27", gross: 3500, count: 2 },
      { day: "2026-11-28", gross: 700, count: 1 },
    ]);
    const mine = await overviewStats(cashier, {
      from: shanghaiDayStart("2026-11-27"),
      to: shanghaiDayEnd("2026-11-28"),
    });
    expect(mine.currencies[0]!.totals.gross).toBe(1700); // a cashier: their terminal only
  });
});

describe("shift report", () => {
  it("sums a terminal's window by channel, with refunds, reversals and expiries; cashiers only their own", async () => {
    const win = { from: at("2026-11-27T00:00:00Z"), to: at("2026-11-27T08:00:00Z") };
    const inWin = at("2026-11-27T02:00:00Z");
    await charge({ terminalId: "T01", amount: 1000, createdAt: inWin, timePaid: inWin });
    await charge({
      terminalId: "T01",
      amount: 2000,
      amountRefunded: 2000,
      refunded: true,
      channel: "wx_pub_qr",
      createdAt: inWin,
      timePaid: inWin,
    });
    await charge({ terminalId: "T01", amount: 300, status: "reversed", createdAt: inWin });
    await charge({ terminalId: "T01", amount: 400, status: "expired", createdAt: inWin });
    await charge({ terminalId: "T01", amount: 9999, createdAt: at("2026-11-27T09:00:00Z") }); // after the window
    await charge({ terminalId: "T02", amount: 8888, createdAt: inWin }); // other terminal
    const r = await shiftReport(admin, { terminalId: "T01", ...win });
    expect(r.byCurrency).toEqual([
      {
        currency: "cny",
        paid: { count: 2, gross: 3000 },
        refunds: { count: 1, amount: 2000 },
        reversed: { count: 1, amount: 300 },
        net: 1000,
      },
    ]);
    expect(r.expired).toBe(1);
    expect(r.created).toBe(4);
    expect(r.byChannel.map((c) => [c.channel, c.count, c.gross, c.refunded])).toEqual([
      ["alipay_qr", 1, 1000, 0],
      ["wx_pub_qr", 1, 2000, 2000],
    ]);
    await expect(shiftReport(cashier, { terminalId: "T02", ...win })).rejects.toMatchObject({ code: "forbiddenShift" });
    expect((await shiftReport(cashier, { terminalId: "T01", ...win })).byCurrency[0]!.paid.gross).toBe(3000);
  });
});

describe("event log", () => {
  const seed = JSON.parse(
    fs.readFileSync(
      path.join(import.meta.dirname, "../pingpp/fixtures/seed-samples/qr-charge-10-charge.succeeded.json"),
      "utf8",
    ),
  );
  // Ping++'s sample, as this console's own (the sandbox's app, test mode): another app's would be kept as foreign
  const sample = {
    ...seed,
    livemode: false,
    data: { object: { ...seed.data.object, livemode: false, app: SANDBOX_APP_ID } },
  };

  it("applies a failed event again, forward only and audited; refuses events that did not fail", async () => {
    const id = `evt_${crypto.randomBytes(8).toString("hex")}`;
    await db.insert(pingppEvents).values({
      id,
      type: sample.type,
      objectId: sample.data.object.id,
      livemode: false,
      createdAt: new Date(),
      signatureVerified: true,
      payload: { ...sample, id },
      status: "failed",
      result: "earlier failure",
    });
    expect((await listEvents({ status: "failed" })).rows.map((e) => e.id)).toEqual([id]);
    const row = await applyAgain(admin, id);
    expect(row.status).toBe("applied");
    const [c] = await db.select().from(charges).where(eq(charges.pingppId, sample.data.object.id));
    expect(c?.status).toBe("paid");
    await expect(applyAgain(admin, id)).rejects.toMatchObject({ code: "eventNotFailed" });
    await expect(applyAgain(admin, "evt_missing")).rejects.toMatchObject({ code: "eventNotFound" });
    const audits = await db.select().from(auditLogs).where(eq(auditLogs.action, "event.apply_again"));
    expect(audits.map((a) => a.result).sort()).toEqual(["ok", "refused", "refused"]);
  });

  it("lists the events of one object (its Ping++ id) for its detail page: newest first, only its own, without the payload", async () => {
    const ev = (
      id: string,
      objectId: string,
      type: string,
      receivedAt: string,
      over: Partial<typeof pingppEvents.$inferInsert> = {},
    ) => ({
      id,
      type,
      objectId,
      livemode: false,
      createdAt: at(receivedAt),
      firstReceivedAt: at(receivedAt),
      lastReceivedAt: at(receivedAt),
      signatureVerified: true,
      payload: { id },
      status: "applied" as const,
      ...over,
    });
    await db.insert(pingppEvents).values([
      ev("evt_obj_1", "ch_obj_A", "charge.succeeded", "2026-11-27T03:00:00Z", {
        receiveCount: 3,
        lastReceivedAt: at("2026-11-27T03:05:00Z"),
      }),
      ev("evt_obj_2", "re_obj_B", "refund.succeeded", "2026-11-27T04:00:00Z"),
      ev("evt_obj_3", "ch_obj_A", "charge.reversed", "2026-11-27T05:00:00Z", { status: "failed", result: "boom" }),
      ev("evt_obj_0", "ch_obj_A", "charge.succeeded", "2026-11-27T02:00:00Z", { status: "ignored" }),
    ]);
    const rows = await objectEvents("ch_obj_A");
    expect(rows).toEqual([
      {
        id: "evt_obj_3",
        type: "charge.reversed",
        firstReceivedAt: at("2026-11-27T05:00:00Z"),
        receiveCount: 1,
        status: "failed",
      },
      {
        id: "evt_obj_1",
        type: "charge.succeeded",
        firstReceivedAt: at("2026-11-27T03:00:00Z"),
        receiveCount: 3,
        status: "applied",
      },
      {
        id: "evt_obj_0",
        type: "charge.succeeded",
        firstReceivedAt: at("2026-11-27T02:00:00Z"),
        receiveCount: 1,
        status: "ignored",
      },
    ]);
    expect((await objectEvents("re_obj_B")).map((e) => e.id)).toEqual(["evt_obj_2"]);
    expect(await objectEvents("ch_nothing")).toEqual([]);
    expect(await objectEvents(null)).toEqual([]); // an object not yet created at Ping++
  });
});

describe("settings", () => {
  it("masks the key and fingerprints the public key", () => {
    expect(maskKey("sk_live_abcdefghijklmnop1234")).toBe("sk_live_••••1234");
    const pem = fs.readFileSync(path.join(import.meta.dirname, "../pingpp/fixtures/pingpp_rsa_public_key.pem"), "utf8");
    expect(publicKeyFingerprint(pem)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(publicKeyFingerprint(pem)).toBe(publicKeyFingerprint(`${pem}\n`));
  });

  it("the sandbox self-test sends a signed event through the real route and finds it stored", async () => {
    const r = await checkWebhookPath(admin, h.webhookUrl);
    expect(r).toMatchObject({ ok: true, kind: "signed-roundtrip" });
    const id = (r as { eventId: string }).eventId;
    const [evt] = await db.select().from(pingppEvents).where(eq(pingppEvents.id, id));
    expect(evt).toMatchObject({ type: "console.webhook_test", signatureVerified: true });
    const bad = await checkWebhookPath(admin, "http://127.0.0.1:9/nowhere");
    expect(bad).toMatchObject({ ok: false, step: "reach" });
  });
});

describe("needs attention", () => {
  it("shows a stuck charge and clears it with a sync from Ping++; resolving with a note hides an item, audited", async () => {
    const v = await createCharge(
      admin,
      createChargeSchema.parse({
        idempotencyKey: crypto.randomUUID(),
        amount: "5.00",
        channel: "alipay_qr",
        subject: "s",
        body: "b",
      }),
    );
    const [row] = await db.select().from(charges).where(eq(charges.id, v.id));
    await h.sim(`charges/${row!.pingppId}/expire`);
    // pending well past its expiry (one that has just expired is the sync job's, not a person's)
    await db
      .update(charges)
      .set({ timeExpire: new Date(Date.now() - STUCK_AFTER_EXPIRY_MS - 1000) })
      .where(eq(charges.id, v.id));
    const failed = `evt_${crypto.randomBytes(8).toString("hex")}`;
    await db.insert(pingppEvents).values({
      id: failed,
      type: "refund.succeeded",
      objectId: "re_x",
      livemode: false,
      createdAt: new Date(),
      signatureVerified: true,
      payload: {},
      status: "failed",
      result: "refund for an unknown charge",
    });
    const paidNoHook = await charge({ amount: 4200, timePaid: new Date(Date.now() - 11 * 60_000) });

    const before = await listAttention();
    expect(before.map((i) => [i.kind, i.objectId]).sort()).toEqual(
      [
        ["chargeStuck", v.id],
        ["eventFailed", failed],
        ["chargeNoWebhook", paidNoHook.id],
      ].sort(),
    );
    await syncAttention(admin, "chargeStuck", v.id);
    expect((await db.select().from(charges).where(eq(charges.id, v.id)))[0]!.status).toBe("expired");
    await resolveAttention(admin, "eventFailed", failed, "已人工核对，Ping++ 侧无此退款");
    await resolveAttention(admin, "eventFailed", failed, "twice is once");
    expect((await listAttention()).map((i) => i.kind)).toEqual(["chargeNoWebhook"]);
    const a = (await db.select().from(auditLogs).where(eq(auditLogs.action, "attention.resolve")))[0];
    expect(a).toMatchObject({ targetId: failed, result: "ok", actorId: admin.id });
  });
});
