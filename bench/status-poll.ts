/**
 * Bench 3: the cashier status endpoint `GET /api/charges/{id}/status` under 500 simulated
 * screens, each polling its own charge once a second for 60 s (with If-None-Match, as the
 * browser's HTTP cache does for `cache: "no-cache"`). Built console via `npm start` with its
 * in-process sandbox; 500 charges are created first through the real service (createCharge →
 * sandbox → Postgres); one session cookie from next-auth's credentials flow.
 * Target: p99 ≤ 25 ms and no errors. Also samples pg_stat_activity for the bench database.
 *
 *   NEXT_DIST_DIR=.next-bench npx next build          # once
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --conditions=react-server --import tsx bench/status-poll.ts
 *
 * (react-server condition: it imports lib/services/charges, which is `server-only`.)
 * env: BENCH_SCREENS (500), BENCH_SECONDS (60), BENCH_STATUS_MODE=pending (default: the charges
 * stay unpaid, so reconcile-on-poll runs too, as on real cashier screens) | paid (every charge
 * paid through the sandbox first: the pure read path a screen would have stopped polling).
 */
import http from "node:http";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { monitorEventLoopDelay } from "node:perf_hooks";
import {
  AUTH_SECRET,
  BENCH_ADMIN,
  CONSOLE_PORT,
  DATABASE_URL,
  SANDBOX_URL,
  groupCpuSeconds,
  loginCookie,
  machine,
  report,
  startConsole,
  stats,
  type ConsoleServer,
} from "./lib";

const SCREENS = Number(process.env.BENCH_SCREENS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const MODE = process.env.BENCH_STATUS_MODE === "paid" ? "paid" : "pending";
const TARGET_P99_MS = 25;

/** 500 charges through the console's own service, exactly as the cashier form's action does. */
async function createCharges(n: number): Promise<{ id: string; chargeId: string }[]> {
  Object.assign(process.env, { DATABASE_URL, PINGPP_API_BASE: SANDBOX_URL, PINGPP_API_KEY: "", AUTH_SECRET });
  const { createCharge } = await import("../lib/services/charges");
  const { createChargeSchema } = await import("../lib/validations/charges");
  const { closeDb } = await import("../lib/db");
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  const [admin] = await sql`select id, email, name, role, terminal_id from staff_users where email = ${BENCH_ADMIN.email}`;
  await sql.end();
  if (!admin) throw new Error("bench admin missing");
  const actor = { id: admin.id as string, email: admin.email as string, name: admin.name as string, role: "admin" as const, terminalId: null, ip: "127.0.0.1" };
  const out: { id: string; chargeId: string }[] = [];
  const queue = Array.from({ length: n }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const input = createChargeSchema.parse({
          idempotencyKey: randomUUID(),
          amount: (1 + (i % 500) / 100).toFixed(2),
          channel: "alipay_qr",
          subject: "bench",
          body: "status poll bench",
          terminalId: `T${String(i % 100).padStart(3, "0")}`,
        });
        const v = await createCharge(actor, input);
        out.push({ id: v.id, chargeId: v.chargeId! });
      }
    }),
  );
  await closeDb();
  return out;
}

async function main() {
  let server: ConsoleServer | undefined;
  const mon = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    server = await startConsole({ PINGPP_API_KEY: "", PINGPP_PUBLIC_KEY: "", PINGPP_PUBLIC_KEY_PATH: "", PINGPP_API_BASE: "" });
    const cookie = await loginCookie(server.url);
    const t = performance.now();
    const charges = await createCharges(SCREENS);
    const createSeconds = Math.round((performance.now() - t) / 10) / 100;
    if (MODE === "paid") {
      for (const c of charges) {
        const r = await fetch(`${SANDBOX_URL}/_sim/charges/${c.chargeId}/pay`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        if (!r.ok) throw new Error(`sim pay → ${r.status}`);
      }
      for (let i = 0; i < 100; i++) {
        const [p] = await mon`select count(*)::int as n from charges where id = any(${charges.map((c) => c.id)}) and status = 'paid'`;
        if ((p!.n as number) === charges.length) break;
        await sleep(100);
      }
    }

    // a sanity request: authenticated and answering
    const probe = await fetch(`${server.url}/api/charges/${charges[0]!.id}/status`, { headers: { cookie } });
    if (probe.status !== 200) throw new Error(`status endpoint answered ${probe.status}: ${await probe.text()}`);

    const agent = new http.Agent({ keepAlive: true, maxSockets: SCREENS });
    const lat: number[] = [];
    const at: number[] = []; // when each request started, s since the run began
    const codes: Record<string, number> = {};
    const errors: string[] = [];
    const get = (id: string, etag: string | undefined) =>
      new Promise<{ code: number; etag?: string }>((resolve) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port: CONSOLE_PORT,
            path: `/api/charges/${id}/status`,
            agent,
            headers: { cookie, accept: "application/json", "cache-control": "no-cache", ...(etag ? { "if-none-match": etag } : {}) },
            timeout: 10_000,
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ code: res.statusCode ?? 0, etag: (res.headers.etag as string | undefined) ?? etag }));
          },
        );
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", (e) => resolve({ code: -1, etag: `${e.message}` }));
        req.end();
      });

    // pg_stat_activity during the run
    const conn: { total: number; active: number; idle: number; idleInTx: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [r] = await mon`
          select count(*)::int as total,
                 count(*) filter (where state = 'active')::int as active,
                 count(*) filter (where state = 'idle')::int as idle,
                 count(*) filter (where state like 'idle in transaction%')::int as idle_in_tx
          from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
        conn.push({ total: r!.total as number, active: r!.active as number, idle: r!.idle as number, idleInTx: r!.idle_in_tx as number });
        await sleep(500);
      }
    })();

    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const cpu0 = groupCpuSeconds(server.child.pid!);
    const start = performance.now();
    const end = start + SECONDS * 1000;
    await Promise.all(
      charges.map(async (c) => {
        let etag: string | undefined;
        let due = start + Math.random() * 1000; // screens are not in step
        for (;;) {
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
          if (performance.now() >= end) return;
          const s = performance.now();
          const r = await get(c.id, etag);
          lat.push(performance.now() - s);
          at.push((s - start) / 1000);
          codes[r.code] = (codes[r.code] ?? 0) + 1;
          if (r.code === 200 || r.code === 304) etag = r.etag;
          else if (errors.length < 5) errors.push(`${r.code} ${r.code === -1 ? r.etag : ""}`);
          due += 1000;
          if (due < performance.now()) due = performance.now(); // fell behind: poll again at once, like a timer would
        }
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    const cpuSeconds = groupCpuSeconds(server.child.pid!) - cpu0;
    lag.disable();
    sampling = false;
    await sampler;
    agent.destroy();

    const s = stats(lat);
    // p99 per 10 s window: shows whether the tail is the first seconds (a cold server compiling
    // and warming up) or steady state.
    const windows = Array.from({ length: Math.ceil(SECONDS / 10) }, (_, w) => {
      const sel = lat.filter((_, i) => at[i]! >= w * 10 && at[i]! < (w + 1) * 10);
      return { from: w * 10, n: sel.length, p99: stats(sel).p99 };
    });
    const steady = stats(lat.filter((_, i) => at[i]! >= 10));
    const errorCount = Object.entries(codes).filter(([k]) => k !== "200" && k !== "304").reduce((a, [, v]) => a + v, 0);
    const maxConn = Math.max(...conn.map((c) => c.total));
    const maxActive = Math.max(...conn.map((c) => c.active));
    const pass = s.p99 <= TARGET_P99_MS && errorCount === 0;
    report(
      {
        bench: "status-poll",
        mode: `built console via \`npm start\`; charges ${MODE}`,
        screens: SCREENS,
        seconds: Math.round(elapsed * 10) / 10,
        requests: s.n,
        requestsPerSec: Math.round(s.n / elapsed),
        codes,
        errors: errorCount,
        errorSamples: errors,
        latencyMs: s,
        p99By10sWindow: windows,
        steadyStateAfter10s: steady,
        targetP99Ms: TARGET_P99_MS,
        pass,
        dbConnections: { max: maxConn, maxActive, samples: conn.length, poolMaxSetting: Number(process.env.DATABASE_POOL_MAX ?? 10) },
        consoleCpuPercent: Math.round((cpuSeconds / elapsed) * 1000) / 10, // npm start's process group: Next.js server + bootstrap (in-process sandbox)
        consoleCpuMsPerRequest: Math.round(((cpuSeconds * 1000) / (s.n || 1)) * 100) / 100,
        generatorEventLoopLagP99Ms: Math.round(lag.percentile(99) / 1e4) / 100,
        chargesCreatedIn: createSeconds,
        machine: machine(),
      },
      `status-poll (${MODE}): ${s.n} requests from ${SCREENS} screens in ${Math.round(elapsed)} s, p50 ${s.p50} ms, p99 ${s.p99} ms (target ≤ ${TARGET_P99_MS} ms), errors ${errorCount}; after the first 10 s p50 ${steady.p50} ms, p99 ${steady.p99} ms → ${pass ? "PASS" : "FAIL"}` +
        ` · DB connections max ${maxConn} (active ≤ ${maxActive}) · console CPU ${Math.round((cpuSeconds / elapsed) * 100)}%`,
    );
  } finally {
    await server?.stop();
    await mon.end({ timeout: 2 });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
