/**
 * What `npm run dev` and `npm start` do before Next.js serves a request:
 * validate configuration, migrate the database, create the first admin, and (when no
 * Ping++ key is configured) start the built-in Ping++ sandbox and point the console at it.
 */
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import cluster from "node:cluster";
import { ConfigError, parseEnv, DATA_DIR, SANDBOX_PUBLIC_KEY_FILE } from "../lib/env";

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
  // PGlite allows one process per data directory: hand it over to the Next.js server.
  await closeDb();

  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  if (config.pingpp.mode === "sandbox") {
    const { startSandbox } = await import("../lib/pingpp-sandbox");
    const sandbox = await startSandbox({
      port: Number(process.env.PINGPP_SANDBOX_PORT ?? 4010),
      host: process.env.PINGPP_SANDBOX_HOST ?? "127.0.0.1",
      dataDir: path.join(DATA_DIR, "sandbox"),
      webhookUrl: `http://127.0.0.1:${port}/api/webhooks/pingpp`,
      publicUrl: process.env.PINGPP_SANDBOX_PUBLIC_URL,
      timeScale: process.env.PINGPP_SANDBOX_TIME_SCALE ? Number(process.env.PINGPP_SANDBOX_TIME_SCALE) : undefined,
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
  const args = [...nextArgs, "-p", String(port)];
  const workers = nextArgs[0] === "start" ? config.webConcurrency : 1;
  if (workers > 1 && !config.databaseUrl) {
    console.error("\n✖ WEB_CONCURRENCY: more than 1 server process needs DATABASE_URL (the embedded PGlite allows one process)\n");
    process.exit(1);
  }
  if (workers > 1) return serveClustered(nextBin, args, workers, childEnv, config.databasePoolMax);
  const child = spawn(process.execPath, [nextBin, ...args], { stdio: "inherit", env: childEnv });
  const stop = (sig: NodeJS.Signals) => child.kill(sig);
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  child.on("exit", (code) => process.exit(code ?? 0));
}

/**
 * WEB_CONCURRENCY > 1: this process becomes a node:cluster primary and runs `next start` in
 * that many workers, which share the port (the primary hands out connections). Every piece
 * of state lives in Postgres (throttles, claims, idempotency keys, advisory locks), so the
 * workers are simply several instances of the console. A worker that dies is replaced.
 */
function serveClustered(nextBin: string, args: string[], workers: number, env: NodeJS.ProcessEnv, poolMax: number): void {
  // The workers run Next.js itself: without this process's own flags (--conditions=react-server).
  cluster.setupPrimary({ exec: nextBin, args, execArgv: [] });
  let stopping = false;
  const recentDeaths: number[] = [];
  let restart: NodeJS.Timeout | undefined;
  for (let i = 0; i < workers; i++) cluster.fork(env);
  console.log(`• ${workers} Next.js server processes (WEB_CONCURRENCY), up to ${workers * poolMax} database connections`);
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // One crash is replaced; a server that keeps dying (no build, port taken, bad config) stops everything.
    const now = Date.now();
    recentDeaths.push(now);
    while (recentDeaths.length && recentDeaths[0]! < now - 60_000) recentDeaths.shift();
    if (recentDeaths.length > workers * 2) {
      console.error(`✖ server processes keep ending (${recentDeaths.length} in a minute); stopping`);
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
      process.exit(1);
    }
    console.error(`✖ server process ${worker.process.pid} ended (${signal ?? code}); starting another`);
    restart = setTimeout(() => !stopping && cluster.fork(env), 500);
  });
  const stop = (sig: NodeJS.Signals) => {
    stopping = true;
    clearTimeout(restart);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(sig);
    setTimeout(() => process.exit(1), 10_000).unref(); // workers that would not stop
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
