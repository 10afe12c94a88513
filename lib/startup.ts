/**
 * What a console server process does once, before it serves a request (instrumentation.ts →
 * register(); the same under `npm start`, the Docker image and `npm run dev`): validate the
 * configuration, point the console at the built-in Ping++ sandbox when no key is set (starting it
 * in this process), migrate the database (under the advisory lock in lib/db, so several instances
 * starting together migrate once), create the first admin, and start the background scheduler.
 * (A dropped database connection cannot end the process: postgres.js is patched for that,
 * patches/postgres+*.patch.)
 */
import fs from "node:fs";
import path from "node:path";
import { boxed } from "./boxed";
import { ConfigError, parseEnv, resetEnv, DATA_DIR, SANDBOX_PUBLIC_KEY_FILE, type Env } from "./env";

const g = globalThis as unknown as { __consoleStarted?: Promise<void> };

/** Once per process (`next dev` may load instrumentation again after an edit). */
export function startConsole(): Promise<void> {
  g.__consoleStarted ??= start();
  return g.__consoleStarted;
}

async function start(): Promise<void> {
  const config = configOrExit();
  // The port this server listens on (`next start -p`, the standalone server's PORT, `next dev`'s default).
  const port = Number(process.env.PORT || 3000);

  if (config.pingpp.mode === "sandbox") {
    await startSandboxHere(port);
    resetEnv(); // read the configuration again: the console now talks to its sandbox
  } else {
    console.log(`• Ping++ ${config.pingpp.mode} mode, API ${config.pingpp.apiBase}`);
  }

  const { dbKind } = await import("./db");
  try {
    console.log(`• database: ${await dbKind()}${config.databaseUrl ? "" : ` (${config.pgliteDataDir})`}`);
  } catch (e) {
    console.error(`\n✖ DATABASE_URL: cannot connect or migrate: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const { ensureInitialAdmin } = await import("./services/staff");
  const admin = await ensureInitialAdmin();
  if (admin?.generatedPassword) {
    console.log(`• first admin created: ${admin.email} (its password is printed once the server is ready)`);
    printWhenReady(port, firstAdminBox(admin.email, admin.generatedPassword));
  } else if (admin) {
    console.log(`• first admin created: ${admin.email}`);
  }

  // The background jobs (lib/jobs): every instance runs the scheduler; each run is claimed in
  // Postgres, so N instances never run one twice. A bad JOBS_TICK_MS stops start-up like any setting.
  const { startScheduler } = await import("./jobs");
  try {
    startScheduler();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`\n✖ ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

function firstAdminBox(email: string, password: string): string {
  return (
    "\n" +
    boxed([
      "First admin created. Log in with:",
      "",
      `  e-mail:   ${email}`,
      `  password: ${password}`,
      "",
      "Shown only this once: you will be asked to choose your own password.",
      "Lost it? npm run admin:reset -- <email>",
    ]) +
    "\n"
  );
}

/**
 * Print after the framework's own start-up banner, so it is the last thing on the screen and not
 * scrolled away: Next.js prints "Ready" after register() returns, then serves; this waits until
 * the server answers (or at most a minute), then prints.
 */
function printWhenReady(port: number, text: string): void {
  const started = Date.now();
  const tryOnce = () => {
    fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2_000) })
      .then(
        () => true,
        () => false,
      )
      .then((up) => {
        if (up || Date.now() - started > 60_000) setTimeout(() => console.log(text), 100);
        else setTimeout(tryOnce, 250);
      });
  };
  setTimeout(tryOnce, 250);
}

/** The configuration, or start-up stops with a message naming the bad variable. */
function configOrExit(): Env {
  try {
    return parseEnv();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`\n✖ ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

/**
 * No Ping++ key: the built-in sandbox (lib/pingpp-sandbox) in this process, its state and key
 * under <CONSOLE_DATA_DIR>/sandbox, delivering its signed webhooks to this server over HTTP.
 * The console then talks to it as it would to Ping++ (PINGPP_API_BASE, PINGPP_PUBLIC_KEY).
 */
async function startSandboxHere(port: number): Promise<void> {
  const { startSandbox } = await import("./pingpp-sandbox");
  const webhookUrl = `http://127.0.0.1:${port}/api/webhooks/pingpp`;
  const sandbox = await startSandbox({
    port: Number(process.env.PINGPP_SANDBOX_PORT ?? 4010),
    host: process.env.PINGPP_SANDBOX_HOST ?? "127.0.0.1",
    dataDir: path.join(DATA_DIR, "sandbox"),
    webhookUrl,
    publicUrl: process.env.PINGPP_SANDBOX_PUBLIC_URL,
    timeScale: process.env.PINGPP_SANDBOX_TIME_SCALE ? Number(process.env.PINGPP_SANDBOX_TIME_SCALE) : undefined,
  }).catch((e: Error) => {
    console.error(`\n✖ PINGPP_SANDBOX_PORT: the Ping++ sandbox could not start: ${e.message}\n`);
    process.exit(1);
  });
  fs.mkdirSync(path.dirname(SANDBOX_PUBLIC_KEY_FILE), { recursive: true });
  fs.writeFileSync(SANDBOX_PUBLIC_KEY_FILE, sandbox.publicKeyPem);
  process.env.PINGPP_API_BASE = sandbox.url;
  process.env.PINGPP_PUBLIC_KEY = sandbox.publicKeyPem;
  console.log(`• Ping++ SANDBOX at ${sandbox.url} (app ${sandbox.appId}); webhooks → ${webhookUrl}`);
}
