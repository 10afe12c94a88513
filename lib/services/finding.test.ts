import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import crypto from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { eventually, webhooksDelivered } from "@/tests/helpers/console-sandbox";
import { addActor } from "@/tests/helpers/actors";
import { attentionResolutions, auditLogs, charges, orders, pingppEvents, refunds, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { chargeFilterSchema } from "@/lib/validations/charges";
import type { Actor } from "./actor";
import { createCharge, listCharges, paymentResult, withResultPage } from "./charges";
import { createChargeSchema } from "@/lib/validations/charges";
import {
  ATTENTION_PER_PAGE,
  attentionCounts,
  attentionPreview,
  listAttention,
  listAttentionKind,
  STUCK_AFTER_EXPIRY_MS,
  syncAttentionKind,
} from "./attention";
import { escapeLike } from "./search";
import { listAudit } from "./audit";
import { AppError } from "./errors";

/**
 * Finding things (issue 19): id-prefix and order-number search (LIKE escaped), keyset paging both
 * ways with the count, and the needs-attention queue grouped by kind, paged without a cap, synced
 * a kind at a time, with abandoned QR codes left out.
 */

let h: ConsoleSandbox;
let db: Db;
let cashier: Actor;
let finance: Actor;

consoleTestbed((bed) => ({ h, db } = bed));

beforeEach(async () => {
  h.sandbox.setWebhookUrl(h.webhookUrl);
  await webhooksDelivered(h.sandbox.url);
  for (const t of [attentionResolutions, refunds, orders, charges, pingppEvents, auditLogs, staffUsers])
    await db.delete(t);
  cashier = await addActor(db, "c@finding.test", "cashier", "T01");
  finance = await addActor(db, "f@finding.test", "finance");
});
afterEach(() => h.sandbox.setWebhookUrl(h.webhookUrl));

const MIN = 60_000;
/** Charges written directly (the list reads rows; no Ping++ call is needed): one a minute back from `base`. */
async function seed(
  n: number,
  over: (i: number) => Partial<typeof charges.$inferInsert> = () => ({}),
  base = Date.now(),
) {
  const rows = Array.from({ length: n }, (_, i) => ({
    pingppId: `ch_Seed${String(i).padStart(4, "0")}xYz${crypto.randomBytes(6).toString("hex")}`,
    orderNo: `2612${String(i).padStart(4, "0")}abcd`,
    appId: "app_test",
    channel: "alipay_qr",
    amount: 100 + i,
    currency: "cny",
    subject: "s",
    body: "b",
    status: "paid" as const,
    createdAt: new Date(base - i * MIN),
    ...over(i),
  }));
  return db.insert(charges).values(rows).returning();
}
const f = (q: Record<string, string>) => chargeFilterSchema.parse(q);

describe("search by prefix", () => {
  it("escapes %, _ and \\ so they match only themselves", () => {
    expect(escapeLike("a%b_c\\d")).toBe("a\\%b\\_c\\\\d");
  });

  it("finds charges by the start of the ch_ id (case-sensitive) and of the order number (any case); % and _ are literal", async () => {
    await seed(3, (i) => ({
      pingppId: [`ch_AbCdEf${"1".repeat(18)}`, `ch_abcdef${"2".repeat(18)}`, `ch_Zz_%${"3".repeat(20)}`][i],
      orderNo: ["ORD100Xa", "ord200xb", "x%_y"][i],
    }));
    const ids = async (q: string) => (await listCharges(finance, f({ q }))).rows.map((r) => r.chargeId).sort();
    // not ch_abcdef…: Ping++ ids are case-sensitive
    expect(await ids("ch_AbC")).toEqual([`ch_AbCdEf${"1".repeat(18)}`]);
    expect(await ids("ch_abc")).toEqual([`ch_abcdef${"2".repeat(18)}`]);
    // order numbers: any case
    expect(await ids("ord")).toEqual([`ch_AbCdEf${"1".repeat(18)}`, `ch_abcdef${"2".repeat(18)}`].sort());
    expect(await ids("ORD2")).toEqual([`ch_abcdef${"2".repeat(18)}`]);
    // a % or _ typed is that character, not a wildcard
    expect(await ids("ch_%")).toEqual([]);
    expect(await ids("ch_Zz_%")).toEqual([`ch_Zz_%${"3".repeat(20)}`]);
    expect(await ids("x%")).toEqual([`ch_Zz_%${"3".repeat(20)}`]);
    expect(await ids("_")).toEqual([]);
    expect(await ids("%")).toEqual([]);
  });
});

describe("keyset paging both ways", () => {
  it("next, next, previous, previous walks the same pages back to the first; the count is the filter's", async () => {
    await seed(7);
    const page = async (q: Record<string, string>) => listCharges(finance, f(q), 3);
    const p1 = await page({});
    expect(p1.prevCursor).toBeNull();
    const p2 = await page({ cursor: p1.nextCursor! });
    const p3 = await page({ cursor: p2.nextCursor! });
    expect(p3.rows).toHaveLength(1);
    expect(p3.nextCursor).toBeNull();
    const amounts = (p: { rows: { amount: number }[] }) => p.rows.map((r) => r.amount);
    expect([...amounts(p1), ...amounts(p2), ...amounts(p3)]).toEqual([100, 101, 102, 103, 104, 105, 106]);
    const back2 = await page({ before: p3.prevCursor! });
    expect(amounts(back2)).toEqual(amounts(p2));
    expect(back2.nextCursor).not.toBeNull();
    const back1 = await page({ before: back2.prevCursor! });
    expect(amounts(back1)).toEqual(amounts(p1));
    expect(back1.prevCursor).toBeNull(); // the first page: no "previous"
    expect(amounts(await page({ cursor: back1.nextCursor! }))).toEqual(amounts(p2));
  });

  it("rows per page from the query string: 10, 25, 50 or 100, anything else the default", () => {
    expect(f({ per: "10" }).per).toBe(10);
    expect(f({ per: "100" }).per).toBe(100);
    expect(f({ per: "7" }).per).toBeUndefined();
    expect(f({ per: "1e9" }).per).toBeUndefined();
  });

  it("a cashier pages back through their own and their terminal's charges only", async () => {
    await seed(7, (i) => ({ terminalId: i % 2 ? "T01" : "T09" })); // T01: amounts 101, 103, 105
    const mine = async (q: Record<string, string>) => listCharges(cashier, f(q), 2);
    const p1 = await mine({});
    const p2 = await mine({ cursor: p1.nextCursor! });
    expect([...p1.rows, ...p2.rows].map((r) => [r.terminalId, r.amount])).toEqual([
      ["T01", 101],
      ["T01", 103],
      ["T01", 105],
    ]);
    expect(p2.nextCursor).toBeNull();
    const back = await mine({ before: p2.prevCursor ?? "" });
    expect(back.rows.map((r) => r.amount)).toEqual(p1.rows.map((r) => r.amount));
  });
});

describe("needs attention: grouped, counted, paged, synced a kind at a time", () => {
  it("a QR code that simply expired is not an item; one still pending long after its expiry is", async () => {
    const now = Date.now();
    await seed(2, (i) => ({ status: i ? "expired" : "pending", timeExpire: new Date(now - 2 * MIN) }));
    expect((await attentionCounts()).byKind.chargeStuck).toBe(0);
    await seed(1, () => ({ status: "pending", timeExpire: new Date(now - STUCK_AFTER_EXPIRY_MS - MIN) }));
    expect((await attentionCounts()).byKind.chargeStuck).toBe(1);
  });

  it("counts every item of a kind and pages past 200 (no silent cap)", async () => {
    const old = new Date(Date.now() - STUCK_AFTER_EXPIRY_MS - 10 * MIN);
    await seed(230, () => ({ status: "pending", timeExpire: old }));
    const counts = await attentionCounts();
    expect(counts.byKind.chargeStuck).toBe(230);
    expect(counts.total).toBe(230);
    const pages = Math.ceil(230 / ATTENTION_PER_PAGE);
    const seen = new Set<string>();
    for (let p = 1; p <= pages; p++) {
      const r = await listAttentionKind("chargeStuck", p);
      expect(r).toMatchObject({ total: 230, pages, page: p });
      for (const i of r.items) seen.add(i.objectId);
    }
    expect(seen.size).toBe(230);
    const preview = await attentionPreview(5);
    expect(preview.chargeStuck).toHaveLength(5);
    expect(preview.refundFailed).toEqual([]);
  });

  it("「从 Ping++ 同步」 a kind: each item synced (bounded, audited), the run audited with how many synced and failed", async () => {
    h.sandbox.setWebhookUrl("http://127.0.0.1:9/nowhere"); // only a sync can bring the news
    const made = [];
    for (let i = 0; i < 4; i++)
      made.push(
        await createCharge(
          cashier,
          createChargeSchema.parse({
            idempotencyKey: crypto.randomUUID(),
            amount: `1.0${i}`,
            channel: "alipay_qr",
            subject: "s",
            body: "b",
          }),
        ),
      );
    const rows = await db
      .select()
      .from(charges)
      .where(
        inArray(
          charges.id,
          made.map((m) => m.id),
        ),
      );
    for (const r of rows.slice(0, 2)) await h.sim(`charges/${r.pingppId}/pay`);
    // all four stuck; the last one's Ping++ id is unknown to Ping++, so its sync fails
    await db
      .update(charges)
      .set({ timeExpire: new Date(Date.now() - STUCK_AFTER_EXPIRY_MS - MIN) })
      .where(
        inArray(
          charges.id,
          made.map((m) => m.id),
        ),
      );
    await db.update(charges).set({ pingppId: "ch_NotAtPingpp000000000000" }).where(eq(charges.id, rows[3]!.id));
    expect((await attentionCounts()).byKind.chargeStuck).toBe(4);

    const out = await syncAttentionKind(finance, "chargeStuck");
    expect(out).toMatchObject({ total: 4, synced: 3, failed: 1 });
    const after = await db
      .select()
      .from(charges)
      .where(
        inArray(
          charges.id,
          made.map((m) => m.id),
        ),
      );
    expect(
      after
        .filter((c) => c.status === "paid")
        .map((c) => c.id)
        .sort(),
    ).toEqual([rows[0]!.id, rows[1]!.id].sort());
    expect(out.remaining).toBe((await attentionCounts()).byKind.chargeStuck);
    const syncs = await db.select().from(auditLogs).where(eq(auditLogs.action, "charge.sync"));
    expect(syncs.filter((a) => a.result === "ok")).toHaveLength(3);
    const [run] = await db.select().from(auditLogs).where(eq(auditLogs.action, "attention.sync_kind"));
    expect(run).toMatchObject({
      actorId: finance.id,
      targetType: "attention",
      targetId: "chargeStuck",
      result: "error",
      params: { items: 4, synced: 3, failed: 1 },
    });
    // the filter finds the run by its target
    expect((await listAudit({ target: "chargeS" })).rows.map((r) => r.action)).toContain("attention.sync_kind");
  });

  it("kinds with nothing at Ping++ are refused in bulk, audited", async () => {
    await expect(syncAttentionKind(finance, "eventForeign")).rejects.toBeInstanceOf(AppError);
    const [a] = await db.select().from(auditLogs).where(eq(auditLogs.action, "attention.sync_kind"));
    expect(a).toMatchObject({ result: "refused", targetId: "eventForeign" });
    expect(await listAttention()).toEqual([]);
  });
});

describe("isv_wap's result URL: a customer page by default, http(s) only", () => {
  const isvWap = (resultUrl: string) =>
    createChargeSchema.safeParse({
      idempotencyKey: crypto.randomUUID(),
      amount: "3.00",
      channel: "isv_wap",
      subject: "s",
      body: "b",
      terminalId: "T01",
      payChannel: "alipay",
      resultUrl,
    });

  it("accepts only http and https addresses (checked on the server)", () => {
    expect(isvWap("https://shop.example/thanks").success).toBe(true);
    expect(isvWap("http://127.0.0.1:3000/paid").success).toBe(true);
    for (const bad of [
      "javascript:alert(1)",
      "data:text/html,<b>x</b>",
      "ftp://shop.example/x",
      "//shop.example/x",
      "shop.example",
    ]) {
      const r = isvWap(bad);
      expect(r.success, bad).toBe(false);
      expect(r.error!.issues.find((i) => i.path[0] === "resultUrl")?.message, bad).toBe("url");
    }
  });

  it("the form's default /paid becomes this charge's own result page at Ping++; the page shows only status and amount", async () => {
    const parsed = isvWap("http://127.0.0.1:3000/paid");
    const v = await createCharge(cashier, parsed.data!);
    const [row] = await db.select().from(charges).where(eq(charges.id, v.id));
    expect((row!.raw as { extra: { result_url: string } }).extra.result_url).toBe(`http://127.0.0.1:3000/paid/${v.id}`);
    expect(await paymentResult(v.id)).toEqual({ status: "pending", amount: 300, currency: "cny" });
    await h.sim(`charges/${row!.pingppId}/pay`);
    await eventually(async () => (await paymentResult(v.id))?.status === "paid", "paid");
    expect(await paymentResult("00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(await paymentResult("not-a-uuid")).toBeNull();
    // any other address is sent as typed
    expect(withResultPage({ result_url: "https://shop.example/paid/x" }, v.id)).toEqual({
      result_url: "https://shop.example/paid/x",
    });
    expect(withResultPage({ result_url: "https://shop.example/paid/" }, "abc")).toEqual({
      result_url: "https://shop.example/paid/abc",
    });
  });
});
