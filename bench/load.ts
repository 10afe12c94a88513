/**
 * Issue 10 load: 200 Ping++ webhooks/s plus 500 polling cashier screens for 60 s, together,
 * against the built console (`npm start`, with its in-process sandbox) on the real Postgres.
 * Reports errors (target 0), p50/p99 of each, database connections used and the console's CPU,
 * and checks afterwards that every webhook was stored once and applied.
 *
 *   NEXT_DIST_DIR=.next-bench npx next build          # once
 *   createdb -h 127.0.0.1 -U postgres bench           # once
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench node --conditions=react-server --import tsx bench/load.ts
 *
 * The webhooks are charge.succeeded events for charges seeded in the database, signed with the
 * sandbox's own webhook key (what the sandbox would send; the console trusts exactly that key),
 * sent open-loop at a fixed rate (a slow console does not slow the sender down, as with Ping++).
 * The screens poll charges created through the console's service, still pending, so
 * reconcile-on-poll asks the sandbox about each at most once per ~5 s, as on real screens.
 * env: BENCH_WEBHOOK_RATE (200/s), BENCH_SCREENS (500), BENCH_SECONDS (60).
 */
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { createPollCharges } from "./app";
import {
  CONSOLE_PORT,
  DATABASE_URL,
  groupCpuSeconds,
  loginCookie,
  machine,
  pollScreens,
  report,
  sampleConnections,
  signedChargeEvents,
  startConsole,
  stats,
  type ConsoleServer,
  type Delivery,
  runBench,
} from "./lib";

const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 200);
const SCREENS = Number(process.env.BENCH_SCREENS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);

/** Send `deliveries` at `RATE` per second from `start`, whatever the answers take. */
async function sendWebhooks(deliveries: Delivery[], start: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const lat: number[] = [];
  const codes: Record<string, number> = {};
  const errors: string[] = [];
  const one = (d: Delivery) =>
    new Promise<void>((resolve) => {
      const s = performance.now();
      const req = http.request(
        {
          host: "127.0.0.1",
          port: CONSOLE_PORT,
          path: "/api/webhooks/pingpp",
          method: "POST",
          agent,
          timeout: 30_000,
          headers: { "content-type": "application/json", "content-length": d.body.length, "x-pingplusplus-signature": d.signature },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            lat.push(performance.now() - s);
            codes[res.statusCode ?? 0] = (codes[res.statusCode ?? 0] ?? 0) + 1;
            if (res.statusCode !== 200 && errors.length < 5) errors.push(String(res.statusCode));
            resolve();
          });
        },
      );
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
    inFlight.push(one(deliveries[i]!));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { lat, codes, errors };
}

async function main() {
  let server: ConsoleServer | undefined;
  const sql = postgres(DATABASE_URL, { max: 2, onnotice: () => {} });
  try {
    server = await startConsole({ PINGPP_API_KEY: "", PINGPP_PUBLIC_KEY: "", PINGPP_PUBLIC_KEY_PATH: "", PINGPP_API_BASE: "" });
    // the key the in-process sandbox signs its webhooks with (bench/lib.ts startConsole's data dir)
    const keyFile = path.join(os.tmpdir(), "pingpp-console-bench-data", "sandbox", "sandbox_rsa_private_key.pem");
    const privateKey = fs.readFileSync(keyFile, "utf8");
    const cookie = await loginCookie(server.url);
    const screens = await createPollCharges(SCREENS);
    const tag = Date.now().toString(36).slice(-5);
    const deliveries = await signedChargeEvents(sql, `${tag}l`, RATE * SECONDS, privateKey);
    // warm-up: a few of each, so the first measured second is not the server compiling routes
    await signedChargeEvents(sql, `${tag}w`, 50, privateKey).then((w) => sendWebhooks(w, performance.now()));
    await pollScreens({ port: CONSOLE_PORT, cookie, ids: screens.slice(0, 50).map((c) => c.id), start: performance.now(), seconds: 2 });

    const conn = sampleConnections(sql);
    const cpu0 = groupCpuSeconds(server.child.pid!);
    const start = performance.now() + 100;
    const [hooks, polls] = await Promise.all([
      sendWebhooks(deliveries, start),
      pollScreens({ port: CONSOLE_PORT, cookie, ids: screens.map((c) => c.id), start, seconds: SECONDS }),
    ]);
    const elapsed = (performance.now() - start) / 1000;
    const cpuSeconds = groupCpuSeconds(server.child.pid!) - cpu0;
    const db = await conn.stop();

    // every webhook stored once and applied; every charge paid
    await sleep(200);
    const evtIds = deliveries.map((d) => (JSON.parse(d.body.toString()) as { id: string }).id);
    const chIds = deliveries.map((d) => (JSON.parse(d.body.toString()) as { data: { object: { id: string } } }).data.object.id);
    const [e] = await sql`select count(*)::int as n, count(*) filter (where status = 'applied')::int as applied, coalesce(max(receive_count), 0)::int as max_received from pingpp_events where id = any(${evtIds})`;
    const [c] = await sql`select count(*) filter (where status = 'paid')::int as paid from charges where pingpp_id = any(${chIds})`;

    const h = stats(hooks.lat);
    const p = stats(polls.lat);
    const pSteady = stats(polls.lat.filter((_, i) => polls.at[i]! >= 10));
    const bad = (codes: Record<string, number>, ok: string[]) => Object.entries(codes).filter(([k]) => !ok.includes(k)).reduce((a, [, v]) => a + v, 0);
    const webhookErrors = bad(hooks.codes, ["200"]);
    const pollErrors = bad(polls.codes, ["200", "304"]);
    const checks = { events: deliveries.length, stored: e!.n as number, applied: e!.applied as number, maxReceiveCount: e!.max_received as number, chargesPaid: c!.paid as number };
    const lost = checks.events - checks.applied;
    report(
      {
        bench: "load",
        mode: "built console via `npm start` (Next.js's standalone server), real Postgres",
        seconds: Math.round(elapsed * 10) / 10,
        webhooks: { wantedPerSec: RATE, sent: deliveries.length, perSec: Math.round(deliveries.length / elapsed), codes: hooks.codes, errors: webhookErrors, errorSamples: hooks.errors, latencyMs: h },
        polls: { screens: SCREENS, requests: p.n, perSec: Math.round(p.n / elapsed), codes: polls.codes, errors: pollErrors, errorSamples: polls.errors, keepAliveResetsRetried: polls.resets, latencyMs: p, afterFirst10s: pSteady },
        checks,
        dbConnections: { ...db, poolMaxSettingPerProcess: Number(process.env.DATABASE_POOL_MAX ?? 10) },
        consoleCpuPercent: Math.round((cpuSeconds / elapsed) * 1000) / 10,
        // what the console itself logged about failed requests (its route/webhook/proxy error lines), if any
        consoleErrors: server.log().split("\n").filter((l) => /^(\[(webhook|route|serve|proxy)\]|\s+at |[A-Za-z]*Error)/.test(l)).slice(0, 20),
        machine: machine(),
      },
      `load: ${deliveries.length} webhooks at ${RATE}/s + ${SCREENS} screens polling, ${Math.round(elapsed)} s · webhooks ${Math.round(deliveries.length / elapsed)}/s served, p50 ${h.p50} ms, p99 ${h.p99} ms, errors ${webhookErrors} · polls ${Math.round(p.n / elapsed)}/s served, p50 ${p.p50} ms, p99 ${p.p99} ms (after the first 10 s ${pSteady.p99} ms), errors ${pollErrors}` +
        ` · stored ${checks.stored}, applied ${checks.applied} (lost ${lost}), charges paid ${checks.chargesPaid} · DB connections max ${db.max} (active ≤ ${db.maxActive}) · console CPU ${Math.round((cpuSeconds / elapsed) * 100)}%`,
    );
  } finally {
    await server?.stop();
    await sql.end({ timeout: 2 });
  }
}

runBench(main);
