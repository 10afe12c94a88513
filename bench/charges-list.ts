/**
 * Bench 4: the charges list at 1,000,000 rows, in-process against real Postgres: seeds the
 * rows once (INSERT … SELECT generate_series, in 100k batches; skipped when already there),
 * then times `listCharges` (first page, a page ~10,000 rows deep by following the cursor, a
 * cursor near the end; as admin, with a status filter and as a cashier) and `chargeTotals`.
 * Target: ≤ 50 ms server time per list page (totals reported separately). Every list query
 * slower than half the target (and every totals query) is re-run under EXPLAIN (ANALYZE, BUFFERS) with the exact SQL +
 * parameters
 * the service sent (captured from the app's postgres.js client).
 *
 *   createdb -h 127.0.0.1 -U postgres bench           # once
 * DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --conditions=react-server --import tsx
 * bench/charges-list.ts
 *
 * (react-server condition: it imports lib/services/charges, which is `server-only`.)
 * env: BENCH_ROWS (1000000), BENCH_RESEED=1 (delete the seeded rows and seed again).
 */
import postgres from "postgres";
import { AUTH_SECRET, DATABASE_URL, machine, report, stats } from "./lib";

Object.assign(process.env, { DATABASE_URL, AUTH_SECRET, PINGPP_API_KEY: "" });
const { listCharges, chargeTotals } = await import("../lib/services/charges");
const { chargeFilterSchema } = await import("../lib/validations/charges");
const { getDb, closeDb } = await import("../lib/db");
type Actor = Parameters<typeof listCharges>[0];

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const TARGET_MS = 50;
const REPEAT = 5;
const SEED_PREFIX = "bl"; // order_no prefix of the seeded rows
const CREATORS = 20;
const TERMINALS = 200;

const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
const creator = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

async function seed() {
  if (process.env.BENCH_RESEED) await sql`delete from charges where order_no like ${SEED_PREFIX + "%"}`;
  const [have] = await sql`select count(*)::int as n from charges where order_no like ${SEED_PREFIX + "%"}`;
  const existing = have!.n as number;
  if (existing >= ROWS) return { seeded: 0, existing, seconds: 0 };
  const t = performance.now();
  const BATCH = 100_000;
  for (let from = existing + 1; from <= ROWS; from += BATCH) {
    const to = Math.min(ROWS, from + BATCH - 1);
    // ms-precision timestamps spread over ~1 year, newest = g 1; realistic status/channel mix and a ~1 KB raw object.
    await sql`
      insert into charges (id, pingpp_id, order_no, app_id, channel, amount, currency, subject, body, status,
                           amount_refunded, refunded, terminal_id, created_by, qr_payload, time_expire, time_paid,
                           transaction_no, livemode, raw, created_at, updated_at)
      select gen_random_uuid(), 'ch_' || substr(md5(g::text), 1, 24), ${SEED_PREFIX} || g, 'app_Bench00000000001',
             (array['alipay_qr','wx_pub_qr','cb_alipay_qr','cb_wx_pub_qr','upacp_qr','ccb_qr','isv_qr','isv_scan','isv_wap'])[1 + g % 9],
             100 + ((g::bigint * 7919) % 100000)::int, case when g % 9 in (2, 3) then 'usd' else 'cny' end, '收款', 'bench seeded charge',
             (case when g % 100 < 70 then 'paid' when g % 100 < 90 then 'expired' when g % 100 < 95 then 'reversed'
                   when g % 100 < 98 then 'failed' else 'pending' end)::charge_status,
             case when g % 100 < 5 then 100 else 0 end, g % 100 < 5,
             'T' || lpad((g % ${TERMINALS})::text, 3, '0'),
             ('00000000-0000-4000-8000-' || lpad((g % ${CREATORS})::text, 12, '0'))::uuid,
             null, ts + interval '15 minutes', case when g % 100 < 70 then ts + interval '20 seconds' end,
             case when g % 100 < 70 then '4200' || lpad(g::text, 24, '0') end, false,
             jsonb_build_object('id', 'ch_' || substr(md5(g::text), 1, 24), 'object', 'charge', 'created', extract(epoch from ts)::bigint,
               'livemode', false, 'paid', g % 100 < 70, 'refunded', g % 100 < 5, 'reversed', false, 'app', 'app_Bench00000000001',
               'channel', 'alipay_qr', 'order_no', ${SEED_PREFIX} || g, 'client_ip', '127.0.0.1', 'amount', 100 + ((g::bigint * 7919) % 100000)::int,
               'amount_settle', 100 + ((g::bigint * 7919) % 100000)::int, 'currency', 'cny', 'subject', '收款', 'body', 'bench seeded charge',
               'extra', '{}'::jsonb, 'time_paid', extract(epoch from ts)::bigint + 20, 'time_expire', extract(epoch from ts)::bigint + 900,
               'time_settle', null, 'transaction_no', '4200' || lpad(g::text, 24, '0'),
               'refunds', jsonb_build_object('object', 'list', 'url', '/v1/charges/ch_' || substr(md5(g::text), 1, 24) || '/refunds', 'has_more', false, 'data', '[]'::jsonb),
               'amount_refunded', 0, 'failure_code', null, 'failure_msg', null,
               'metadata', jsonb_build_object('terminal_id', 'T' || lpad((g % ${TERMINALS})::text, 3, '0'), 'staff', 'cashier' || (g % ${CREATORS}) || '@bench.test'),
               'credential', jsonb_build_object('object', 'credential', 'alipay_qr', 'https://qr.alipay.com/bax0' || md5(g::text)),
               'description', null),
             ts, ts + interval '20 seconds'
      from (select g, date_trunc('milliseconds', now() - interval '1 hour' - g * interval '31.5 seconds' - (g % 997) * interval '1 millisecond') as ts
            from generate_series(${from}::int, ${to}::int) g) s`;
    console.error(
      `seeded ${to.toLocaleString()} / ${ROWS.toLocaleString()} (${Math.round((performance.now() - t) / 1000)} s)`,
    );
  }
  await sql`vacuum analyze charges`;
  return { seeded: ROWS - existing, existing, seconds: Math.round((performance.now() - t) / 100) / 10 };
}

// the exact statements the service sends, for EXPLAIN
let captured: { q: string; params: unknown[] }[] = [];
async function captureQueries() {
  const db = await getDb();
  const client = (db as unknown as { $client: { options: { debug?: unknown } } }).$client;
  client.options.debug = (_c: number, q: string, params: unknown[]) => captured.push({ q, params });
}

async function time<T>(fn: () => Promise<T>): Promise<{
  first: number;
  ms: ReturnType<typeof stats>;
  result: T;
  sql: { q: string; params: unknown[] } | undefined;
}> {
  const ms: number[] = [];
  let result!: T;
  let firstSql: { q: string; params: unknown[] } | undefined;
  for (let i = 0; i < REPEAT; i++) {
    captured = [];
    const t = performance.now();
    result = await fn();
    ms.push(performance.now() - t);
    firstSql ??= captured.find((c) => /from "charges"/.test(c.q));
  }
  return { first: Math.round(ms[0]! * 100) / 100, ms: stats(ms.slice(1)), result, sql: firstSql };
}

async function explain(s: { q: string; params: unknown[] } | undefined): Promise<string[]> {
  if (!s) return [];
  const rows = await sql.unsafe(`explain (analyze, buffers) ${s.q}`, s.params as never[]);
  const lines = rows.map((r) => String((r as Record<string, unknown>)["QUERY PLAN"]));
  // keep the plan nodes + totals, without the per-node noise
  return lines
    .filter((l) => /->|^\S|Execution Time|Planning Time|Rows Removed|Buffers: shared/.test(l))
    .slice(0, 14)
    .map((l) => l.replace(/\s+/g, " ").trim());
}

const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");

async function main() {
  const seeded = await seed();
  const [{ n: total } = { n: 0 }] = await sql`select count(*)::int as n from charges`;
  await captureQueries();

  const admin: Actor = { id: creator(999), email: "admin@bench.test", name: "admin", role: "admin", terminalId: null };
  const cashier: Actor = {
    id: creator(7),
    email: "cashier7@bench.test",
    name: "cashier 7",
    role: "cashier",
    terminalId: "T007",
  };
  const f = (x: Record<string, string> = {}) => chargeFilterSchema.parse(x);

  const results: Record<string, { firstMs: number; ms: ReturnType<typeof stats>; rows?: number; plan?: string[] }> = {};
  const slow: string[] = [];
  const record = async (
    name: string,
    r: Awaited<ReturnType<typeof time>>,
    rows: number | undefined,
    isList: boolean,
  ) => {
    results[name] = { firstMs: r.first, ms: r.ms, rows };
    if (r.ms.p50 > TARGET_MS / 2 || r.first > TARGET_MS || !isList) results[name]!.plan = await explain(r.sql);
    if (isList && r.ms.p50 > TARGET_MS) slow.push(name);
  };

  /** first page, page after `deep` rows (following the cursor), and near the end */
  const listCase = async (label: string, actor: Actor, filter: Record<string, string>, deep = 10_000) => {
    const first = await time(() => listCharges(actor, f(filter)));
    await record(`${label}: first page`, first, first.result.rows.length, true);
    let cursor = first.result.nextCursor;
    const walk: number[] = [];
    for (let seen = first.result.rows.length; cursor && seen < deep;) {
      const t = performance.now();
      const p = await listCharges(actor, f({ ...filter, cursor }));
      walk.push(performance.now() - t);
      seen += p.rows.length;
      cursor = p.nextCursor;
    }
    results[`${label}: walking pages 2..${walk.length + 1}`] = {
      firstMs: Math.round((walk[0] ?? NaN) * 100) / 100,
      ms: stats(walk),
    };
    if (cursor) {
      const deepPage = await time(() => listCharges(actor, f({ ...filter, cursor: cursor! })));
      await record(
        `${label}: page at ~${deep.toLocaleString()} rows deep`,
        deepPage,
        deepPage.result.rows.length,
        true,
      );
    }
    // a cursor near the end of what this filter selects
    const where = [sql`status <> 'creating'`];
    if (filter.status) where.push(sql`status = ${filter.status}`);
    if (filter.channel) where.push(sql`channel = ${filter.channel}`);
    if (actor.role === "cashier") where.push(sql`(created_by = ${actor.id} or terminal_id = ${actor.terminalId})`);
    const [{ n } = { n: 0 }] =
      await sql`select count(*)::int as n from charges where ${where.reduce((a, b) => sql`${a} and ${b}`)}`;
    const [near] = await sql`select created_at, id from charges where ${where.reduce((a, b) => sql`${a} and ${b}`)}
                             order by created_at desc, id desc offset ${Math.max(0, (n as number) - 100)} limit 1`;
    if (near) {
      const c = encodeCursor(near.created_at as Date, near.id as string);
      const end = await time(() => listCharges(actor, f({ ...filter, cursor: c })));
      await record(
        `${label}: cursor near the end (${((n as number) - 100).toLocaleString()} of ${(n as number).toLocaleString()})`,
        end,
        end.result.rows.length,
        true,
      );
    }
  };

  await listCase("admin, no filter", admin, {});
  await listCase("admin, status=paid", admin, { status: "paid" });
  await listCase("admin, channel=isv_qr", admin, { channel: "isv_qr" });
  await listCase(
    "admin, channel=cb_wx_pub_qr + status=failed (rare)",
    admin,
    { channel: "cb_wx_pub_qr", status: "failed" },
    2_000,
  );
  await listCase("cashier (own + terminal T007)", cashier, {}, 5_000);
  // a cashier with nothing yet (new staff member, new terminal): the OR cannot use one ordered index
  const newCashier: Actor = {
    id: creator(998),
    email: "new@bench.test",
    name: "new",
    role: "cashier",
    terminalId: "T999",
  };
  const empty = await time(() => listCharges(newCashier, f()));
  await record("cashier with no charges yet (new terminal T999): first page", empty, empty.result.rows.length, true);
  const search = await time(() => listCharges(admin, f({ q: `${SEED_PREFIX}123456` })));
  await record("admin, search by order_no", search, search.result.rows.length, true);

  const totals: Record<string, { firstMs: number; ms: ReturnType<typeof stats>; plan?: string[] }> = {};
  for (const [name, actor, filter] of [
    ["admin, everything", admin, {}],
    ["admin, status=paid", admin, { status: "paid" }],
    ["admin, last 7 days", admin, { from: new Date(Date.now() - 7 * 86400_000).toISOString().slice(0, 10) }],
    ["cashier (own + terminal T007)", cashier, {}],
  ] as const) {
    const r = await time(() => chargeTotals(actor, f(filter)));
    totals[name] = { firstMs: r.first, ms: r.ms, plan: await explain(r.sql) };
  }

  const listEntries = Object.entries(results).filter(([k]) => !k.includes("walking"));
  const worst = listEntries.reduce((a, [k, v]) => (v.ms.p50 > a.ms ? { name: k, ms: v.ms.p50 } : a), {
    name: "",
    ms: 0,
  });
  const pass = slow.length === 0;
  report(
    {
      bench: "charges-list",
      mode: "in-process listCharges/chargeTotals (drizzle + postgres.js) against real Postgres",
      rowsInTable: total,
      seed: seeded,
      repeat: REPEAT,
      note: "ms = stats over repeats 2..n (warm); firstMs = the first call",
      list: results,
      totals,
      targetMs: TARGET_MS,
      slowListQueries: slow,
      pass,
      machine: machine(),
    },
    `charges-list @ ${Number(total).toLocaleString()} rows: ` +
      listEntries.map(([k, v]) => `${k} ${v.ms.p50} ms`).join(" · ") +
      ` | totals: ` +
      Object.entries(totals)
        .map(([k, v]) => `${k} ${v.ms.p50} ms`)
        .join(" · ") +
      ` | list target ≤ ${TARGET_MS} ms → ${pass ? "PASS" : `FAIL (${slow.join("; ")})`}; worst list page ${worst.ms} ms (${worst.name})`,
  );
}

main()
  .then(
    () => 0,
    (e: unknown) => {
      console.error(e);
      return 1;
    },
  )
  .then(async (code) => {
    await closeDb().catch(() => {});
    await sql.end({ timeout: 2 });
    process.exit(code);
  });
