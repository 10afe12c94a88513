/**
 * Bench 1: webhook ingestion events/s through the console's REAL route (the built app, started
 * with `npm start` = Next.js's standalone server) vs the ceiling of any Next.js console on this
 * machine (bench/next-ceiling: a bare Next.js route running the framework-free baseline's exact
 * code), with the framework-free baseline itself (bench/webhook-baseline.ts: node:http +
 * postgres.js, same verify + transaction, same tables) beside them, in the same run, against real
 * Postgres. Target (issue 16): console ≥ 0.9 × the Next.js ceiling.
 *
 *   NEXT_DIST_DIR=.next-bench npx next build                 # once
 *   (cd bench/next-ceiling && npx next build)                # once
 *   createdb -h 127.0.0.1 -U postgres bench                  # once
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npx tsx bench/webhook-ingest.ts
 *
 * env: BENCH_EVENTS (per target per round, default 3000), BENCH_CONCURRENCY (in-flight
 * deliveries, default 32), BENCH_ROUNDS (default 3; each round runs the three in turn, starting
 * one further along each round, so in 3 rounds each server runs once first, second and third),
 * BENCH_WARMUP_EVENTS (unmeasured deliveries to each server first, default BENCH_EVENTS).
 * Events are signed with a key pair generated here; the console gets the public key through
 * PINGPP_PUBLIC_KEY (with PINGPP_API_KEY set so `npm start` does not substitute the sandbox's).
 */
import http from "node:http";
import { spawn } from "node:child_process";
import { createSign, createVerify, createPublicKey, generateKeyPairSync } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import {
  DATABASE_URL,
  ROOT,
  SANDBOX_PORT,
  groupCpuSeconds,
  machine,
  report,
  signedChargeEvents,
  startConsole,
  webhookRequest,
  stats,
  type ConsoleServer,
  type Delivery,
  runBench,
  startCeiling,
  type Ceiling,
} from "./lib";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/**
 * Deliveries to each server before the measured rounds (JIT, Next.js's route caches, pools): a
 * server in production runs warm. With 300, the console's first round still ran colder than the
 * rest (0.83–0.86× the ceiling, then 0.87–0.97×: more of its own code to compile), so the warm-up
 * is one whole round, the same for all three servers.
 */
const WARMUP = Number(process.env.BENCH_WARMUP_EVENTS ?? EVENTS);
const BASELINE_PORT = SANDBOX_PORT; // no sandbox in this bench: the baseline uses its port
const TARGET_RATIO = 0.9; // console / next-ceiling
const CEILING_PORT = BASELINE_PORT + 1;
/**
 * Database connections that carry webhook transactions, the same on all three servers: the
 * baseline and the ceiling use their whole pool (10, postgres.js's default) for webhooks, while
 * the console keeps 3 of its pool for the screens' and pages' reads (READS_KEPT in
 * lib/services/webhooks/index.ts), so it is started with a pool of 10 + 3. With its default pool
 * of 10 it ran 7 webhook transactions at a time against the ceiling's 10.
 */
const WEBHOOK_CONNECTIONS = Number(process.env.BENCH_WEBHOOK_CONNECTIONS ?? 10);
const CONSOLE_READS_KEPT = 3;

const { privateKey, publicKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

const sql = postgres(DATABASE_URL, { max: 4, onnotice: () => {} });
/** `n` pending charges of our own (as the cashier would have created them) + a signed charge.succeeded each. */
const prepare = (tag: string, n: number) => signedChargeEvents(sql, tag, n, privateKey);

/** Deliver every event once with `CONCURRENCY` in flight; events/s and per-delivery latency. */
async function fire(port: number, deliveries: Delivery[], pgid: number, getPath?: string) {
  const cpu0 = groupCpuSeconds(pgid);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const lat: number[] = [];
  const codes: Record<string, number> = {};
  let next = 0;
  const one = (d: Delivery) =>
    new Promise<number>((resolve) => {
      const req = http.request(
        getPath ? { host: "127.0.0.1", port, path: getPath, agent } : webhookRequest(port, agent, d),
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", () => resolve(-1));
      req.end(getPath ? undefined : d.body);
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const i = next++;
        if (i >= deliveries.length) return;
        const s = performance.now();
        const code = await one(deliveries[i]!);
        lat.push(performance.now() - s);
        codes[code] = (codes[code] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  const cpuMsPerEvent = Math.round(((groupCpuSeconds(pgid) - cpu0) * 1000 * 100) / deliveries.length) / 100;
  return {
    cpuMsPerEvent,
    eventsPerSec: Math.round((deliveries.length / seconds) * 10) / 10,
    seconds: Math.round(seconds * 100) / 100,
    codes,
    latencyMs: stats(lat),
  };
}

async function startBaseline() {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/webhook-baseline.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(BASELINE_PORT),
      DATABASE_URL,
      PUBLIC_KEY_PEM: publicKey,
      DATABASE_POOL_MAX: String(WEBHOOK_CONNECTIONS),
    },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
    child.on("exit", (c) => reject(new Error(`baseline exited ${c}`)));
  });
  return { pgid: child.pid!, stop: async () => void (child.kill("SIGTERM"), await sleep(300)) };
}

/** Every event stored once and applied, every charge paid? */
async function check(deliveries: Delivery[]) {
  const ids = deliveries.map((d) => JSON.parse(d.body.toString()) as { id: string; data: { object: { id: string } } });
  const evtIds = ids.map((e) => e.id);
  const chIds = ids.map((e) => e.data.object.id);
  const [e] =
    await sql`select count(*)::int as n, count(*) filter (where status = 'applied')::int as applied from pingpp_events where id = any(${evtIds})`;
  const [c] =
    await sql`select count(*) filter (where status = 'paid')::int as paid from charges where pingpp_id = any(${chIds})`;
  return { stored: e!.n as number, applied: e!.applied as number, chargesPaid: c!.paid as number };
}

async function main() {
  // Micro: the console verifies with the PEM string (parsed on every call); a cached KeyObject avoids that.
  const sample = Buffer.from(JSON.stringify({ id: "evt_x", pad: "x".repeat(1200) }));
  const sig = createSign("RSA-SHA256").update(sample).sign(privateKey, "base64");
  const keyObj = createPublicKey(publicKey);
  const micro = (key: string | ReturnType<typeof createPublicKey>) => {
    const t = performance.now();
    for (let i = 0; i < 2000; i++) createVerify("RSA-SHA256").update(sample).verify(key, sig, "base64");
    return Math.round(((performance.now() - t) / 2000) * 1000) / 1000;
  };
  const verifyMs = { pemString: micro(publicKey), keyObject: micro(keyObj) };

  let consoleServer: ConsoleServer | undefined;
  let baseline: Awaited<ReturnType<typeof startBaseline>> | undefined;
  let ceiling: Ceiling | undefined;
  try {
    consoleServer = await startConsole({
      PINGPP_API_KEY: "sk_test_benchIngest",
      PINGPP_APP_ID: "app_Bench00000000001",
      PINGPP_API_BASE: "http://127.0.0.1:9", // never called by charge.succeeded
      PINGPP_PUBLIC_KEY: publicKey,
      DATABASE_POOL_MAX: String(WEBHOOK_CONNECTIONS + CONSOLE_READS_KEPT),
    });
    baseline = await startBaseline();
    ceiling = await startCeiling(CEILING_PORT, {
      PUBLIC_KEY_PEM: publicKey,
      DATABASE_POOL_MAX: String(WEBHOOK_CONNECTIONS),
    });
    const port = Number(new URL(consoleServer.url).port);
    const cpid = consoleServer.child.pid!;
    const bpid = baseline.pgid;
    const npid = ceiling.pgid;

    const tag = Date.now().toString(36).slice(-5);
    // warm-up (JIT, Next.js route compilation caches, pools)
    await fire(port, await prepare(`${tag}wc`, WARMUP), cpid);
    await fire(BASELINE_PORT, await prepare(`${tag}wb`, WARMUP), bpid);
    await fire(CEILING_PORT, await prepare(`${tag}wn`, WARMUP), npid);

    const rounds: {
      baseline: Awaited<ReturnType<typeof fire>>;
      ceiling: Awaited<ReturnType<typeof fire>>;
      console: Awaited<ReturnType<typeof fire>>;
    }[] = [];
    const all = { baseline: [] as Delivery[], ceiling: [] as Delivery[], console: [] as Delivery[] };
    for (let r = 0; r < ROUNDS; r++) {
      const b = await prepare(`${tag}b${r}`, EVENTS);
      const n = await prepare(`${tag}n${r}`, EVENTS);
      const c = await prepare(`${tag}c${r}`, EVENTS);
      all.baseline.push(...b);
      all.ceiling.push(...n);
      all.console.push(...c);
      // The order turns each round (baseline, ceiling, console; then ceiling, console, baseline; …):
      // no server always runs right after another's thousands of updates (autovacuum, checkpoints).
      const runs = [
        () => fire(BASELINE_PORT, b, bpid),
        () => fire(CEILING_PORT, n, npid),
        () => fire(port, c, cpid),
      ] as const;
      const res: Awaited<ReturnType<typeof fire>>[] = [];
      for (let k = 0; k < 3; k++) {
        const i = (r + k) % 3;
        res[i] = await runs[i]!();
      }
      const [rb, rn, rc] = res as [
        Awaited<ReturnType<typeof fire>>,
        Awaited<ReturnType<typeof fire>>,
        Awaited<ReturnType<typeof fire>>,
      ];
      rounds.push({ baseline: rb, ceiling: rn, console: rc });
      console.error(
        `round ${r + 1}: baseline ${rb.eventsPerSec}/s (${rb.cpuMsPerEvent} cpu-ms/ev)  next-ceiling ${rn.eventsPerSec}/s (${rn.cpuMsPerEvent} cpu-ms/ev)  console ${rc.eventsPerSec}/s (${rc.cpuMsPerEvent} cpu-ms/ev)  load ${machine().loadavg1}`,
      );
    }
    // the framework floor: GET /api/health (Next.js route + one `select 1` through the same pool), same concurrency
    const floorN = Math.min(EVENTS, 3000);
    const healthFloor = await fire(
      port,
      Array.from({ length: floorN }, () => ({ body: Buffer.alloc(0), signature: "" })),
      cpid,
      "/api/health",
    );
    console.error(
      `console GET /api/health floor: ${healthFloor.eventsPerSec}/s (${healthFloor.cpuMsPerEvent} cpu-ms/req)`,
    );
    const total = (k: "baseline" | "ceiling" | "console") => {
      const secs = rounds.reduce((a, r) => a + r[k].seconds, 0);
      return Math.round(((EVENTS * ROUNDS) / secs) * 10) / 10;
    };
    const baselineEps = total("baseline");
    const consoleEps = total("console");
    const ceilingEps = total("ceiling");
    const ratio = Math.round((consoleEps / ceilingEps) * 1000) / 1000; // the target: console vs the Next.js ceiling
    const baselineRatio = Math.round((consoleEps / baselineEps) * 1000) / 1000;
    const ceilingRatio = Math.round((ceilingEps / baselineEps) * 1000) / 1000;
    const checks = {
      console: await check(all.console),
      baseline: await check(all.baseline),
      ceiling: await check(all.ceiling),
    };
    const non200 = (codes: Record<string, number>) =>
      Object.entries(codes).reduce((x, [k, v]) => x + (k === "200" ? 0 : v), 0);
    const errors = rounds.reduce(
      (a, r) => a + non200(r.console.codes) + non200(r.baseline.codes) + non200(r.ceiling.codes),
      0,
    );
    const pass =
      ratio >= TARGET_RATIO &&
      errors === 0 &&
      checks.console.applied === EVENTS * ROUNDS &&
      checks.ceiling.applied === EVENTS * ROUNDS &&
      checks.baseline.applied === EVENTS * ROUNDS;
    report(
      {
        bench: "webhook-ingest",
        mode: "built console via `npm start` (Next.js standalone server, real HTTP route) vs bench/next-ceiling (the baseline's code in a bare Next.js route), node:http+postgres.js baseline beside",
        events: EVENTS * ROUNDS,
        concurrency: CONCURRENCY,
        warmupEvents: WARMUP,
        webhookConnections: WEBHOOK_CONNECTIONS,
        consoleEventsPerSec: consoleEps,
        baselineEventsPerSec: baselineEps,
        ceilingEventsPerSec: ceilingEps,
        ratio,
        ratioVsBaseline: baselineRatio,
        nextCeiling: {
          eventsPerSec: ceilingEps,
          ratioVsBaseline: ceilingRatio,
          what: "bench/next-ceiling: a Next.js route handler running the baseline's exact code",
        },
        target: TARGET_RATIO,
        pass,
        errors,
        rounds,
        checks,
        verifyMs,
        healthFloor: {
          requestsPerSec: healthFloor.eventsPerSec,
          cpuMsPerRequest: healthFloor.cpuMsPerEvent,
          latencyMs: healthFloor.latencyMs,
          codes: healthFloor.codes,
        },
        machine: machine(),
      },
      `webhook-ingest: console ${consoleEps} ev/s vs the Next.js ceiling (bench/next-ceiling: the baseline's code in a bare Next.js route) ${ceilingEps} ev/s = ${ratio}× (target ≥ ${TARGET_RATIO}×) → ${pass ? "PASS" : "FAIL"}` +
        ` · framework-free baseline ${baselineEps} ev/s (console ${baselineRatio}×, ceiling ${ceilingRatio}×) · server CPU/event ceiling ${rounds.at(-1)!.ceiling.cpuMsPerEvent} ms` +
        ` · server CPU/event console ${rounds.at(-1)!.console.cpuMsPerEvent} ms vs baseline ${rounds.at(-1)!.baseline.cpuMsPerEvent} ms` +
        ` · (Next.js floor GET /api/health ${healthFloor.eventsPerSec} req/s, ${healthFloor.cpuMsPerEvent} cpu-ms/req)` +
        ` · console p50/p99 ${rounds.at(-1)!.console.latencyMs.p50}/${rounds.at(-1)!.console.latencyMs.p99} ms, ceiling ${rounds.at(-1)!.ceiling.latencyMs.p50}/${rounds.at(-1)!.ceiling.latencyMs.p99} ms, baseline ${rounds.at(-1)!.baseline.latencyMs.p50}/${rounds.at(-1)!.baseline.latencyMs.p99} ms · errors ${errors} · load ${machine().loadavg1}`,
    );
  } finally {
    await baseline?.stop();
    await ceiling?.stop();
    await consoleServer?.stop();
    await sql.end({ timeout: 2 });
  }
}

runBench(main);
