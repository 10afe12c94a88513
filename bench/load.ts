/**
 * Issue 10/16 load: 200 Ping++ webhooks/s plus 500 long-polling cashier screens for 60 s,
 * together, against the built console (`npm start` = Next.js's standalone server, with its
 * in-process sandbox) on the real Postgres. Reports errors (target 0), p50/p99 of each, database
 * connections used and the console's CPU, and checks afterwards that every webhook was stored
 * once and applied once.
 *
 *   NEXT_DIST_DIR=.next-bench npx next build          # once
 *   createdb -h 127.0.0.1 -U postgres bench           # once
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npx tsx bench/load.ts
 *
 * The webhooks are charge.succeeded events for charges seeded in the database, signed with the
 * sandbox's own webhook key (what the sandbox would send; the console trusts exactly that key),
 * sent open-loop at a fixed rate (a slow console does not slow the sender down, as with Ping++).
 * The screens watch those same charges, as the cashier panel does: `GET
 * /api/charges/{id}/status?wait=25` with the last ETag, a new poll the moment each answer arrives;
 * a screen whose charge turns paid moves on to the next charge nobody watches yet (in the order the
 * webhooks go out, so each screen waits ~SCREENS/RATE s for its webhook and every webhook wakes one
 * screen). Screen figures: wake-up = webhook sent → that screen's "paid" answer, and the latency
 * of the answers that came back without waiting (first answers, already paid).
 * env: BENCH_WEBHOOK_RATE (200/s), BENCH_SCREENS (500), BENCH_SECONDS (60).
 */
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import {
  CONSOLE_PORT,
  DATABASE_URL,
  groupCpuSeconds,
  loginCookie,
  machine,
  report,
  sampleConnections,
  signedChargeEvents,
  chargeStatusRequest,
  startConsoleWithSandbox,
  webhookRequest,
  stats,
  type ConsoleServer,
  type Delivery,
  runBench,
} from "./lib";

const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 200);
const SCREENS = Number(process.env.BENCH_SCREENS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);

/**
 * Send `deliveries` at `RATE` per second from `start`, whatever the answers take; `sentAt[i]` /
 * `answeredAt[i]` get when delivery i went out and when its 200 came back (performance.now()).
 */
async function sendWebhooks(deliveries: Delivery[], start: number, sentAt: number[] = [], answeredAt: number[] = []) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const lat: number[] = [];
  const codes: Record<string, number> = {};
  const errors: string[] = [];
  const one = (d: Delivery, i: number) =>
    new Promise<void>((resolve) => {
      const s = performance.now();
      sentAt[i] = s;
      const req = http.request(webhookRequest(CONSOLE_PORT, agent, d, { timeout: 30_000 }), (res) => {
        res.resume();
        res.on("end", () => {
          lat.push(performance.now() - s);
          if (res.statusCode === 200) answeredAt[i] = performance.now();
          codes[res.statusCode ?? 0] = (codes[res.statusCode ?? 0] ?? 0) + 1;
          if (res.statusCode !== 200 && errors.length < 5) errors.push(String(res.statusCode));
          resolve();
        });
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => {
        codes[-1] = (codes[-1] ?? 0) + 1;
        if (errors.length < 5) errors.push(e.message);
        resolve();
      });
      req.end(d.body);
    });
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < deliveries.length; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(one(deliveries[i]!, i));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { lat, codes, errors };
}

/**
 * `SCREENS` cashier screens long-polling `chargeIds` in order: each watches the next charge nobody
 * watches yet, polls `?wait=25` with its last ETag again the moment an answer arrives, and moves on
 * when the answer says paid. Ends when every charge was seen paid, or at `until`.
 */
async function longPollScreens(o: { cookie: string; chargeIds: string[]; until: () => number }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SCREENS + 10 });
  const inflight = new Set<http.ClientRequest>();
  let stopping = false;
  const codes: Record<string, number> = {};
  const errors: string[] = [];
  const paidAt: number[] = []; // by charge index: when its screen got "paid"
  const quickLat: number[] = []; // answers that did not wait (first answers, already paid)
  const heldMs: number[] = []; // how long each answer was held (all answers)
  let requests = 0;
  let resets = 0;
  const get = (id: string, etag: string | undefined) =>
    chargeStatusRequest(
      { agent, cookie: o.cookie, inflight, stopping: () => stopping, wait: true, onReset: () => resets++ },
      id,
      etag,
    );
  let next = 0;
  const screen = async () => {
    for (let i = next++; i < o.chargeIds.length && !stopping; i = next++) {
      let etag: string | undefined;
      let first = true;
      while (!stopping) {
        const s = performance.now();
        const r = await get(o.chargeIds[i]!, etag);
        if (r.code === -1 && r.error === "stopped") return;
        const took = performance.now() - s;
        requests++;
        heldMs.push(took);
        codes[r.code] = (codes[r.code] ?? 0) + 1;
        if (r.code !== 200 && r.code !== 304) {
          if (errors.length < 5) errors.push(`${r.code} ${r.error ?? ""}`);
          await sleep(1000); // the panel's fallback
          continue;
        }
        if (first || r.status === "paid") quickLat.push(took);
        first = false;
        etag = r.etag;
        if (r.status === "paid") {
          paidAt[i] = performance.now();
          break;
        }
      }
    }
  };
  const screens = Array.from({ length: SCREENS }, () => screen());
  const all = Promise.all(screens);
  const stopAt = async () => {
    for (;;) {
      const wait = o.until() - performance.now();
      if (wait <= 0) break;
      await Promise.race([all, sleep(Math.min(wait, 500))]);
      if (next >= o.chargeIds.length + SCREENS) break; // every screen ran out of charges
    }
    stopping = true;
    for (const req of inflight) req.destroy();
  };
  await Promise.all([all, stopAt()]);
  agent.destroy();
  return { codes, errors, paidAt, quickLat, heldMs, requests, resets, started: Math.min(next, o.chargeIds.length) };
}

async function main() {
  let server: ConsoleServer | undefined;
  const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
  try {
    // the in-process sandbox (no key), with the app id the seeded charges and their events carry (bench/lib.ts
    // signedChargeEvents)
    server = await startConsoleWithSandbox({ PINGPP_APP_ID: "app_Bench00000000001" });
    // the key the in-process sandbox signs its webhooks with (bench/lib.ts startConsole's data dir)
    const keyFile = path.join(os.tmpdir(), "pingpp-console-bench-data", "sandbox", "sandbox_rsa_private_key.pem");
    const privateKey = fs.readFileSync(keyFile, "utf8");
    const cookie = await loginCookie(server.url);
    const tag = Date.now().toString(36).slice(-5);
    const events = (ds: Delivery[]) =>
      ds.map((d) => JSON.parse(d.body.toString()) as { id: string; data: { object: { id: string } } });
    /** The console's ids of the charges `ds` pay, in the same order. */
    const chargeIdsOf = async (ds: Delivery[]) => {
      const chIds = events(ds).map((e) => e.data.object.id);
      const rows = await sql`select id, pingpp_id from charges where pingpp_id = any(${chIds})`;
      const byCh = new Map(rows.map((r) => [r.pingpp_id as string, r.id as string]));
      return chIds.map((ch) => byCh.get(ch)!);
    };
    // warm-up: a few webhooks with screens watching them, so the first measured second is not the server compiling
    // routes
    {
      const w = await signedChargeEvents(sql, `${tag}w`, 100, privateKey);
      const ids = await chargeIdsOf(w);
      const until = performance.now() + 15_000;
      const watching = longPollScreens({ cookie, chargeIds: ids, until: () => until });
      await sleep(1000);
      await sendWebhooks(w, performance.now());
      await watching;
    }
    const deliveries = await signedChargeEvents(sql, `${tag}l`, RATE * SECONDS, privateKey);
    const chargeIds = await chargeIdsOf(deliveries);

    const sentAt: number[] = [];
    const answeredAt: number[] = [];
    let sendersDone = Infinity;
    // the screens start first: each has its first answer (pending) and is waiting when the webhooks begin
    const watching = longPollScreens({ cookie, chargeIds, until: () => sendersDone + 30_000 });
    await sleep(3000);
    const conn = sampleConnections(sql);
    const cpu0 = groupCpuSeconds(server.child.pid!);
    const start = performance.now() + 100;
    const hooks = await sendWebhooks(deliveries, start, sentAt, answeredAt);
    sendersDone = performance.now();
    const hooksElapsed = (sendersDone - start) / 1000;
    const screens = await watching;
    const elapsed = (performance.now() - start) / 1000;
    const cpuSeconds = groupCpuSeconds(server.child.pid!) - cpu0;
    const db = await conn.stop();

    // every webhook stored once and applied once; every charge paid
    await sleep(200);
    const evtIds = events(deliveries).map((e) => e.id);
    const [e] =
      await sql`select count(*)::int as n, count(*) filter (where status = 'applied')::int as applied, coalesce(max(receive_count), 0)::int as max_received from pingpp_events where id = any(${evtIds})`;
    const [c] =
      await sql`select count(*) filter (where status = 'paid')::int as paid from charges where id = any(${chargeIds})`;

    const h = stats(hooks.lat);
    const woken = screens.paidAt
      .map((t, i) => (t === undefined || sentAt[i] === undefined ? undefined : t - sentAt[i]!))
      .filter((x): x is number => x !== undefined);
    const fromAnswer = screens.paidAt
      .map((t, i) => (t === undefined || answeredAt[i] === undefined ? undefined : t - answeredAt[i]!))
      .filter((x): x is number => x !== undefined);
    const wake = stats(woken);
    const wakeFromAnswer = stats(fromAnswer);
    const quick = stats(screens.quickLat);
    const seenPaid = screens.paidAt.filter((t) => t !== undefined).length;
    const bad = (codes: Record<string, number>, ok: string[]) =>
      Object.entries(codes)
        .filter(([k]) => !ok.includes(k))
        .reduce((x, [, v]) => x + v, 0);
    const webhookErrors = bad(hooks.codes, ["200"]);
    const pollErrors = bad(screens.codes, ["200", "304"]);
    const checks = {
      events: deliveries.length,
      stored: e!.n as number,
      applied: e!.applied as number,
      maxReceiveCount: e!.max_received as number,
      chargesPaid: c!.paid as number,
      screensSawPaid: seenPaid,
    };
    const lost = checks.events - checks.applied;
    const pass =
      webhookErrors === 0 &&
      pollErrors === 0 &&
      lost === 0 &&
      checks.stored === checks.events &&
      checks.maxReceiveCount === 1 &&
      checks.chargesPaid === checks.events &&
      seenPaid === checks.events;
    report(
      {
        bench: "load",
        mode: "built console via `npm start` (Next.js's standalone server), real Postgres, screens long-polling (?wait=25) the charges the webhooks pay",
        seconds: Math.round(elapsed * 10) / 10,
        webhooks: {
          wantedPerSec: RATE,
          sent: deliveries.length,
          perSec: Math.round(deliveries.length / hooksElapsed),
          codes: hooks.codes,
          errors: webhookErrors,
          errorSamples: hooks.errors,
          latencyMs: h,
        },
        screens: {
          screens: SCREENS,
          requests: screens.requests,
          perSec: Math.round(screens.requests / elapsed),
          codes: screens.codes,
          errors: pollErrors,
          errorSamples: screens.errors,
          keepAliveResetsRetried: screens.resets,
          wakeUpFromWebhookSentMs: wake,
          wakeUpFromWebhookAnsweredMs: wakeFromAnswer,
          unheldAnswerLatencyMs: quick,
        },
        checks,
        pass,
        dbConnections: { ...db, poolMaxSettingPerProcess: Number(process.env.DATABASE_POOL_MAX ?? 10) },
        consoleCpuPercent: Math.round((cpuSeconds / elapsed) * 1000) / 10,
        // what the console itself logged about failed requests (its route/webhook error lines), if any
        consoleErrors: server
          .log()
          .split("\n")
          .filter((l) => /^(\[(webhook|route|serve|proxy|jobs?)\]|\s+at |[A-Za-z]*Error)/.test(l))
          .slice(0, 20),
        machine: machine(),
      },
      `load: ${deliveries.length} webhooks at ${RATE}/s + ${SCREENS} screens long-polling them, ${Math.round(elapsed)} s → ${pass ? "PASS" : "FAIL"} · webhooks ${Math.round(deliveries.length / hooksElapsed)}/s served, p50 ${h.p50} ms, p99 ${h.p99} ms, errors ${webhookErrors}` +
        ` · screens ${screens.requests} answers, errors ${pollErrors}, wake-up (webhook sent → screen paid) p50 ${wake.p50} ms, p99 ${wake.p99} ms (from the webhook's 200: p50 ${wakeFromAnswer.p50}, p99 ${wakeFromAnswer.p99}), unheld answers p50 ${quick.p50} ms p99 ${quick.p99} ms` +
        ` · stored ${checks.stored}, applied ${checks.applied} (lost ${lost}, max receive count ${checks.maxReceiveCount}), charges paid ${checks.chargesPaid}, screens saw paid ${seenPaid} · DB connections max ${db.max} (active ≤ ${db.maxActive}) · console CPU ${Math.round((cpuSeconds / elapsed) * 100)}% · load ${machine().loadavg1}`,
    );
  } finally {
    await server?.stop();
    await sql.end({ timeout: 2 });
  }
}

runBench(main);
