/**
 * Shared helpers of the benchmarks in bench/ (no app imports: usable with plain `npx tsx`).
 * Every bench: localhost only, bounded, stops by itself, prints one JSON line + one human line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createSign, randomUUID } from "node:crypto";
import http from "node:http";
import type postgres from "postgres";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/bench";
export const CONSOLE_PORT = Number(process.env.BENCH_PORT ?? 3500);
export const SANDBOX_PORT = Number(process.env.BENCH_SANDBOX_PORT ?? CONSOLE_PORT + 1000);
export const DIST_DIR = process.env.NEXT_DIST_DIR ?? ".next-bench";
export const CONSOLE_URL = `http://127.0.0.1:${CONSOLE_PORT}`;
export const SANDBOX_URL = `http://127.0.0.1:${SANDBOX_PORT}`;
export const BENCH_ADMIN = { email: "admin@bench.test", password: "bench-admin-password" };
export const AUTH_SECRET = "bench-auth-secret-0123456789abcdefghijklmnop";

if (!/^postgres(ql)?:\/\/[^/]*@?(127\.0\.0\.1|localhost)(:\d+)?\//.test(DATABASE_URL)) {
  throw new Error(`bench: DATABASE_URL must point at a local Postgres, got ${DATABASE_URL}`);
}

export interface ConsoleServer {
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
  log: () => string;
}

/**
 * The BUILT console (`NEXT_DIST_DIR=.next-bench npx next build` first) started exactly like
 * production: `npm start`, Next.js's standalone server (instrumentation.ts: migrations, first admin,
 * in-process sandbox unless PINGPP_API_KEY is set).
 */
export async function startConsole(extraEnv: Record<string, string> = {}): Promise<ConsoleServer> {
  if (!fs.existsSync(path.join(ROOT, DIST_DIR, "BUILD_ID"))) {
    throw new Error(`no build in ${DIST_DIR}: run \`NEXT_DIST_DIR=${DIST_DIR} npx next build\` first`);
  }
  await assertPortFree(CONSOLE_PORT);
  const dataDir = path.join(os.tmpdir(), "pingpp-console-bench-data"); // sandbox state; outside the checkout
  fs.rmSync(path.join(dataDir, "sandbox"), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(CONSOLE_PORT),
    HOSTNAME: "127.0.0.1", // where the standalone server listens
    NEXT_DIST_DIR: DIST_DIR,
    DATABASE_URL,
    CONSOLE_DATA_DIR: dataDir,
    PINGPP_SANDBOX_PORT: String(SANDBOX_PORT),
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    AUTH_SECRET,
    NEXT_TELEMETRY_DISABLED: "1",
    // e.g. BENCH_CHILD_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the console
    ...(process.env.BENCH_CHILD_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_CHILD_NODE_OPTIONS } : {}),
    ...extraEnv,
  };
  let out = "";
  const child = spawn("npm", ["start"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGTERM"); // the process group WE started (npm → Next.js's standalone server)
    } catch {
      return;
    }
    for (let i = 0; i < 50 && child.exitCode === null; i++) await sleep(100);
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  };
  process.once("exit", () => {
    try {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`console exited (${child.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${CONSOLE_URL}/api/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`console did not come up in 90 s:\n${out}`);
    }
    await sleep(250);
  }
  return { url: CONSOLE_URL, child, stop, log: () => out };
}

/**
 * The console with its in-process sandbox: no Ping++ key, public key or API base, whatever the
 * shell has set (`extraEnv` adds to that, e.g. the app id seeded charges carry).
 */
export function startConsoleWithSandbox(extraEnv: Record<string, string> = {}): Promise<ConsoleServer> {
  return startConsole({
    PINGPP_API_KEY: "",
    PINGPP_PUBLIC_KEY: "",
    PINGPP_PUBLIC_KEY_PATH: "",
    PINGPP_API_BASE: "",
    ...extraEnv,
  });
}

/**
 * The ceiling of any Next.js console on this machine: bench/next-ceiling is a minimal Next.js app
 * (built with `cd bench/next-ceiling && npx next build`). Its webhook route runs the baseline's
 * exact code (bench/webhook-baseline.ts: same verify, same SQL through postgres.js); its status
 * route does the console's two indexed reads through postgres.js (no cookie, no drizzle) and
 * answers JSON with an ETag. Whatever the console
 * does, its routes cannot beat these: they show how much of a gap is Next.js's own request
 * handling on this machine and how much is ours.
 */
export interface Ceiling {
  pgid: number;
  stop: () => Promise<void>;
}
export async function startCeiling(port: number, extraEnv: Record<string, string> = {}): Promise<Ceiling> {
  const dir = path.join(ROOT, "bench/next-ceiling");
  if (!fs.existsSync(path.join(dir, ".next/BUILD_ID")))
    throw new Error("no build in bench/next-ceiling: run `cd bench/next-ceiling && npx next build` first");
  await assertPortFree(port);
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: dir,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL, ...extraEnv },
      stdio: ["ignore", "pipe", "inherit"],
      detached: true,
    },
  );
  process.once("exit", () => child.exitCode === null && child.kill("SIGKILL"));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => /ready/i.test(d.toString()) && resolve());
    child.on("exit", (c) => reject(new Error(`next-ceiling exited ${c}`)));
  });
  return { pgid: child.pid!, stop: async () => void (child.kill("SIGTERM"), await sleep(300)) };
}

async function assertPortFree(port: number) {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
  } catch {
    return;
  }
  throw new Error(`port ${port} is already in use (another bench still running?)`);
}

/**
 * A session cookie through next-auth's own credentials flow (CSRF token → callback), the same
 * endpoints the login form ends up at.
 */
export async function loginCookie(
  base: string,
  email = BENCH_ADMIN.email,
  password = BENCH_ADMIN.password,
): Promise<string> {
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  keep(csrfRes);
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader() },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${base}/` }),
  });
  keep(res);
  const session = [...jar].find(([k]) => k.includes("authjs.session-token"));
  if (!session) throw new Error(`login failed: ${res.status} ${res.headers.get("location")}`);
  return `${session[0]}=${session[1]}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function stats(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    n: s.length,
    min: r(s[0] ?? NaN),
    p50: r(percentile(s, 50)),
    p90: r(percentile(s, 90)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s[s.length - 1] ?? NaN),
    mean: r(s.reduce((a, b) => a + b, 0) / (s.length || 1)),
  };
}

/** The one-line JSON summary + the human line every bench ends with. */
export function report(summary: Record<string, unknown>, human: string) {
  console.log(JSON.stringify(summary));
  console.log(human);
}

/** CPU seconds (user+sys) used so far by every process of a process group (Linux /proc). */
export function groupCpuSeconds(pgid: number): number {
  const tick = 100; // USER_HZ
  let total = 0;
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields after ")": state(0) ppid(1) pgrp(2) … utime(11) stime(12)
      if (Number(f[2]) === pgid) total += (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      /* exited */
    }
  }
  return total;
}

/** The machine's 1-minute load average and CPU count (other work on the box skews every figure). */
export const machine = () => ({ loadavg1: Math.round(os.loadavg()[0]! * 100) / 100, cpus: os.cpus().length });

export const rand = (alphabet: string, n: number) => {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
};
export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export interface Delivery {
  body: Buffer;
  signature: string;
}

/** The request that POSTs one signed delivery to the webhook route on `port` (send `d.body` as its body). */
export function webhookRequest(port: number, agent: http.Agent, d: Delivery, extra: http.RequestOptions = {}) {
  return {
    host: "127.0.0.1",
    port,
    path: "/api/webhooks/pingpp",
    method: "POST",
    agent,
    ...extra,
    headers: {
      "content-type": "application/json",
      "content-length": d.body.length,
      "x-pingplusplus-signature": d.signature,
    },
  } satisfies http.RequestOptions;
}

export interface StatusAnswer {
  code: number;
  etag?: string;
  status?: string;
  error?: string;
}

/**
 * One cashier screen's GET /api/charges/<id>/status (`?wait=25`: a long poll) with its last ETag, tracked in
 * `o.inflight` so a bench can abort what is still open; answers `{ code: -1, error: "stopped" }` once
 * `o.stopping()`. With `o.onReset`: a keep-alive socket the server closed as the request went out is retried
 * once, as a browser does.
 */
export function chargeStatusRequest(
  o: {
    agent: http.Agent;
    cookie: string;
    inflight: Set<http.ClientRequest>;
    stopping: () => boolean;
    wait: boolean;
    onReset?: () => void;
  },
  id: string,
  etag: string | undefined,
  retried = false,
): Promise<StatusAnswer> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: CONSOLE_PORT,
        path: `/api/charges/${id}/status${o.wait ? "?wait=25" : ""}`,
        agent: o.agent,
        headers: { cookie: o.cookie, accept: "application/json", ...(etag ? { "if-none-match": etag } : {}) },
        timeout: 35_000, // a long poll answers within 25 s
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => {
          o.inflight.delete(req);
          let status: string | undefined;
          if (res.statusCode === 200) status = (JSON.parse(body) as { status: string }).status;
          resolve({ code: res.statusCode ?? 0, etag: (res.headers.etag as string | undefined) ?? etag, status });
        });
      },
    );
    o.inflight.add(req);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => {
      o.inflight.delete(req);
      if (o.stopping()) resolve({ code: -1, error: "stopped" });
      else if (o.onReset && !retried && req.reusedSocket && e.code === "ECONNRESET") {
        o.onReset();
        resolve(chargeStatusRequest(o, id, etag, true));
      } else resolve({ code: -1, error: e.message });
    });
    req.end();
  });
}

/** `n` pending charges of our own (as the cashier would have created them) + a signed charge.succeeded each. */
export async function signedChargeEvents(
  sql: postgres.Sql,
  tag: string,
  n: number,
  privateKey: string,
): Promise<Delivery[]> {
  const now = Math.floor(Date.now() / 1000);
  const rows = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    pingpp_id: `ch_${rand(ALNUM, 24)}`,
    order_no: `bw${tag}${String(i).padStart(7, "0")}${rand("abcdefghjk", 4)}`.slice(0, 27),
    app_id: "app_Bench00000000001",
    channel: "alipay_qr",
    amount: 100 + (i % 5000),
    currency: "cny",
    subject: "bench",
    body: "bench webhook ingest",
    status: "pending",
    qr_payload: "https://qr.alipay.com/bench",
    // These charges exist only in the bench (neither Ping++ nor the sandbox knows them): marked as
    // just asked, so the background charge sync (lib/jobs) leaves them alone during the run instead
    // of calling an API that cannot answer for them, a cost no real charge would bring.
    last_synced_at: new Date(Date.now() + 24 * 3600_000),
  }));
  for (let i = 0; i < rows.length; i += 1000) await sql`insert into charges ${sql(rows.slice(i, i + 1000))}`;
  return rows.map((r) => {
    const event = {
      id: `evt_${rand(ALNUM, 24)}`,
      created: now,
      livemode: false,
      type: "charge.succeeded",
      data: {
        object: {
          id: r.pingpp_id,
          object: "charge",
          created: now - 30,
          livemode: false,
          paid: true,
          refunded: false,
          reversed: false,
          app: r.app_id,
          channel: r.channel,
          order_no: r.order_no,
          client_ip: "127.0.0.1",
          amount: r.amount,
          amount_settle: r.amount,
          currency: "cny",
          subject: r.subject,
          body: r.body,
          extra: {},
          time_paid: now,
          time_expire: now + 900,
          time_settle: null,
          transaction_no: `2026${rand("0123456789", 24)}`,
          refunds: { object: "list", url: `/v1/charges/${r.pingpp_id}/refunds`, has_more: false, data: [] },
          amount_refunded: 0,
          failure_code: null,
          failure_msg: null,
          metadata: { terminal_id: "T01", staff: "bench@bench.test" },
          credential: {},
          description: null,
        },
      },
      object: "event",
      pending_webhooks: 1,
      request: `iar_${rand(ALNUM, 24)}`,
    };
    const body = Buffer.from(JSON.stringify(event));
    return { body, signature: createSign("RSA-SHA256").update(body).sign(privateKey, "base64") };
  });
}

/** Database connections of the bench database, sampled every 500 ms until `stop()`. */
export function sampleConnections(sql: postgres.Sql) {
  const samples: { total: number; active: number; idleInTx: number }[] = [];
  let on = true;
  const done = (async () => {
    while (on) {
      const [r] = await sql`
        select count(*)::int as total,
               count(*) filter (where state = 'active')::int as active,
               count(*) filter (where state like 'idle in transaction%')::int as idle_in_tx
        from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
      samples.push({ total: r!.total as number, active: r!.active as number, idleInTx: r!.idle_in_tx as number });
      await sleep(500);
    }
  })();
  return {
    async stop() {
      on = false;
      await done;
      return {
        max: Math.max(...samples.map((c) => c.total)),
        maxActive: Math.max(...samples.map((c) => c.active)),
        maxIdleInTransaction: Math.max(...samples.map((c) => c.idleInTx)),
        samples: samples.length,
      };
    },
  };
}

/**
 * Cashier screens: each polls GET /api/charges/{id}/status once a second (not in step with the
 * others) with If-None-Match, as the browser's HTTP cache does, from `start` for `seconds`.
 * A screen that falls behind polls again at once, like a timer would.
 */
export async function pollScreens(o: { port: number; cookie: string; ids: string[]; start: number; seconds: number }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.ids.length });
  const lat: number[] = [];
  const at: number[] = []; // when each request started, s since `start`
  const codes: Record<string, number> = {};
  const errors: string[] = [];
  let resets = 0;
  // Like a browser: a keep-alive socket the server closed just as the request went out (ECONNRESET
  // on a reused socket) is retried once on a new one (Node's documented pattern); counted apart.
  const get = (id: string, etag: string | undefined, retried = false): Promise<{ code: number; etag?: string }> =>
    new Promise<{ code: number; etag?: string }>((resolve) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port: o.port,
          path: `/api/charges/${id}/status`,
          agent,
          headers: {
            cookie: o.cookie,
            accept: "application/json",
            "cache-control": "no-cache",
            ...(etag ? { "if-none-match": etag } : {}),
          },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on("end", () =>
            resolve({ code: res.statusCode ?? 0, etag: (res.headers.etag as string | undefined) ?? etag }),
          );
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && e.code === "ECONNRESET") {
          resets++;
          resolve(get(id, etag, true));
        } else resolve({ code: -1, etag: `${e.message}` });
      });
      req.end();
    });
  const end = o.start + o.seconds * 1000;
  await Promise.all(
    o.ids.map(async (id) => {
      let etag: string | undefined;
      let due = o.start + Math.random() * 1000;
      for (;;) {
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        if (performance.now() >= end) return;
        const s = performance.now();
        const r = await get(id, etag);
        lat.push(performance.now() - s);
        at.push((s - o.start) / 1000);
        codes[r.code] = (codes[r.code] ?? 0) + 1;
        if (r.code === 200 || r.code === 304) etag = r.etag;
        else if (errors.length < 5) errors.push(`${r.code} ${r.code === -1 ? r.etag : ""}`);
        due += 1000;
        if (due < performance.now()) due = performance.now();
      }
    }),
  );
  agent.destroy();
  return { lat, at, codes, errors, resets };
}

/** Run a bench's main(): exit 0 when it ends, 1 (with the error) when it throws. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
