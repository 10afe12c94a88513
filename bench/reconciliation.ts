/**
 * 对账 of a day with N charges (default 100,000) in the sandbox: time and peak memory.
 * The sandbox runs in its own process (scripts/sandbox.ts) over a state seeded with N paid charges
 * spread over yesterday (Asia/Shanghai); the console's database gets the same N rows, less 50
 * ("missing here"), 50 with a different amount, plus 50 Ping++ never had ("missing there").
 * This process runs lib/services/reconciliation.ts reconcileDay and samples its RSS and heap.
 * DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --expose-gc --conditions=react-server --import tsx
 * bench/reconciliation.ts [N]
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { addDays, shanghaiDayStart, shanghaiToday } from "../lib/dates";

const N = Number(process.argv[2] ?? 100_000);
const APP = "app_Sandbox000000001";
const day = addDays(shanghaiToday(), -1);
const start = Math.floor(shanghaiDayStart(day).getTime() / 1000);
const id = (i: number) => "ch_bRec" + String(i).padStart(17, "0");
const createdOf = (i: number) => start + Math.floor((i * 86_399) / N);

// 1. the sandbox's state: N paid charges of that day
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-recon-"));
let charges: Record<string, unknown> = {};
for (let i = 0; i < N; i++) {
  const created = createdOf(i);
  charges[id(i)] = {
    id: id(i),
    object: "charge",
    created,
    livemode: false,
    paid: true,
    refunded: false,
    reversed: false,
    app: APP,
    channel: "alipay_qr",
    order_no: "bRec" + i,
    client_ip: "127.0.0.1",
    amount: 100 + (i % 10_000),
    amount_settle: 100 + (i % 10_000),
    currency: "cny",
    subject: "门店消费",
    body: "bench",
    extra: {},
    time_paid: created + 5,
    time_expire: created + 7200,
    time_settle: null,
    transaction_no: "2026" + i,
    amount_refunded: 0,
    failure_code: null,
    failure_msg: null,
    metadata: {},
    credential: {},
    description: null,
  };
}
fs.writeFileSync(
  path.join(dataDir, "state.json"),
  JSON.stringify({
    version: 1,
    config: {},
    seeded: false,
    charges,
    refunds: {},
    orders: {},
    redEnvelopes: {},
    royalties: {},
    settlements: {},
    transactions: {},
    events: {},
    deliveries: {},
    jobs: [],
    nextOutcome: null,
  }),
);
charges = {}; // the seed lives in the sandbox's process now: not counted in this one's memory
const port = 42_000 + Math.floor(Math.random() * 2000);
const child = spawn(process.execPath, ["--import", "tsx", "scripts/sandbox.ts"], {
  env: {
    ...process.env,
    PINGPP_SANDBOX_PORT: String(port),
    PINGPP_SANDBOX_DATA_DIR: dataDir,
    PINGPP_SANDBOX_WEBHOOK_URL: "http://127.0.0.1:9/none",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise<void>((resolve, reject) => {
  child.stdout!.on("data", (b: Buffer) => b.toString().includes("listening") && resolve());
  child.on("exit", (code) => reject(new Error(`sandbox exited ${code}`)));
});
process.env.PINGPP_API_BASE = `http://127.0.0.1:${port}`;
delete process.env.PINGPP_API_KEY;
process.env.PINGPP_PUBLIC_KEY_PATH = fs
  .readdirSync(dataDir)
  .filter((f) => f.endsWith("public_key.pem"))
  .map((f) => path.join(dataDir, f))[0];

// 2. the console's rows (imported after the env is set: the services read it once)
const { getDb, closeDb } = await import("../lib/db");
const { reconcileDay } = await import("../lib/services/reconciliation");
const db = await getDb();
await db.execute(sql`delete from charges where order_no like 'bRec%'`);
const t0 = Date.now();
await db.execute(sql`
  insert into charges (order_no, pingpp_id, app_id, channel, amount, currency, subject, body, status, created_at)
  select 'bRec' || g, 'ch_bRec' || lpad(g::text, 17, '0'), ${APP}, 'alipay_qr',
         100 + g % 10000 + case when g between 50 and 99 then 1 else 0 end, 'cny', '门店消费', 'bench', 'paid',
         to_timestamp(${start} + floor(g * 86399.0 / ${N}))
  from generate_series(0, ${N - 51}) g`);
await db.execute(sql`
  insert into charges (order_no, pingpp_id, app_id, channel, amount, currency, subject, body, status, created_at)
  select 'bRecX' || g, 'ch_bRecX' || g, ${APP}, 'alipay_qr', 500, 'cny', 's', 'b', 'paid', to_timestamp(${start} + 3600 + g)
  from generate_series(1, 50) g`);
console.log(`seeded ${N} sandbox charges and the console's rows in ${Date.now() - t0} ms`);

// 3. reconcile, sampling memory
global.gc?.();
const base = process.memoryUsage();
let peakRss = base.rss;
let peakHeap = base.heapUsed;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sample, 10);
const started = Date.now();
const run = await reconcileDay(day, { actor: null, trigger: "manual" });
const ms = Date.now() - started;
sample();
clearInterval(sampler);

await db.execute(sql`delete from reconciliation_runs where id = ${run.id}`);
await db.execute(sql`delete from charges where order_no like 'bRec%'`);
await closeDb();
await new Promise((resolve) => (child.once("exit", resolve), child.kill("SIGTERM")));
fs.rmSync(dataDir, { recursive: true, force: true });
const mb = (b: number) => +(b / 1e6).toFixed(1);
const summary = {
  charges: N,
  status: run.status,
  error: run.error,
  differences: run.differences,
  pingppCount: run.totals[0]?.pingppCount,
  consoleCount: run.totals[0]?.consoleCount,
  ms,
  chargesPerSec: Math.round((N * 1000) / ms),
  rssBaseMb: mb(base.rss),
  rssPeakMb: mb(peakRss),
  heapBaseMb: mb(base.heapUsed),
  heapPeakMb: mb(peakHeap),
};
console.log(JSON.stringify(summary));
console.log(
  `对账 of ${N} charges: ${(ms / 1000).toFixed(1)} s, ${run.differences} differences; peak RSS ${summary.rssPeakMb} MB (base ${summary.rssBaseMb}), peak heap ${summary.heapPeakMb} MB (base ${summary.heapBaseMb})`,
);
