import { afterAll, describe, expect, it, vi } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { and, eq } from "drizzle-orm";
import { eventually } from "@/tests/helpers/console-sandbox";
import { batchEnvelopesAtPingpp } from "@/tests/helpers/red-envelope-batches";
import { auditLogs, redEnvelopeBatches, redEnvelopes } from "@/lib/db/schema";
import { csvLine } from "@/lib/csv/write";
import { BATCH_TEMPLATE, batchDryRunSchema, dryRunRows, type BatchDryRunInput } from "@/lib/validations/red-envelopes";
import { pingpp } from "./pingpp-client";
import { db, finance, h, setUpRedEnvelopeTestbed } from "./red-envelopes.testbed";
import { claimValues } from "./red-envelopes";
import * as svc from "./red-envelope-batches";
import { runJobOnce, stopScheduler } from "@/lib/jobs";

/** A slow Ping++: while `slow.ms` > 0 every call waits that long before it is sent (the real client otherwise). */
const slow = vi.hoisted(() => ({ ms: 0 }));
vi.mock("@/lib/services/pingpp-client", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/services/pingpp-client")>();
  const { createPingpp } = await import("@/lib/pingpp");
  const { env } = await import("@/lib/env");
  let slowClient: ReturnType<typeof createPingpp> | undefined;
  const later: typeof fetch = async (input, init) => (
    await new Promise((r) => setTimeout(r, slow.ms)),
    fetch(input, init)
  );
  return {
    pingpp: () => {
      if (!slow.ms) return real.pingpp();
      const { apiKey, apiBase, privateKeyPem } = env().pingpp;
      return (slowClient ??= createPingpp({ apiKey, apiBase, privateKeyPem, fetch: later }));
    },
  };
});

setUpRedEnvelopeTestbed();
afterAll(stopScheduler);

const csvOf = (n: number, amount = "1.00") =>
  [
    "open_id,amount,wishing",
    ...Array.from({ length: n }, (_, i) => `oUser${String(i + 1).padStart(4, "0")},${amount},`),
  ].join("\n");

const upload = (csv: string | Uint8Array, over: Partial<BatchDryRunInput> = {}) =>
  svc.createBatch(
    finance,
    batchDryRunSchema.parse({
      fileName: "年会.csv",
      csv,
      budget: "10000",
      sendName: "示例商户",
      subject: "年会红包",
      body: "新年快乐",
      description: "年会",
      ...over,
    }),
  );

const sentAtPingpp = batchEnvelopesAtPingpp;

const dryRunInput = (csv: string | Uint8Array) => ({
  fileName: "年会.csv",
  csv,
  budget: "10000",
  sendName: "示例商户",
  subject: "年会红包",
  body: "新年快乐",
  description: "年会",
});
const ascii = (s: string) => [...new TextEncoder().encode(s)];
// "恭喜发财" and "新年快乐" as GBK/GB18030 bytes: what Excel's "CSV (逗号分隔)" writes on Chinese Windows.
const GBK_GONGXIFACAI = [0xb9, 0xa7, 0xcf, 0xb2, 0xb7, 0xa2, 0xb2, 0xc6];
const GBK_XINNIANKUAILE = [0xd0, 0xc2, 0xc4, 0xea, 0xbf, 0xec, 0xc0, 0xd6];

const fast = { limit: { perWindow: 1000, windowMs: 60_000 }, retryDelayMs: 50, leaseMs: 2_000 };

describe("dry run", () => {
  it("checks every row (header, per-row wishing, quoting) and totals the valid ones; nothing is sent", async () => {
    const csv = [
      "open_id,amount,wishing",
      "oA,1.00,",
      'oB,2.50,"恭喜, 发财"',
      "oC,0.50,", // below 1 yuan without a scene
      "bad id!,3,", // not an open_id
      "oA,4,", // same recipient twice
      `oD,5,${"福".repeat(43)}`, // wishing over 128 bytes
      "oE,x,",
      "oF,1,a,b", // too many columns
    ].join("\r\n");
    const b = await upload(csv, { budget: "100" });
    expect(b).toMatchObject({ status: "draft", rowCount: 8, invalidCount: 6, totalAmount: 350, budget: 10000 });
    const lines = await svc.batchLines(b.id);
    expect(lines.map((l) => [l.line, l.error])).toEqual([
      [4, "redEnvelopeAmountRange"],
      [5, "openIdInvalid"],
      [6, "duplicateRecipient"],
      [7, "redEnvelopeBodyBytes"],
      [8, "amount"],
      [9, "csvColumns"],
      [2, null],
      [3, null],
    ]);
    expect(lines.find((l) => l.line === 3)!.body).toBe("恭喜, 发财");
    expect(await db.$count(redEnvelopes)).toBe(0);
  });

  it("a scene_id lets rows outside 1-200 yuan through; an unreadable or empty file is refused as a whole", async () => {
    expect(dryRunRows("oA,0.30\noB,300", "PRODUCT_1").every((r) => !r.error)).toBe(true);
    await expect(upload('oA,1,"open')).rejects.toMatchObject({ code: "validation.csvUnreadable", field: "csv" });
    await expect(upload("open_id,amount\n")).rejects.toMatchObject({ code: "validation.csvEmpty" });
  });

  it("refuses to start a batch with invalid rows or over its budget cap, and says so in the audit log", async () => {
    const bad = await upload("oA,1\noB,0.1");
    await expect(svc.startBatch(finance, bad.id, fast)).rejects.toMatchObject({
      code: "redEnvelopes.errors.batchInvalidRows",
    });
    const over = await upload(csvOf(3, "50"), { budget: "149.99" });
    expect(over.totalAmount).toBe(15000);
    await expect(svc.startBatch(finance, over.id, fast)).rejects.toMatchObject({
      code: "redEnvelopes.errors.overBudget",
    });
    const refused = await db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, "red_envelope.batch.start"), eq(auditLogs.result, "refused")));
    expect(refused).toHaveLength(2);
    expect(await sentAtPingpp(over.id)).toHaveLength(0);
  });
});

describe("files from Excel", () => {
  it("a GBK file's wishes are read as Chinese, the same as a UTF-8 file with or without a BOM", async () => {
    const gbk = Uint8Array.from([
      ...ascii("open_id,amount,wishing\r\noA,1.00,"),
      ...GBK_GONGXIFACAI,
      ...ascii("\r\noB,2.00,"),
      ...GBK_XINNIANKUAILE,
      ...ascii("\r\n"),
    ]);
    const utf8 = new TextEncoder().encode("open_id,amount,wishing\r\noA,1.00,恭喜发财\r\noB,2.00,新年快乐\r\n");
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8]);
    for (const file of [gbk, utf8, bom]) {
      const b = await upload(file);
      expect(b).toMatchObject({ rowCount: 2, invalidCount: 0, totalAmount: 300 });
      expect((await svc.batchLines(b.id)).map((l) => [l.openId, l.body])).toEqual([
        ["oA", "恭喜发财"],
        ["oB", "新年快乐"],
      ]);
    }
  });

  it("undecodable bytes, UTF-16, a workbook or text already garbled are refused with how to save the file; nothing is stored", async () => {
    const refusal = (csv: string | Uint8Array) => {
      const r = batchDryRunSchema.safeParse(dryRunInput(csv));
      return r.success ? null : r.error.issues.map((i) => [i.path.join("."), i.message]);
    };
    expect(refusal(Uint8Array.from([...ascii("oA,1,"), 0xff, 0x81, 0x7f]))).toEqual([["csv", "csvEncoding"]]);
    expect(refusal(Uint8Array.from([0xff, 0xfe, 0x6f, 0, 0x41, 0]))).toEqual([["csv", "csvUtf16"]]);
    expect(refusal(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0]))).toEqual([["csv", "csvWorkbook"]]);
    // GBK read as UTF-8 (what file.text() did): the replacement characters give it away
    expect(refusal("oA,1,\ufffd\ufffd\ufffd\ufffd")).toEqual([["csv", "csvEncoding"]]);
    expect(refusal(new Uint8Array(0))).toEqual([["csv", "csvEmpty"]]);
    expect(refusal(new Uint8Array(1_000_000).fill(0x41))).toEqual([["csv", "csvTooLarge"]]);
    expect(await db.$count(redEnvelopeBatches)).toBe(0);
  });

  it("the template (header and example line) passes the dry run as it is", () => {
    const rows = dryRunRows(csvLine([...BATCH_TEMPLATE.header]) + csvLine([...BATCH_TEMPLATE.example]), undefined);
    expect(rows).toEqual([
      { line: 2, openId: BATCH_TEMPLATE.example[0], amount: 888, body: BATCH_TEMPLATE.example[2], error: null },
    ]);
  });
});

describe("the batches list", () => {
  it("pages newest first and counts every batch", async () => {
    const made = [];
    for (let i = 0; i < 5; i++) {
      const b = await upload(csvOf(1), { fileName: `第${i}批.csv` });
      await db
        .update(redEnvelopeBatches)
        .set({ createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)) })
        .where(eq(redEnvelopeBatches.id, b.id));
      made.push(b.id);
    }
    const newest = [...made].reverse();
    const p1 = await svc.listBatches({ perPage: 2 });
    expect(p1).toMatchObject({ count: 5, page: 1, perPage: 2 });
    expect(p1.rows.map((b) => b.id)).toEqual(newest.slice(0, 2));
    expect((await svc.listBatches({ perPage: 2, page: 2 })).rows.map((b) => b.id)).toEqual(newest.slice(2, 4));
    const last = await svc.listBatches({ perPage: 2, page: 3 });
    expect(last.rows.map((b) => [b.id, b.fileName])).toEqual([[made[0], "第0批.csv"]]);
    expect(last.count).toBe(5);
    expect((await svc.listBatches({ perPage: 2, page: 4 })).rows).toEqual([]);
    // the default page holds them all
    expect((await svc.listBatches()).rows.map((b) => b.id)).toEqual(newest);
  });
});

describe("deleting a batch", () => {
  it("a draft is deleted with its rows and the deletion is audited; a started batch cannot be deleted", async () => {
    const draft = await upload(csvOf(3));
    await svc.deleteBatch(finance, draft.id);
    expect(await db.$count(redEnvelopeBatches)).toBe(0);
    expect(await svc.batchLines(draft.id)).toEqual([]);
    await expect(svc.deleteBatch(finance, draft.id)).rejects.toMatchObject({
      code: "redEnvelopes.errors.batchNotFound",
    });

    const started = await upload(csvOf(2));
    await svc.startBatch(finance, started.id, fast);
    await expect(svc.deleteBatch(finance, started.id)).rejects.toMatchObject({
      code: "redEnvelopes.errors.batchStarted",
    });
    expect(await db.$count(redEnvelopeBatches)).toBe(1);
    await eventually(async () => (await svc.batchProgress(started.id)).batch.status === "done", "done");
    expect((await svc.batchLines(started.id)).every((l) => l.envelopeId)).toBe(true);

    const logged = await db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.action, "red_envelope.batch.delete"))
      .orderBy(auditLogs.createdAt);
    expect(logged.map((a) => [a.targetId, a.result, a.actorId])).toEqual([
      [draft.id, "ok", finance.id],
      [started.id, "refused", finance.id],
    ]);
  });
});

describe("sending a batch", () => {
  it("sends every row once, records each outcome, and finishes", async () => {
    const b = await upload(csvOf(25));
    await svc.startBatch(finance, b.id, fast);
    const p = await eventually(async () => {
      const p = await svc.batchProgress(b.id);
      return p.batch.status === "done" ? p : null;
    }, "batch done");
    expect(p).toMatchObject({ done: 25, sentAmount: 2500, counts: { sending: 25 } });
    const lines = await svc.batchLines(b.id);
    expect(lines.every((l) => l.status === "sending" && l.envelopeId)).toBe(true);
    expect(await sentAtPingpp(b.id)).toHaveLength(25);
    expect(await db.$count(auditLogs, eq(auditLogs.action, "red_envelope.send"))).toBe(25);
    await svc.startBatch(finance, b.id, fast); // starting again sends nothing
    expect(await sentAtPingpp(b.id)).toHaveLength(25);
  });

  it("Ping++ unavailable for a moment: the unanswered rows are sent again later, each once", async () => {
    const b = await upload(csvOf(3));
    await h.sim("faults", { mode: "500", count: 2 });
    await svc.startBatch(finance, b.id, { ...fast, concurrency: 1 });
    await eventually(
      async () => (await svc.batchProgress(b.id)).batch.status === "done",
      "done after Ping++ recovered",
    );
    expect(await sentAtPingpp(b.id)).toHaveLength(3);
    const results = (await db.select().from(auditLogs).where(eq(auditLogs.action, "red_envelope.send")))
      .map((a) => a.result)
      .sort();
    expect(results).toEqual(["error", "error", "ok", "ok", "ok"]);
  });

  it("resumes after an interruption and a crash mid-call without sending any row twice", async () => {
    const n = 30;
    const b = await upload(csvOf(n));
    const stop = new AbortController();
    const slow = { ...fast, limit: { perWindow: 4, windowMs: 300 }, chunk: 4, signal: stop.signal };
    await svc.startBatch(finance, b.id, slow);
    await eventually(async () => (await svc.batchProgress(b.id)).done >= 8, "some rows sent");
    stop.abort(); // the process stops
    await eventually(
      async () => (await db.select().from(redEnvelopeBatches))[0]!.leaseOwner === null,
      "worker stopped",
    );
    const sentBefore = (await sentAtPingpp(b.id)).length;
    expect(sentBefore).toBeLessThan(n);

    // …and a crash: the next row was claimed and reached Ping++, but its answer was never stored,
    // and the dead worker's lease is still there.
    const line = (await svc.batchLines(b.id)).find((l) => !l.envelopeId)!.line;
    const [claim] = await db
      .insert(redEnvelopes)
      .values({
        ...claimValues(
          { id: finance.id, email: finance.email },
          {
            idempotencyKey: `${b.id}:${line}`,
            batchId: b.id,
            batchLine: line,
            recipient: `oUser${String(line - 1).padStart(4, "0")}`,
            amount: 100,
            sendName: "示例商户",
            subject: "年会红包",
            body: "新年快乐",
            description: "年会",
          },
        ),
        updatedAt: new Date(Date.now() - 60_000),
      })
      .returning();
    await pingpp().redEnvelopes.create({
      order_no: claim!.orderNo,
      app: { id: h.sandbox.appId },
      amount: 100,
      recipient: claim!.recipient,
      subject: "年会红包",
      body: "新年快乐",
      description: "年会",
      extra: { send_name: "示例商户" },
      metadata: { batch: b.id, line },
    });
    await db
      .update(redEnvelopeBatches)
      .set({ leaseOwner: "dead-instance", leaseUntil: new Date(Date.now() - 1) })
      .where(eq(redEnvelopeBatches.id, b.id));

    // Reading the batch only reads: no worker starts with the page.
    expect((await svc.batchProgress(b.id)).done).toBeLessThan(n);
    expect((await db.select().from(redEnvelopeBatches))[0]).toMatchObject({
      status: "sending",
      leaseOwner: "dead-instance",
    });
    expect(await svc.orphanedBatches()).toEqual([b.id]);

    // After the restart, the scheduler's job finds the expired lease and resumes the batch, with no page open.
    expect(await runJobOnce("red-envelope-batches.resume")).toBe(true);
    const p = await eventually(async () => {
      const [row] = await db.select().from(redEnvelopeBatches).where(eq(redEnvelopeBatches.id, b.id));
      return row!.status === "done" ? svc.batchProgress(b.id) : null;
    }, "resumed batch done");
    expect(p.done).toBe(n);
    const remote = await sentAtPingpp(b.id);
    expect(remote).toHaveLength(n);
    expect(new Set(remote.map((r) => r.order_no)).size).toBe(n);
    expect(new Set(remote.map((r) => r.metadata.line)).size).toBe(n);
    const rows = await db.select().from(redEnvelopes).where(eq(redEnvelopes.batchId, b.id));
    expect(rows).toHaveLength(n);
    expect(rows.every((r) => r.status === "sending" && r.pingppId)).toBe(true);
    expect(rows.find((r) => r.id === claim!.id)!.pingppId).toBeTruthy();
  });

  it("a round slower than the lease keeps it (heartbeat): a second worker finds the batch busy all along; each row sent once", async () => {
    const n = 6;
    const b = await upload(csvOf(n));
    // One round of 6 calls, one at a time, 250 ms each: 1.5 s, two and a half leases.
    const opts = { ...fast, leaseMs: 600, concurrency: 1, chunk: n };
    slow.ms = 250;
    try {
      await svc.startBatch(finance, b.id, opts);
      const tries: string[] = [];
      for (;;) {
        const [row] = await db.select().from(redEnvelopeBatches).where(eq(redEnvelopeBatches.id, b.id));
        if (row!.status === "done") break;
        tries.push(await svc.runBatch(b.id, opts)); // another instance's worker
        await sleep(50);
      }
      expect(tries.length).toBeGreaterThan(3);
      expect(new Set(tries)).toEqual(new Set(["busy"]));
    } finally {
      slow.ms = 0;
    }
    const remote = await sentAtPingpp(b.id);
    expect(remote).toHaveLength(n);
    expect(new Set(remote.map((r) => r.order_no)).size).toBe(n);
  });

  it("a worker whose lease was taken (it ran out while it was stuck) stops before its next Ping++ call", async () => {
    const n = 8;
    const b = await upload(csvOf(n));
    await svc.startBatch(finance, b.id, { ...fast, signal: AbortSignal.abort() }); // started, no worker here
    await eventually(async () => (await db.select().from(redEnvelopeBatches))[0]!.leaseOwner === null, "no worker");
    slow.ms = 150;
    try {
      const worker = svc.runBatch(b.id, { ...fast, leaseMs: 10_000, concurrency: 1, chunk: n });
      await eventually(
        async () =>
          (await db.$count(redEnvelopes, eq(redEnvelopes.batchId, b.id))) > 0 && (await sentAtPingpp(b.id)).length >= 2,
        "two rows sent",
      );
      await db
        .update(redEnvelopeBatches)
        .set({ leaseOwner: "other-instance", leaseUntil: new Date(Date.now() + 3_600_000) })
        .where(eq(redEnvelopeBatches.id, b.id));
      const sentWhenTaken = (await sentAtPingpp(b.id)).length;
      expect(await worker).toBe("stopped");
      // at most the call that was on its way when the lease went; none after it
      expect((await sentAtPingpp(b.id)).length).toBeLessThanOrEqual(sentWhenTaken + 1);
      expect((await sentAtPingpp(b.id)).length).toBeLessThan(n);
      expect((await db.select().from(redEnvelopeBatches))[0]).toMatchObject({
        status: "sending",
        leaseOwner: "other-instance",
      });
    } finally {
      slow.ms = 0;
    }
  });

  it("never asks Ping++ more than the limit within any window", async () => {
    const b = await upload(csvOf(12));
    const limit = { perWindow: 5, windowMs: 500 };
    const started = Date.now();
    await svc.startBatch(finance, b.id, { ...fast, limit });
    await eventually(async () => (await svc.batchProgress(b.id)).batch.status === "done", "done", 20_000);
    const times = (await db.select({ t: redEnvelopes.attemptedAt }).from(redEnvelopes))
      .map((r) => r.t!.getTime())
      .sort((a, c) => a - c);
    expect(times).toHaveLength(12);
    for (let i = 0; i + limit.perWindow < times.length; i++)
      expect(times[i + limit.perWindow]! - times[i]!).toBeGreaterThanOrEqual(limit.windowMs);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * limit.windowMs);
  });
});
