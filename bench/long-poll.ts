/**
 * Bench: 500 cashier screens long-polling pending charges (`GET /api/charges/{id}/status?wait=25`
 * with their last ETag, a new poll the moment each answer arrives, as the cashier panel does)
 * for 60 s while 10 payments a second go through the sandbox (`POST /_sim/charges/{ch}/pay` →
 * signed charge.succeeded webhook → the console → NOTIFY → the waiting poll). A screen whose
 * charge is paid moves on to a fresh pending charge, as a cashier would. Reports errors, the
 * console's CPU per screen, and the wake-up latency (pay call → that screen's poll answers
 * "paid"). Then, side by side in the same run, the same screens polling once a second without
 * `wait` (how screens polled before), same payments.
 *
 *   NEXT_DIST_DIR=.next-bench npx next build          # once
 * DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --conditions=react-server --import tsx bench/long-poll.ts
 *
 * env: BENCH_SCREENS (500), BENCH_SECONDS (60), BENCH_PAYMENTS_PER_SEC (10), BENCH_COMPARE=0 skips
 * the 1 s polling run, BENCH_PORT / NEXT_DIST_DIR as in bench/lib.ts.
 */
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { createPollCharges } from "./app";
import {
  DATABASE_URL,
  SANDBOX_URL,
  groupCpuSeconds,
  loginCookie,
  machine,
  report,
  runBench,
  sampleConnections,
  chargeStatusRequest,
  startConsoleWithSandbox,
  stats,
  type ConsoleServer,
} from "./lib";

const SCREENS = Number(process.env.BENCH_SCREENS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const PAY_RATE = Number(process.env.BENCH_PAYMENTS_PER_SEC ?? 10);
const WARMUP_SECONDS = 5;
const COMPARE = process.env.BENCH_COMPARE !== "0";

type Mode = "long-poll" | "poll-1s";

async function run(
  mode: Mode,
  o: { cookie: string; pid: number; charges: { id: string; chargeId: string }[]; mon: postgres.Sql },
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SCREENS + 10 });
  const inflight = new Set<http.ClientRequest>();
  let stopping = false;
  const get = (id: string, etag: string | undefined) =>
    chargeStatusRequest(
      { agent, cookie: o.cookie, inflight, stopping: () => stopping, wait: mode === "long-poll" },
      id,
      etag,
    );

  const pool = [...o.charges];
  const current = pool.splice(0, SCREENS); // each screen's charge
  const payStart = new Map<string, number>(); // charge id → when its pay call started
  const wakeMs: number[] = [];
  const seenPaidAt = new Map<string, number>(); // charge id → wall clock when its screen got "paid"
  const codes: Record<string, number> = {};
  const errorSamples: string[] = [];
  let measuring = false;
  let measuredRequests = 0;

  const screen = async (i: number) => {
    let etag: string | undefined;
    let next = performance.now();
    while (!stopping) {
      if (mode === "poll-1s") {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        next += 1000;
        if (next < performance.now()) next = performance.now();
      }
      if (stopping) break;
      const c = current[i]!;
      const r = await get(c.id, etag);
      if (r.code === -1 && r.error === "stopped") break;
      if (measuring) measuredRequests++;
      codes[r.code] = (codes[r.code] ?? 0) + 1;
      if (r.code === 200 || r.code === 304) etag = r.etag;
      else {
        if (errorSamples.length < 5) errorSamples.push(`${r.code} ${r.error ?? ""}`);
        await sleep(1000); // the panel's fallback
        continue;
      }
      if (r.status === "paid") {
        const t0 = payStart.get(c.id);
        if (t0 !== undefined) wakeMs.push(performance.now() - t0);
        seenPaidAt.set(c.id, Date.now());
        const fresh = pool.shift();
        if (!fresh) throw new Error("bench: out of pending charges (raise the pool)");
        current[i] = fresh;
        etag = undefined;
      }
    }
  };

  const payErrors: string[] = [];
  let paid = 0;
  const payer = async (until: number) => {
    const gap = 1000 / PAY_RATE;
    let next = performance.now();
    const calls: Promise<void>[] = [];
    while (performance.now() < until) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      next += gap;
      // a screen showing a pending charge nobody is paying yet
      const candidates = current.filter((c) => !payStart.has(c.id));
      const c = candidates[Math.floor(Math.random() * candidates.length)];
      if (!c) continue;
      payStart.set(c.id, performance.now());
      calls.push(
        fetch(`${SANDBOX_URL}/_sim/charges/${c.chargeId}/pay`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        })
          .then(async (res) => {
            if (res.ok) paid++;
            else if (payErrors.length < 5) payErrors.push(`${res.status} ${await res.text()}`);
          })
          .catch((e: unknown) => void (payErrors.length < 5 && payErrors.push((e as Error).message))),
      );
    }
    await Promise.all(calls);
  };

  const screens = Array.from({ length: SCREENS }, (_, i) => screen(i));
  await sleep(WARMUP_SECONDS * 1000); // every screen has its first answer and is waiting
  const mon = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  const conn = sampleConnections(mon);
  measuring = true;
  const cpu0 = groupCpuSeconds(o.pid);
  const start = performance.now();
  await payer(start + SECONDS * 1000);
  await sleep(Math.max(0, start + SECONDS * 1000 - performance.now()));
  const elapsed = (performance.now() - start) / 1000;
  const cpuSeconds = groupCpuSeconds(o.pid) - cpu0;
  measuring = false;
  // the last payments' screens: give them a moment to answer before stopping
  for (let i = 0; i < 50 && wakeMs.length < paid; i++) await sleep(100);
  stopping = true;
  for (const req of inflight) req.destroy();
  await Promise.all(screens);
  agent.destroy();
  const db = await conn.stop();
  await mon.end({ timeout: 2 });

  // The console's own part: the webhook's apply stamped updated_at (the console's clock, this
  // machine) just before its transaction committed and notified → the screen's answer arrived.
  const ids = [...seenPaidAt.keys()];
  const applied = ids.length
    ? await o.mon`select id, (extract(epoch from updated_at) * 1000)::float8 as t from charges where id = any(${ids})`
    : [];
  const fromApplyMs = applied.map((r) => seenPaidAt.get(r.id as string)! - (r.t as number));
  const errors = Object.entries(codes)
    .filter(([k]) => k !== "200" && k !== "304")
    .reduce((a, [, v]) => a + v, 0);
  return {
    mode,
    seconds: Math.round(elapsed * 10) / 10,
    requests: measuredRequests,
    requestsPerSec: Math.round(measuredRequests / elapsed),
    codes,
    errors,
    errorSamples,
    payments: paid,
    payErrors,
    screensWoken: wakeMs.length,
    wakeUpMs: stats(wakeMs),
    appliedToScreenMs: stats(fromApplyMs),
    consoleCpuPercent: Math.round((cpuSeconds / elapsed) * 1000) / 10,
    consoleCpuMsPerScreenPerSec: Math.round(((cpuSeconds * 1000) / elapsed / SCREENS) * 1000) / 1000,
    dbConnections: db,
  };
}

async function main() {
  let server: ConsoleServer | undefined;
  const mon = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    server = await startConsoleWithSandbox();
    const cookie = await loginCookie(server.url);
    const payLeftovers = async (ids: string[]) => {
      const left = (await mon`select pingpp_id from charges where id = any(${ids}) and status = 'pending'`).map(
        (r) => r.pingpp_id as string,
      );
      const queue = [...left];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let ch = queue.shift(); ch; ch = queue.shift())
            await fetch(`${SANDBOX_URL}/_sim/charges/${ch}/pay`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: "{}",
            }).catch(() => {});
        }),
      );
      for (let i = 0; i < 300; i++) {
        const [r] = await mon`select count(*)::int as n from charges where id = any(${ids}) and status = 'pending'`;
        if ((r!.n as number) === 0) break;
        await sleep(200);
      }
    };
    // Each run gets its own charges, made just before it: one per screen + the ones screens move on
    // to after a payment. What a run leaves pending is paid afterwards (not measured), so the
    // scheduler's sync of pending charges (lib/jobs) has the same work in both runs.
    const perRun = SCREENS + Math.ceil(PAY_RATE * SECONDS * 1.05) + 20;
    let createSeconds = 0;
    const runWith = async (mode: Mode) => {
      const t = performance.now();
      const charges = await createPollCharges(perRun);
      createSeconds += Math.round((performance.now() - t) / 100) / 10;
      const probe = await fetch(`${server!.url}/api/charges/${charges[0]!.id}/status`, { headers: { cookie } });
      if (probe.status !== 200) throw new Error(`status endpoint answered ${probe.status}: ${await probe.text()}`);
      const result = await run(mode, { cookie, pid: server!.child.pid!, charges, mon });
      await payLeftovers(charges.map((c) => c.id));
      return result;
    };
    const long = await runWith("long-poll");
    const poll = COMPARE ? await runWith("poll-1s") : undefined;
    const consoleErrors = server
      .log()
      .split("\n")
      .filter((l) => /\[route\] failed|error/i.test(l))
      .slice(0, 5);
    const pass = long.errors === 0 && long.payErrors.length === 0 && long.screensWoken === long.payments;
    const line = (r: Awaited<ReturnType<typeof run>>) =>
      `${r.mode}: ${r.requestsPerSec} req/s, errors ${r.errors}, ${r.payments} paid / ${r.screensWoken} screens woken, wake-up (pay call → screen) p50 ${Math.round(r.wakeUpMs.p50)} ms p99 ${Math.round(r.wakeUpMs.p99)} ms, (webhook applied → screen) p50 ${Math.round(r.appliedToScreenMs.p50)} ms p99 ${Math.round(r.appliedToScreenMs.p99)} ms, console CPU ${r.consoleCpuPercent}% = ${r.consoleCpuMsPerScreenPerSec} cpu-ms per screen per second, DB connections max ${r.dbConnections.max}`;
    report(
      {
        bench: "long-poll",
        mode: "built console via `npm start` (+ its sandbox), 500 screens on pending charges, payments through the sandbox",
        screens: SCREENS,
        paymentsPerSec: PAY_RATE,
        chargesCreatedIn: createSeconds,
        longPoll: long,
        poll1s: poll,
        consoleErrors,
        pass,
        machine: machine(),
      },
      `long-poll bench, ${SCREENS} screens × ${SECONDS} s, ${PAY_RATE} payments/s → ${pass ? "PASS" : "FAIL"} (0 errors, every paid screen woken)\n  ${line(long)}` +
        (poll ? `\n  ${line(poll)}` : ""),
    );
  } finally {
    if (process.env.BENCH_LOG === "1") console.error(server?.log());
    await mon.end({ timeout: 2 });
    await server?.stop();
  }
}

runBench(main);
