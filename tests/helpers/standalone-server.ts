import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DIST_DIR = process.env.NEXT_DIST_DIR || ".next";

/**
 * Why the built standalone server cannot be started here (no build in NEXT_DIST_DIR), or null
 * when it can. Tests that need it skip with this reason: `npm run build` (or `next build` with
 * NEXT_DIST_DIR) first; CI runs them again after its build step.
 */
export const noStandaloneBuild: string | null = fs.existsSync(path.join(ROOT, DIST_DIR, "standalone", "server.js"))
  ? null
  : `no standalone build in ${DIST_DIR}/standalone (run \`npm run build\` first)`;

export interface StandaloneServer {
  pid: number;
  url: string;
  /** Still running (not exited or killed). */
  alive(): boolean;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The console exactly as production runs it: `npm start`'s scripts/start.mjs → Next.js's
 * standalone server, with instrumentation.ts's start-up work, on a free port, with `env` added to
 * this process's environment. Resolves once /api/health answers (whatever its status).
 */
export async function startStandaloneServer(env: Record<string, string>): Promise<StandaloneServer> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "console-standalone-"));
  const child = spawn(process.execPath, [path.join(ROOT, "scripts/start.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      NEXT_DIST_DIR: DIST_DIR,
      CONSOLE_DATA_DIR: dataDir,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (!alive())
      throw new Error(
        `the standalone server exited (${child.signalCode ?? child.exitCode}) before it answered:\n${out}`,
      );
    const answered = await fetch(`${url}/api/health`).then(
      () => true,
      () => false,
    );
    if (answered) break;
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`the standalone server did not answer in 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: child.pid!,
    url,
    alive,
    output: () => out,
    async stop() {
      if (alive()) child.kill("SIGTERM");
      const t = setTimeout(() => alive() && child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

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
