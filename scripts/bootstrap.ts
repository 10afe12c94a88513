/**
 * What `npm run dev` and `npm start` do before Next.js serves a request:
 * validate configuration, migrate the database, create the first admin, and (when no
 * Ping++ key is configured) start the built-in Ping++ sandbox and point the console at it.
 */
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import cluster from "node:cluster";
import net from "node:net";
import { ConfigError, parseEnv, resetEnv, DATA_DIR, SANDBOX_PUBLIC_KEY_FILE } from "../lib/env";

export async function bootstrap(nextArgs: string[]): Promise<void> {
  let config;
  try {
    config = parseEnv();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`\n✖ ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const port = Number(process.env.PORT ?? 3000);

  const { dbKind, closeDb } = await import("../lib/db");
  const { ensureInitialAdmin } = await import("../lib/services/staff");
  try {
    console.log(`• database: ${await dbKind()} ${config.databaseUrl ? "" : `(${config.pgliteDataDir})`}`);
  } catch (e) {
    console.error(`\n✖ DATABASE_URL: cannot connect or migrate: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const admin = await ensureInitialAdmin();
  if (admin?.generatedPassword) {
    console.log(`\n  First admin created. Log in with:\n    e-mail:   ${admin.email}\n    password: ${admin.generatedPassword}\n  (shown only this once)\n`);
  } else if (admin) {
    console.log(`• first admin created: ${admin.email}`);
  }
  // PGlite allows one process per data directory: hand it over to the Next.js server. On Postgres,
  // `npm start` keeps this connection for the front's hot routes (no second migration check).
  if (!(nextArgs[0] === "start" && config.databaseUrl)) await closeDb();

  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  if (config.pingpp.mode === "sandbox") {
    // Its own process (scripts/sandbox.ts), as Ping++ is its own service: its RSA-signed answers
    // never hold up the event loop that serves the console.
    const sandbox = await startSandboxProcess({
      PINGPP_SANDBOX_DATA_DIR: path.join(DATA_DIR, "sandbox"),
      PINGPP_SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${port}/api/webhooks/pingpp`,
    });
    fs.mkdirSync(path.dirname(SANDBOX_PUBLIC_KEY_FILE), { recursive: true });
    fs.writeFileSync(SANDBOX_PUBLIC_KEY_FILE, sandbox.publicKeyPem);
    childEnv.PINGPP_API_BASE = sandbox.url;
    childEnv.PINGPP_PUBLIC_KEY = sandbox.publicKeyPem;
    console.log(`• Ping++ SANDBOX at ${sandbox.url} (app ${sandbox.appId}); webhooks → :${port}/api/webhooks/pingpp`);
  } else {
    console.log(`• Ping++ ${config.pingpp.mode} mode, API ${config.pingpp.apiBase}`);
  }

  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  if (nextArgs[0] !== "start") {
    // `npm run dev`: Next.js's dev server on the port, serving everything (hot reload included).
    const child = spawn(process.execPath, [nextBin, ...nextArgs, "-p", String(port)], { stdio: "inherit", env: childEnv });
    const stop = (sig: NodeJS.Signals) => child.kill(sig);
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    child.on("exit", (code) => process.exit(code ?? 0));
    return;
  }

  // `npm start`: Next.js listens on a private port; this process is the console's front on PORT
  // (lib/http/serve.ts): it answers the hot routes itself and hands everything else to Next.js.
  const inner = await freePort();
  // Next.js keeps an idle connection from the front 70 s; the front drops it after 60 (lib/http/proxy.ts).
  const args = ["start", "-p", String(inner), "-H", "127.0.0.1", "--keepAliveTimeout", "70000"];
  const workers = config.webConcurrency;
  if (workers > 1 && !config.databaseUrl) {
    console.error("\n✖ WEB_CONCURRENCY: more than 1 server process needs DATABASE_URL (the embedded PGlite allows one process)\n");
    process.exit(1);
  }

  // The hot routes run here, so this process needs the configuration Next.js is given (the sandbox's).
  for (const k of ["PINGPP_API_BASE", "PINGPP_PUBLIC_KEY"]) if (childEnv[k] !== undefined) process.env[k] = childEnv[k];
  resetEnv();
  const { createConsoleServer } = await import("../lib/http/serve");
  const { nextProxy } = await import("../lib/http/proxy");
  // With the embedded PGlite only one process may open the database: Next.js's. Then the front
  // hands every request over, the hot routes included (Next.js serves the same app/ handlers).
  const routes = config.databaseUrl ? (await import("./hot-routes")).HOT_ROUTES : [];
  const server = createConsoleServer(routes, nextProxy(`http://127.0.0.1:${inner}`));
  server.keepAliveTimeout = 65_000; // longer than a load balancer's idle timeout (60 s by default on most)
  server.headersTimeout = 66_000;
  // PORT first: when it is taken, start-up stops here, before any Next.js process exists. Until
  // Next.js listens, pages answer 503 "starting" (the hot routes already work).
  try {
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, resolve));
  } catch (e) {
    console.error(`\n✖ PORT ${port}: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const life = lifecycle(server);
  if (workers > 1) serveClustered(nextBin, args, workers, childEnv, config.databasePoolMax, life);
  else {
    const child = spawn(process.execPath, [nextBin, ...args], { stdio: "inherit", env: childEnv });
    life.onStop((sig) => child.kill(sig));
    process.on("exit", () => child.kill("SIGTERM")); // however this process ends, Next.js ends with it
    child.on("exit", (code) => void life.nextGone(code));
  }
  await listening(inner);
  console.log(`• console on :${port} (Next.js on 127.0.0.1:${inner}${routes.length ? `; ${routes.length} hot routes answered by the front` : ""})`);
}

/**
 * How the front and its Next.js process(es) stop together. SIGTERM/SIGINT: the front stops
 * accepting, Next.js is told to stop, and the process exits once the front's requests in flight
 * are answered (10 s at most). Next.js ending on its own, or the front failing, ends everything:
 * a supervisor (systemd, the container runtime) restarts the whole console, never half of it.
 */
function lifecycle(server: import("node:http").Server) {
  let stopping = false;
  const stoppers: ((sig: NodeJS.Signals) => void)[] = [];
  const closed = new Promise<void>((resolve) => server.once("close", resolve));
  const stop = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    server.close();
    for (const f of stoppers) f(sig);
    setTimeout(() => process.exit(1), 10_000).unref(); // something would not stop
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("uncaughtException", (e) => {
    console.error("✖ the console's front failed:", e);
    process.exit(1); // the exit handlers take Next.js and the sandbox along
  });
  return {
    get stopping() {
      return stopping;
    },
    onStop(f: (sig: NodeJS.Signals) => void) {
      stoppers.push(f);
    },
    async nextGone(code: number | null) {
      if (!stopping) {
        console.error(`✖ Next.js stopped (${code}); stopping the console`);
        process.exit(code || 1);
      }
      await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
      process.exit(0);
    },
  };
}

/** `npm run sandbox` as a child process; resolves with what the console needs once it listens. */
function startSandboxProcess(env: Record<string, string>): Promise<{ url: string; appId: string; publicKeyPem: string }> {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(process.cwd(), "scripts", "sandbox.ts")], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, ...env },
  });
  process.on("exit", () => child.kill("SIGTERM")); // the console going away takes its sandbox along
  return new Promise((resolve, reject) => {
    child.once("message", (m: { type: string; url: string; appId: string; publicKeyPem: string }) => {
      if (m.type !== "ready") return;
      // exit 0 is its own clean stop (the console stopping sends it SIGTERM too): only a failure is news
      child.on("exit", (code, signal) => code !== 0 && console.error(`✖ the Ping++ sandbox stopped (${signal ?? code})`));
      resolve(m);
    });
    child.once("exit", (code) => reject(new Error(`the Ping++ sandbox did not start (exit ${code})`)));
  });
}

/** A TCP port nothing listens on now, for Next.js behind the front. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on 127.0.0.1:port (Next.js has started). */
async function listening(port: number): Promise<void> {
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, "127.0.0.1");
      c.once("connect", () => (c.destroy(), resolve(true)));
      c.once("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * WEB_CONCURRENCY > 1: this process (the front) is also a node:cluster primary and runs `next
 * start` in that many workers, which share Next.js's private port (the primary hands out
 * connections). Every piece of state lives in Postgres (throttles, claims, idempotency keys,
 * advisory locks), so the workers are simply several instances of the console's pages and
 * actions. The hot routes stay in the front's one process: for more of those, run more
 * instances of the console behind a load balancer. A worker that dies is replaced.
 */
function serveClustered(nextBin: string, args: string[], workers: number, env: NodeJS.ProcessEnv, poolMax: number, life: ReturnType<typeof lifecycle>): void {
  // The workers run Next.js itself: without this process's own flags (--conditions=react-server).
  cluster.setupPrimary({ exec: nextBin, args, execArgv: [] });
  const recentDeaths: number[] = [];
  let restart: NodeJS.Timeout | undefined;
  for (let i = 0; i < workers; i++) cluster.fork(env);
  console.log(`• ${workers} Next.js server processes (WEB_CONCURRENCY), up to ${(workers + 1) * poolMax} database connections with the front's`);
  const killAll = (sig: NodeJS.Signals) => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(sig);
  };
  process.on("exit", () => killAll("SIGTERM"));
  cluster.on("exit", (worker, code, signal) => {
    if (life.stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) void life.nextGone(0);
      return;
    }
    // One crash is replaced; a server that keeps dying (no build, port taken, bad config) stops everything.
    const now = Date.now();
    recentDeaths.push(now);
    while (recentDeaths.length && recentDeaths[0]! < now - 60_000) recentDeaths.shift();
    if (recentDeaths.length > workers * 2) {
      console.error(`✖ server processes keep ending (${recentDeaths.length} in a minute); stopping`);
      process.exit(1);
    }
    console.error(`✖ server process ${worker.process.pid} ended (${signal ?? code}); starting another`);
    restart = setTimeout(() => !life.stopping && cluster.fork(env), 500);
  });
  life.onStop((sig) => {
    clearTimeout(restart);
    killAll(sig);
  });
}
