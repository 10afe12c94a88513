import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Actor } from "@/lib/services/actor";
import type { ChargeView } from "@/lib/services/charges";
import type { CreateChargeData } from "@/lib/validations/charges";
import type { BatchProgress, WorkerOptions } from "@/lib/services/red-envelope-batches";
import type { InstanceMessage, InstanceRequest } from "./console-instance-main";

export interface ConsoleInstance {
  pid: number;
  /** Its webhook route, for the sandbox to deliver to. */
  webhookUrl: string;
  port: number;
  /** The real createCharge in that process; rejects with the AppError code, or when the process dies. */
  createCharge(actor: Actor, input: CreateChargeData): Promise<ChargeView>;
  /** The real startBatch in that process (its worker then sends from there). */
  startBatch(actor: Actor, batchId: string, options?: Omit<WorkerOptions, "signal">): Promise<BatchProgress>;
  /** SIGKILL: no cleanup of any kind, as when a machine or container dies. Resolves once it is gone. */
  kill(): Promise<void>;
  /** Resolves when the process has ended, however. */
  exited: Promise<void>;
  /** Everything it printed so far. */
  output(): string;
}

/**
 * Start another console instance as a child process (tests/helpers/console-instance-main.ts),
 * sharing this process's database and sandbox unless `env` says otherwise. Needs a real Postgres:
 * two processes cannot share one in-process PGlite.
 */
export async function startConsoleInstance(env: Record<string, string | undefined> = {}): Promise<ConsoleInstance> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.PINGPP_API_KEY; // sandbox mode, as in the test process
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const child = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", path.join(root, "tests/helpers/console-instance-main.ts")],
    {
      cwd: root,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on("message", (m: InstanceMessage) => {
    if (m.type !== "result") return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.data as never);
    else p?.reject(Object.assign(new Error(m.error), { code: m.error }));
  });
  child.once("exit", (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`console instance exited (${signal ?? code})`));
    pending.clear();
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`console instance did not start in 30 s:\n${output}`)), 30_000);
    child.on("message", (m: InstanceMessage) => {
      if (m.type === "ready") {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`console instance exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });

  return {
    pid: child.pid!,
    port,
    webhookUrl: `http://127.0.0.1:${port}/api/webhooks/pingpp`,
    exited,
    output: () => output,
    createCharge(actor, input) {
      const id = nextId++;
      return new Promise<ChargeView>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, op: "createCharge", actor, input } satisfies InstanceRequest);
      });
    },
    startBatch(actor, batchId, options = {}) {
      const id = nextId++;
      return new Promise<BatchProgress>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, op: "startBatch", actor, batchId, options } satisfies InstanceRequest);
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
