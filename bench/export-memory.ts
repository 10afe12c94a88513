/**
 * Export memory: stream a CSV of N charges (default 100,000) through the same code the export
 * route uses (keyset pages of 1,000 → csvResponse) and record peak RSS while reading it.
 * Flat memory = the peak hardly grows with N. Run against Postgres:
 * DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --conditions=react-server --import tsx
 * bench/export-memory.ts [N]
 */
import { sql } from "drizzle-orm";
import { getDb, closeDb } from "../lib/db";
import { listCharges } from "../lib/services/charges";
import { csvResponse, pages, shanghaiTime, yuan } from "../lib/csv/write";
import type { Actor } from "../lib/services/actor";

const N = Number(process.argv[2] ?? 100_000);
const db = await getDb();
await db.execute(sql`delete from charges where order_no like 'bexp%'`);
const t0 = Date.now();
await db.execute(sql`
  insert into charges (order_no, pingpp_id, app_id, channel, amount, currency, subject, body, status, terminal_id, created_at)
  select 'bexp' || g, 'ch_bexp' || lpad(g::text, 9, '0'), 'app_bench', case when g % 2 = 0 then 'alipay_qr' else 'wx_pub_qr' end,
         100 + g % 10000, 'cny', '门店消费', 'bench', 'paid', 'T' || (g % 20), now() - (g || ' seconds')::interval
  from generate_series(1, ${N}) g`);
console.log(`seeded ${N} rows in ${Date.now() - t0} ms`);

const actor: Actor = {
  id: "00000000-0000-4000-8000-000000000000",
  email: "bench",
  name: "bench",
  role: "admin",
  terminalId: null,
};
const base = process.memoryUsage().rss;
let peak = base;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const started = Date.now();
const res = csvResponse(
  "bench.csv",
  ["id", "amount", "time"],
  pages((cursor) => listCharges(actor, { cursor }, 1000)),
  (r) => [r.chargeId, yuan(r.amount), shanghaiTime(r.createdAt)],
);
const reader = res.body!.getReader();
let bytes = 0;
let lines = 0;
for (;;) {
  const { done, value } = await reader.read();
  if (done) break;
  bytes += value.byteLength;
  for (const b of value) if (b === 10) lines++;
  peak = Math.max(peak, process.memoryUsage().rss);
}
clearInterval(sampler);
const ms = Date.now() - started;
await db.execute(sql`delete from charges where order_no like 'bexp%'`);
await closeDb();
const summary = {
  rows: lines - 1,
  mb: +(bytes / 1e6).toFixed(1),
  ms,
  rowsPerSec: Math.round(((lines - 1) * 1000) / ms),
  rssBaseMb: +(base / 1e6).toFixed(1),
  rssPeakMb: +(peak / 1e6).toFixed(1),
  rssGrowthMb: +((peak - base) / 1e6).toFixed(1),
};
console.log(JSON.stringify(summary));
console.log(
  `export of ${summary.rows} rows: peak RSS ${summary.rssPeakMb} MB (+${summary.rssGrowthMb} MB over the ${summary.rssBaseMb} MB baseline), ${summary.rowsPerSec} rows/s`,
);
