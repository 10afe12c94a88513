/**
 * Bench 3: the cashier status endpoint `GET /api/charges/{id}/status` under 500 simulated
 * screens, each polling its own charge once a second for 60 s (with If-None-Match, as the
 * browser's HTTP cache does for `cache: "no-cache"`). Built console via `npm start` with its
 * in-process sandbox; 500 charges are created first through the real service (createCharge →
 * sandbox → Postgres); one session cookie from next-auth's credentials flow.
 * Target: p99 ≤ 25 ms and no errors. Also samples pg_stat_activity for the bench database.
 *
 *   NEXT_DIST_DIR=.next-bench npx next build          # once
 * DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --conditions=react-server --import tsx
 * bench/status-poll.ts
 *
 * (react-server condition: it imports lib/services/charges, which is `server-only`.)
 * env: BENCH_SCREENS (500), BENCH_SECONDS (60), BENCH_STATUS_MODE=pending (default: the charges
 * stay unpaid, so reconcile-on-poll runs too, as on real cashier screens) | paid (every charge
 * paid through the sandbox first: the pure read path a screen would have stopped polling).
 */
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createPollCharges as createCharges } from "./app";
import {
  CONSOLE_PORT,
  DATABASE_URL,
  SANDBOX_URL,
  groupCpuSeconds,
  pollScreens,
  sampleConnections,
  loginCookie,
  machine,
  report,
  startConsoleWithSandbox,
  stats,
  type ConsoleServer,
  runBench,
  startCeiling,
  SANDBOX_PORT,
  BENCH_ADMIN,
} from "./lib";

const SCREENS = Number(process.env.BENCH_SCREENS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const MODE = process.env.BENCH_STATUS_MODE === "paid" ? "paid" : "pending";
const TARGET_P99_MS = 25;
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);

async function main() {
  let server: ConsoleServer | undefined;
  const mon = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    server = await startConsoleWithSandbox();
    const cookie = await loginCookie(server.url);
    const t = performance.now();
    const charges = await createCharges(SCREENS);
    const createSeconds = Math.round((performance.now() - t) / 10) / 100;
    if (MODE === "paid") {
      for (const c of charges) {
        const r = await fetch(`${SANDBOX_URL}/_sim/charges/${c.chargeId}/pay`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
        if (!r.ok) throw new Error(`sim pay → ${r.status}`);
      }
      for (let i = 0; i < 100; i++) {
        const [p] =
          await mon`select count(*)::int as n from charges where id = any(${charges.map((c) => c.id)}) and status = 'paid'`;
        if ((p!.n as number) === charges.length) break;
        await sleep(100);
      }
    }

    // a sanity request: authenticated and answering
    const probe = await fetch(`${server.url}/api/charges/${charges[0]!.id}/status`, { headers: { cookie } });
    if (probe.status !== 200) throw new Error(`status endpoint answered ${probe.status}: ${await probe.text()}`);

    // Warm-up, the same for the console and the ceiling: the screens poll for WARMUP seconds
    // before the measured run (a server just started meets 500 screens with a cold JIT; 0 shows that).
    if (WARMUP > 0)
      await pollScreens({
        port: CONSOLE_PORT,
        cookie,
        ids: charges.map((c) => c.id),
        start: performance.now(),
        seconds: WARMUP,
      });

    const conn = sampleConnections(mon); // pg_stat_activity during the run

    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const cpu0 = groupCpuSeconds(server.child.pid!);
    const start = performance.now();
    const { lat, at, codes, errors, resets } = await pollScreens({
      port: CONSOLE_PORT,
      cookie,
      ids: charges.map((c) => c.id),
      start,
      seconds: SECONDS,
    });
    const elapsed = (performance.now() - start) / 1000;
    const cpuSeconds = groupCpuSeconds(server.child.pid!) - cpu0;
    lag.disable();
    const db = await conn.stop();

    const s = stats(lat);
    // p99 per 10 s window: shows whether the tail is the first seconds (a cold server compiling
    // and warming up) or steady state.
    const windows = Array.from({ length: Math.ceil(SECONDS / 10) }, (_, w) => {
      const sel = lat.filter((_, i) => at[i]! >= w * 10 && at[i]! < (w + 1) * 10);
      return { from: w * 10, n: sel.length, p99: stats(sel).p99 };
    });
    const steady = stats(lat.filter((_, i) => at[i]! >= 10));
    const errorCount = Object.entries(codes)
      .filter(([k]) => k !== "200" && k !== "304")
      .reduce((a, [, v]) => a + v, 0);
    const { max: maxConn, maxActive } = db;
    const pass = s.p99 <= TARGET_P99_MS && errorCount === 0;

    // The same screens against the Next.js ceiling (bench/lib.ts startCeiling): a minimal Next.js
    // route doing the same two reads, no cookie, no drizzle. BENCH_CEILING=0 skips it.
    let ceiling:
      | {
          latencyMs: ReturnType<typeof stats>;
          steadyStateAfter10s: ReturnType<typeof stats>;
          requestsPerSec: number;
          errors: number;
          cpuMsPerRequest: number;
        }
      | undefined;
    if (process.env.BENCH_CEILING !== "0") {
      await server.stop();
      server = undefined;
      const [admin] = await mon`select id from staff_users where email = ${BENCH_ADMIN.email}`;
      const c = await startCeiling(SANDBOX_PORT + 1, { CEILING_STAFF_ID: admin!.id as string });
      try {
        const ids = charges.map((x) => x.id);
        if (WARMUP > 0)
          await pollScreens({ port: SANDBOX_PORT + 1, cookie: "", ids, start: performance.now(), seconds: WARMUP });
        const cpuC = groupCpuSeconds(c.pgid);
        const t0 = performance.now();
        const r = await pollScreens({ port: SANDBOX_PORT + 1, cookie: "", ids, start: t0, seconds: SECONDS });
        const secs = (performance.now() - t0) / 1000;
        const cs = stats(r.lat);
        ceiling = {
          latencyMs: cs,
          steadyStateAfter10s: stats(r.lat.filter((_, i) => r.at[i]! >= 10)),
          requestsPerSec: Math.round(cs.n / secs),
          errors: Object.entries(r.codes)
            .filter(([k]) => k !== "200" && k !== "304")
            .reduce((a, [, v]) => a + v, 0),
          cpuMsPerRequest: Math.round((((groupCpuSeconds(c.pgid) - cpuC) * 1000) / (cs.n || 1)) * 100) / 100,
        };
      } finally {
        await c.stop();
      }
    }
    report(
      {
        bench: "status-poll",
        mode: `built console via \`npm start\`; charges ${MODE}`,
        screens: SCREENS,
        warmupSeconds: WARMUP,
        seconds: Math.round(elapsed * 10) / 10,
        requests: s.n,
        requestsPerSec: Math.round(s.n / elapsed),
        codes,
        errors: errorCount,
        errorSamples: errors,
        keepAliveResetsRetried: resets,
        latencyMs: s,
        p99By10sWindow: windows,
        steadyStateAfter10s: steady,
        targetP99Ms: TARGET_P99_MS,
        pass,
        dbConnections: { ...db, poolMaxSetting: Number(process.env.DATABASE_POOL_MAX ?? 10) },
        // npm start's process group: Next.js server + bootstrap (in-process sandbox)
        consoleCpuPercent: Math.round((cpuSeconds / elapsed) * 1000) / 10,
        consoleCpuMsPerRequest: Math.round(((cpuSeconds * 1000) / (s.n || 1)) * 100) / 100,
        generatorEventLoopLagP99Ms: Math.round(lag.percentile(99) / 1e4) / 100,
        chargesCreatedIn: createSeconds,
        nextCeiling: ceiling && {
          what: "the same screens against bench/next-ceiling: a minimal Next.js route doing the same two indexed reads (postgres.js), JSON + ETag",
          ...ceiling,
        },
        machine: machine(),
      },
      `status-poll (${MODE}, after ${WARMUP} s warm-up): ${s.n} requests from ${SCREENS} screens in ${Math.round(elapsed)} s, p50 ${s.p50} ms, p99 ${s.p99} ms (target ≤ ${TARGET_P99_MS} ms), errors ${errorCount}${errorCount ? ` (${errors.join("; ")})` : ""}; after the first 10 s p50 ${steady.p50} ms, p99 ${steady.p99} ms → ${pass ? "PASS" : "FAIL"}` +
        ` · DB connections max ${maxConn} (active ≤ ${maxActive}) · console CPU ${Math.round((cpuSeconds / elapsed) * 100)}%` +
        (ceiling
          ? ` · Next.js ceiling (same two reads in a bare route, bench/next-ceiling): p50 ${ceiling.latencyMs.p50} ms, p99 ${ceiling.latencyMs.p99} ms (after 10 s ${ceiling.steadyStateAfter10s.p99} ms), ${ceiling.requestsPerSec} req/s, ${ceiling.cpuMsPerRequest} cpu-ms/req, errors ${ceiling.errors}`
          : ""),
    );
  } finally {
    await server?.stop();
    await mon.end({ timeout: 2 });
  }
}

runBench(main);
