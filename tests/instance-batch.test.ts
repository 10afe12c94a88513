import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { startConsoleSandbox, eventually } from "@/tests/helpers/console-sandbox";
import { startConsoleInstance, type ConsoleInstance } from "@/tests/helpers/console-instance";
import { noStandaloneBuild, startStandaloneServer } from "@/tests/helpers/standalone-server";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addActor } from "@/tests/helpers/actors";
import { batchEnvelopesAtPingpp } from "@/tests/helpers/red-envelope-batches";
import { startTcpProxy, type TcpProxy } from "@/tests/helpers/tcp-proxy";
import { reconciliationRuns, redEnvelopeBatches, redEnvelopes, scheduledJobs } from "@/lib/db/schema";
import { addDays, shanghaiToday } from "@/lib/dates";
import { rowsOf, type Db } from "@/lib/db";
import { createBatch } from "@/lib/services/red-envelope-batches";
import { batchDryRunSchema } from "@/lib/validations/red-envelopes";

/**
 * Issue #16 "work that runs with nobody watching", the proof: two console instances (two
 * processes running the console's code, tests/helpers/console-instance-main.ts) on one Postgres.
 * A red-envelope batch is started on A, whose Ping++ is slow (every answer held 300 ms: a round
 * of sends takes longer than A's lease), while B runs the background scheduler. B must leave the
 * batch alone while A lives (A's heartbeat keeps its lease), and finish it once A is SIGKILLed,
 * with no page open; at the sandbox, every row is one envelope. B is either the same kind of
 * process as A (no build needed) or the built standalone server exactly as production runs it
 * (its scheduler started by instrumentation.ts; skipped without a build, CI runs it after its own).
 */
// Two processes cannot share PGlite (it runs inside one process): this needs the real Postgres.
describe.skipIf(!process.env.DATABASE_URL)("a red-envelope batch survives the instance sending it", () => {
  let h: Awaited<ReturnType<typeof startConsoleSandbox>>;
  let db: Db;
  let slowToPingpp: TcpProxy;
  let toPingppB: TcpProxy;
  let a: ConsoleInstance | undefined;
  let b: { kill(): Promise<void> } | undefined;

  beforeAll(async () => {
    h = await startConsoleSandbox({ timeScale: 0.01 });
    db = await freshDb();
    const u = new URL(h.sandbox.url);
    slowToPingpp = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
    toPingppB = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
  });
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await slowToPingpp?.close();
    await toPingppB?.close();
    await h?.close();
    await closeDb();
  });

  const atPingpp = batchEnvelopesAtPingpp;
  const batchRow = async (id: string) =>
    (await db.select().from(redEnvelopeBatches).where(eq(redEnvelopeBatches.id, id)))[0]!;
  const resumeRuns = async () =>
    (await db.select().from(scheduledJobs).where(eq(scheduledJobs.name, "red-envelope-batches.resume")))[0]?.runs ?? 0;

  const startB = {
    "a console instance": async (env: Record<string, string>) => {
      const i = await startConsoleInstance({ ...env, PGAPPNAME: "batch-instance-b", CONSOLE_INSTANCE_SCHEDULER: "1" });
      return { kill: () => i.kill() };
    },
    "the built standalone server": async (env: Record<string, string>) => {
      const server = await startStandaloneServer({
        ...env,
        // a key, so the server talks to this test's sandbox instead of starting its own
        PINGPP_API_KEY: h.sandbox.apiKey,
        PINGPP_APP_ID: h.sandbox.appId,
        AUTH_SECRET: "instance-batch-test-secret-0123456789abcdef",
        ADMIN_EMAIL: "admin@batch.test",
        ADMIN_PASSWORD: "batch-admin-password",
      });
      return { kill: () => server.stop() };
    },
  };

  for (const [kind, start] of Object.entries(startB)) {
    const skip = kind.includes("standalone") ? noStandaloneBuild : null;
    it.skipIf(skip)(
      `started on A, A killed mid-batch: B (${kind}) finishes it with no page open, and no envelope is sent twice${skip ? ` (skipped: ${skip})` : ""}`,
      async () => {
        await proof(start);
      },
      150_000,
    );
  }

  async function proof(start: (env: Record<string, string>) => Promise<{ kill(): Promise<void> }>) {
    toPingppB.setMode("up");
    const baseline = toPingppB.bytesIn;
    const n = 150;
    await db.delete(redEnvelopes);
    await db.delete(redEnvelopeBatches);
    await db.delete(scheduledJobs);
    // Yesterday's nightly 对账 is done, so the only reason B's scheduler could have to call Ping++
    // while A lives is the batch (which it must leave alone): B's bytes to Ping++ stay at 0.
    await db
      .insert(reconciliationRuns)
      .values({ day: addDays(shanghaiToday(), -1), trigger: "nightly", status: "finished", finishedAt: new Date() });
    const finance = await addActor(db, `batch-${Date.now()}@shop.cn`, "finance");
    const csv = [
      "open_id,amount,wishing",
      ...Array.from({ length: n }, (_, i) => `oTwo${String(i + 1).padStart(4, "0")},1.00,`),
    ].join("\n");
    const batch = await createBatch(
      finance,
      batchDryRunSchema.parse({
        fileName: "两实例.csv",
        csv,
        budget: "10000",
        sendName: "示例商户",
        subject: "红包",
        body: "新年快乐",
        description: "两实例",
      }),
    );
    const common = { DATABASE_URL: process.env.DATABASE_URL!, PINGPP_PUBLIC_KEY: h.sandbox.publicKeyPem };
    // A: where the batch is started (the page's action runs there); its Ping++ answers slowly.
    a = await startConsoleInstance({
      ...common,
      PINGPP_API_BASE: slowToPingpp.via(h.sandbox.url),
      PGAPPNAME: "batch-instance-a",
    });
    // B: runs the scheduler, as every production instance does.
    b = await start({ ...common, PINGPP_API_BASE: toPingppB.via(h.sandbox.url), JOBS_TICK_MS: "100" });
    await eventually(async () => (await resumeRuns()) > 0, "B's scheduler running its jobs", 15_000);

    slowToPingpp.setLatency(300);
    // Rounds of 20 rows, two calls at a time, each answered after ≥ 300 ms: a round takes ≥ 3 s,
    // twice A's 1.5 s lease, which only its heartbeat keeps.
    const started = await a.startBatch(finance, batch.id, { leaseMs: 1_500, concurrency: 2, chunk: 20 });
    expect(started.batch.status).toBe("sending");
    const { leaseOwner: ownerA } = await eventually(async () => {
      const row = await batchRow(batch.id);
      return row.leaseOwner ? row : null;
    }, "A holds the batch");

    // While A lives, B's resume job runs (twice at least: every 5 s) and leaves the batch alone.
    const runsBefore = await resumeRuns();
    await eventually(
      async () => {
        const row = await batchRow(batch.id);
        expect(row).toMatchObject({ status: "sending", leaseOwner: ownerA });
        expect(toPingppB.bytesIn).toBe(baseline); // B has not asked Ping++ anything
        return (await resumeRuns()) >= runsBefore + 2;
      },
      "B's resume job ran twice while A was sending",
      30_000,
    );
    const sentByA = (await atPingpp(batch.id)).length;
    expect(sentByA).toBeGreaterThan(20); // past A's first round (longer than its lease)
    expect(sentByA).toBeLessThan(n);

    await a.kill(); // mid-batch, mid-call: no cleanup of any kind
    a = undefined;
    slowToPingpp.setLatency(0);

    // A's lease runs out (1.5 s); B's scheduler resumes the batch; nobody reads its page. Rows A
    // left mid-call are sent again after their 20 s claim, with their order_no (Ping++ refuses a second).
    await eventually(async () => (await batchRow(batch.id)).status === "done", "B finished the batch", 60_000);
    expect(toPingppB.bytesIn).toBeGreaterThan(baseline); // B did the rest

    const remote = await atPingpp(batch.id);
    expect(remote).toHaveLength(n);
    expect(new Set(remote.map((r) => r.order_no)).size).toBe(n);
    expect(new Set(remote.map((r) => r.metadata.line)).size).toBe(n);
    const rows = await db.select().from(redEnvelopes).where(eq(redEnvelopes.batchId, batch.id));
    expect(rows).toHaveLength(n);
    expect(rows.every((r) => r.status === "sending" && r.pingppId)).toBe(true);
    expect(new Set(rows.map((r) => r.pingppId)).size).toBe(n);
    expect(await batchRow(batch.id)).toMatchObject({ status: "done", leaseOwner: null, leaseUntil: null });
    // nothing of A is left in the database
    await eventually(
      async () =>
        rowsOf<{ n: number }>(
          await db.execute(
            sql`select count(*)::int as n from pg_stat_activity where application_name = 'batch-instance-a'`,
          ),
        )[0]!.n === 0,
      "A's sessions gone",
    );
    await b.kill();
    b = undefined;
  }
});
