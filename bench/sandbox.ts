// Sandbox figures for the issue-4 note: requests/s and p50/p99 latency of POST /v1/charges and
// GET /v1/charges/{id} under load, and webhook delivery lag from a state change (sim pay) to the first POST
// arriving at a local receiver. Localhost only, bounded loops.
//
//   npx tsx bench/sandbox.ts                 # 20 clients × 10 s per endpoint, 200 payments, persisted state
//   npx tsx bench/sandbox.ts --memory        # the same with in-memory state (no dataDir)
//   BENCH_CLIENTS=20 BENCH_SECONDS=10 BENCH_PAYMENTS=200 npx tsx bench/sandbox.ts
//
// The sandbox runs in a child process (as `npm run sandbox` does), so the load generator does not share its
// event loop. With persisted state (the default, like `npm run sandbox`) every write rewrites state.json.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PAYMENTS = Number(process.env.BENCH_PAYMENTS ?? 200);
/** hard cap per phase, whatever the duration */
const MAX_REQUESTS = 2_000_000;

// ---------------------------------------------------------------- child: the sandbox itself

async function serve(): Promise<void> {
  const { startSandbox } = await import("../lib/pingpp-sandbox");
  const dataDir = process.env.BENCH_DATA_DIR || undefined;
  const sb = await startSandbox({ port: 0, dataDir, webhookUrl: process.env.BENCH_WEBHOOK_URL });
  process.stdout.write(`${JSON.stringify({ url: sb.url, apiKey: sb.apiKey, appId: sb.appId })}\n`);
  const stop = () => void sb.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

// ---------------------------------------------------------------- driver

interface Target {
  url: string;
  apiKey: string;
  appId: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 2 });

function request(t: Target, method: string, p: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      t.url + p,
      {
        method,
        agent,
        timeout: 10_000,
        headers: {
          authorization: `Bearer ${t.apiKey}`,
          ...(payload
            ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(payload);
  });
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

interface PhaseResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

async function load(name: string, one: (i: number) => Promise<boolean>): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const client = async () => {
    while (performance.now() < deadline && n < MAX_REQUESTS) {
      const i = n++;
      const t0 = performance.now();
      let ok = false;
      try {
        ok = await one(i);
      } catch {
        ok = false;
      }
      latencies.push(performance.now() - t0);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
  };
}

let seq = 0;
const chargeBody = (appId: string) => ({
  order_no: `B${Date.now()}${seq++}`,
  app: { id: appId },
  channel: "alipay_qr",
  amount: 100,
  currency: "cny",
  client_ip: "127.0.0.1",
  subject: "bench",
  body: "bench",
});

async function webhookLag(
  t: Target,
  receiver: Receiver,
): Promise<{ n: number; missing: number; p50: number; p99: number; max: number }> {
  // charges made first, so the timed part is only: state change → first webhook POST
  const ids: string[] = [];
  for (let i = 0; i < PAYMENTS; i++) {
    const r = await request(t, "POST", "/v1/charges", chargeBody(t.appId));
    ids.push((r.json as { id: string }).id);
  }
  const lags: number[] = [];
  let missing = 0;
  for (const id of ids) {
    const arrived = receiver.waitFor(id, 5_000);
    const t0 = performance.now();
    const r = await request(t, "POST", `/_sim/charges/${id}/pay`, {});
    if (r.status !== 200) throw new Error(`sim pay → ${r.status}`);
    const at = await arrived;
    if (at === null) missing++;
    else lags.push(at - t0);
  }
  lags.sort((a, b) => a - b);
  return { n: lags.length, missing, p50: pct(lags, 0.5), p99: pct(lags, 0.99), max: lags[lags.length - 1] ?? NaN };
}

interface Receiver {
  url: string;
  waitFor(chargeId: string, timeoutMs: number): Promise<number | null>;
  close(): Promise<void>;
}

/** Answers 200 at once; records when the first POST about each charge arrived (performance.now()). */
async function startReceiver(): Promise<Receiver> {
  const firstSeen = new Map<string, number>();
  const waiters = new Map<string, (t: number) => void>();
  const server = http.createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      res.writeHead(200).end("OK");
      try {
        const ev = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          type: string;
          data: { object: { id: string } };
        };
        if (ev.type !== "charge.succeeded") return;
        const id = ev.data.object.id;
        if (firstSeen.has(id)) return;
        firstSeen.set(id, at);
        waiters.get(id)?.(at);
      } catch {
        // not an event: ignore
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    waitFor(id, timeoutMs) {
      const seen = firstSeen.get(id);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(id);
          resolve(null);
        }, timeoutMs);
        waiters.set(id, (t) => {
          clearTimeout(timer);
          waiters.delete(id);
          resolve(t);
        });
      });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function spawnSandbox(
  webhookUrl: string,
  dataDir: string | undefined,
): Promise<{ target: Target; child: ChildProcess }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ["--import", "tsx", self, "--serve"], {
    cwd: path.resolve(path.dirname(self), ".."),
    env: { ...process.env, BENCH_WEBHOOK_URL: webhookUrl, BENCH_DATA_DIR: dataDir ?? "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const target = await new Promise<Target>((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("sandbox did not start within 30 s")), 30_000);
    child.stdout?.on("data", (c: Buffer) => {
      buf += c.toString("utf8");
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(buf.slice(0, nl)) as Target);
      }
    });
    child.on("exit", (code) => reject(new Error(`sandbox exited (${code})`)));
  });
  return { target, child };
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main(): Promise<void> {
  const memory = process.argv.includes("--memory");
  const dataDir = memory ? undefined : mkdtempSync(path.join(os.tmpdir(), "bench-sandbox-"));
  const receiver = await startReceiver();
  const { target, child } = await spawnSandbox(receiver.url, dataDir);
  try {
    const cpu = os.cpus();
    console.log(
      `sandbox bench · node ${process.version} · ${cpu.length}× ${cpu[0]?.model ?? "cpu"} · ${CLIENTS} clients × ${SECONDS} s · ` +
        `state ${memory ? "in memory" : "persisted (dataDir, like npm run sandbox)"} · load average ${os
          .loadavg()
          .map((x) => x.toFixed(1))
          .join(" ")}`,
    );
    // warm-up (JIT, first key use)
    for (let i = 0; i < 50; i++) await request(target, "POST", "/v1/charges", chargeBody(target.appId));

    const created: string[] = [];
    const post = await load("POST /v1/charges", async () => {
      const r = await request(target, "POST", "/v1/charges", chargeBody(target.appId));
      if (r.status === 200) created.push((r.json as { id: string }).id);
      return r.status === 200;
    });
    const get = await load("GET /v1/charges/{id}", async (i) => {
      const id = created[i % created.length];
      const r = await request(target, "GET", `/v1/charges/${id}`);
      return r.status === 200;
    });
    for (const p of [post, get]) {
      console.log(
        `${p.name.padEnd(22)} ${p.rps.toFixed(0).padStart(6)} req/s  p50 ${ms(p.p50)}  p99 ${ms(p.p99)}  (${p.requests} requests in ${p.seconds.toFixed(1)} s, ${p.errors} errors)`,
      );
    }
    const lag = await webhookLag(target, receiver);
    console.log(
      `webhook lag (sim pay → first POST at receiver, ${lag.n} payments${lag.missing ? `, ${lag.missing} missing` : ""}): p50 ${ms(lag.p50)}  p99 ${ms(lag.p99)}  max ${ms(lag.max)}`,
    );
    console.log(`(${created.length} charges in the sandbox at the end of the POST phase)`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await receiver.close();
    agent.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--serve")) {
  void serve();
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
