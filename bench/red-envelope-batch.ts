/**
 * Bench: red envelope batch sending against the sandbox. Uploads a CSV of BENCH_ROWS rows
 * (dry run), starts the batch and lets the console's own worker (lib/services/red-envelope-batches)
 * send it through a timestamping proxy in front of the sandbox. Reports throughput and checks,
 * from the proxy's own clock, that no window of BENCH_WINDOW_MS ever saw more than BENCH_LIMIT
 * creates (Ping++: 1,800 a minute); also that every row reached Ping++ exactly once.
 *
 * node --conditions=react-server --import tsx bench/red-envelope-batch.ts                 # 1,800/min, 2,500 rows (~1
 * min)
 * BENCH_LIMIT=50 BENCH_WINDOW_MS=2000 BENCH_ROWS=300 node --conditions=react-server --import tsx
 * bench/red-envelope-batch.ts
 *
 * env: BENCH_ROWS (default 2500), BENCH_LIMIT (default 1800), BENCH_WINDOW_MS (default 60000),
 * BENCH_CONCURRENCY (Ping++ calls in flight, default 8). DATABASE_URL: a local Postgres used
 * only by benches (its red envelope tables are emptied first); unset → PGlite in memory.
 */
import http from "node:http";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { startSandbox } from "../lib/pingpp-sandbox";

const ROWS = Number(process.env.BENCH_ROWS ?? 2500);
const LIMIT = {
  perWindow: Number(process.env.BENCH_LIMIT ?? 1800),
  windowMs: Number(process.env.BENCH_WINDOW_MS ?? 60_000),
};
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
if (process.env.DATABASE_URL && !/@(127\.0\.0\.1|localhost)(:\d+)?\/(?!test$)\w+$/.test(process.env.DATABASE_URL)) {
  throw new Error("bench: DATABASE_URL must be a local Postgres database of its own (not `test`)");
}
process.env.PGLITE_DATA_DIR ??= "memory://";
process.env.CONSOLE_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "bench-redenv-"));

const sandbox = await startSandbox({ port: 0, timeScale: 0.001 });

// The proxy: forwards everything to the sandbox and notes when each create arrived.
const creates: number[] = [];
const proxy = http.createServer((req, res) => {
  if (req.method === "POST" && req.url?.startsWith("/v1/red_envelopes")) creates.push(performance.now());
  const up = http.request(sandbox.url + req.url, { method: req.method, headers: req.headers }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on("error", () => res.destroy());
  req.pipe(up);
});
await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
process.env.PINGPP_API_BASE = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
process.env.PINGPP_PUBLIC_KEY = sandbox.publicKeyPem;
delete process.env.PINGPP_API_KEY;

const { getDb, closeDb } = await import("../lib/db");
const { redEnvelopes, redEnvelopeBatches, staffUsers } = await import("../lib/db/schema");
const { batchDryRunSchema } = await import("../lib/validations/red-envelopes");
const batches = await import("../lib/services/red-envelope-batches");
const { pingpp } = await import("../lib/services/pingpp-client");

const db = await getDb();
await db.delete(redEnvelopes);
await db.delete(redEnvelopeBatches);
const [u] = await db
  .insert(staffUsers)
  .values({ email: `bench-${Date.now()}@bench.test`, name: "bench", role: "finance", passwordHash: "x" })
  .returning();
const actor = {
  id: u!.id,
  email: u!.email,
  name: "bench",
  role: "finance" as const,
  terminalId: null,
  ip: "127.0.0.1",
};

const csv = [
  "open_id,amount",
  ...Array.from({ length: ROWS }, (_, i) => `oBench${String(i).padStart(6, "0")},1.00`),
].join("\n");
let t = performance.now();
const batch = await batches.createBatch(
  actor,
  batchDryRunSchema.parse({
    fileName: "bench.csv",
    csv,
    budget: String(ROWS),
    sendName: "Bench",
    subject: "Bench",
    body: "Bench",
    description: "Bench",
  }),
);
const dryRunMs = performance.now() - t;

const opts = { limit: LIMIT, concurrency: CONCURRENCY };
t = performance.now();
await batches.startBatch(actor, batch.id, opts);
for (let last = 0; ; await sleep(200)) {
  const p = await batches.batchProgress(batch.id);
  if (p.batch.status === "done") break;
  if (performance.now() - last > 5_000) {
    last = performance.now();
    console.error(`… ${p.done}/${ROWS} after ${((last - t) / 1000).toFixed(1)} s`);
  }
}
const sendMs = performance.now() - t;

/** The most creates seen within any window of the limit's length (two pointers over sorted times). */
function maxInWindow(times: number[], windowMs: number): number {
  const s = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; j < s.length; j++) {
    while (s[j]! - s[i]! >= windowMs) i++;
    max = Math.max(max, j - i + 1);
  }
  return max;
}
const attempted = (await db.select({ t: redEnvelopes.attemptedAt }).from(redEnvelopes)).map((r) => r.t!.getTime());

// Every row reached Ping++ exactly once: the sandbox's envelopes of this batch, by order_no.
const orderNos = new Set<string>();
let remote = 0;
for (let after: string | undefined; ;) {
  const list = await pingpp().redEnvelopes.list({ limit: 100, starting_after: after });
  for (const r of list.data.filter((r) => r.metadata.batch === batch.id)) {
    remote++;
    orderNos.add(r.order_no);
  }
  if (!list.has_more) break;
  after = list.data[list.data.length - 1]!.id;
}

const firstBurst = Math.min(LIMIT.perWindow, ROWS);
const burstMs = creates.length >= firstBurst ? creates[firstBurst - 1]! - creates[0]! : NaN;
const proxyMax = maxInWindow(creates, LIMIT.windowMs);
const dbMax = maxInWindow(attempted, LIMIT.windowMs);
const summary = {
  bench: "red-envelope-batch",
  db: process.env.DATABASE_URL ? "postgres" : "pglite",
  rows: ROWS,
  limit: LIMIT,
  concurrency: CONCURRENCY,
  dryRunMs: Math.round(dryRunMs),
  sendMs: Math.round(sendMs),
  throughputPerSec: Math.round((ROWS / sendMs) * 1000 * 10) / 10,
  burstPerSec: Math.round((firstBurst / burstMs) * 1000 * 10) / 10,
  createsSeen: creates.length,
  sentAtPingpp: remote,
  uniqueOrderNos: orderNos.size,
  maxInAnyWindowProxy: proxyMax,
  maxInAnyWindowDb: dbMax,
  limitHolds: proxyMax <= LIMIT.perWindow && dbMax <= LIMIT.perWindow,
  exactlyOnce: remote === ROWS && orderNos.size === ROWS && creates.length === ROWS,
};
console.log(JSON.stringify(summary));
console.log(
  `${ROWS} red envelopes in ${(sendMs / 1000).toFixed(1)} s (${summary.throughputPerSec}/s overall, ${summary.burstPerSec}/s unthrottled); ` +
    `at most ${proxyMax} in any ${LIMIT.windowMs / 1000} s window (limit ${LIMIT.perWindow}): ${summary.limitHolds ? "holds" : "VIOLATED"}; ` +
    `${summary.exactlyOnce ? "each row sent exactly once" : "DUPLICATES OR MISSING ROWS"}; dry run ${Math.round(dryRunMs)} ms`,
);

await sandbox.close();
proxy.close();
await closeDb();
process.exit(summary.limitHolds && summary.exactlyOnce ? 0 : 1);
