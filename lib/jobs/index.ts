/**
 * The console's background jobs (ARCHITECTURE.md rule 5: reconciliation is the scheduler's job, not the
 * reader's). Every server instance starts the scheduler (instrumentation.ts → startScheduler());
 * each run of a job is claimed in Postgres (lib/jobs/scheduler.ts), so with N instances each job
 * still runs once per due time, and a crashed instance's claim is taken over when its lease ends.
 */
import { z } from "zod";
import { ConfigError } from "../env";
import { Scheduler, type Job, type SchedulerOptions } from "./scheduler";
import { orphanedBatches, runBatch } from "../services/red-envelope-batches";
import { reverseUnpaidIsvCharges, syncDueCharges } from "../services/charges";
import { syncPendingRefunds } from "../services/refunds";
import { syncStaleRedEnvelopes } from "../services/red-envelopes";
import { syncPendingSettlements } from "../services/settlements";
import { pruneLoginAttempts } from "../services/staff";
import { nightlyReconciliation } from "../services/reconciliation";

export { Scheduler, type Job, type JobContext, type SchedulerOptions } from "./scheduler";

/** The jobs, how often each is due (from the end of its last run) and what it does. */
export const JOBS = [
  {
    // A batch whose worker died (a restart, a crash: its lease ran out) gets a new worker here,
    // with no page open. The worker runs on in the background with its own lease.
    name: "red-envelope-batches.resume",
    intervalMs: 5_000,
    async run(ctx) {
      for (const id of await orphanedBatches()) ctx.background(`batch ${id}`, (signal) => runBatch(id, { signal }));
    },
  },
  {
    // Ping++'s QR guide: an unpaid isv_* charge is reversed 60 s after it was made.
    name: "charges.reverse-isv",
    intervalMs: 2_000,
    run: (ctx) => reverseUnpaidIsvCharges({ now: ctx.now(), signal: ctx.signal }),
  },
  {
    // Pending charges whose webhook is late: asked about from 5 s on, less often as they age.
    name: "charges.sync",
    intervalMs: 2_000,
    run: (ctx) => syncDueCharges({ now: ctx.now(), signal: ctx.signal }),
  },
  {
    name: "refunds.sync",
    intervalMs: 30_000,
    run: (ctx) => syncPendingRefunds({ now: ctx.now(), signal: ctx.signal }),
  },
  {
    name: "red-envelopes.sync",
    intervalMs: 60_000,
    run: (ctx) => syncStaleRedEnvelopes({ now: ctx.now(), signal: ctx.signal }),
  },
  {
    name: "settlements.sync",
    intervalMs: 10_000,
    run: (ctx) => syncPendingSettlements({ now: ctx.now(), signal: ctx.signal }),
  },
  {
    // 对账: yesterday (Asia/Shanghai) against Ping++'s lists, once (a finished nightly run of that
    // day ends it; a failed one is tried again next time); runs older than 90 days are pruned.
    name: "reconciliation.nightly",
    intervalMs: 10 * 60_000,
    run: (ctx) => nightlyReconciliation({ now: ctx.now(), signal: ctx.signal }),
  },
  {
    name: "login-attempts.prune",
    intervalMs: 60 * 60_000,
    run: (ctx) => pruneLoginAttempts({ now: ctx.now(), signal: ctx.signal }),
  },
] as const satisfies readonly Job[];

export type JobName = (typeof JOBS)[number]["name"];

/** JOBS_TICK_MS: how often the scheduler looks for due jobs (ms, default 1000). */
function tickMs(): number {
  const v = z.coerce
    .number()
    .int()
    .min(10)
    .max(60_000)
    .optional()
    .safeParse(process.env.JOBS_TICK_MS || undefined);
  if (!v.success) throw new ConfigError("JOBS_TICK_MS: must be a whole number of milliseconds from 10 to 60000");
  return v.data ?? 1_000;
}

const g = globalThis as unknown as { __consoleScheduler?: Scheduler; __consoleSchedulerStarted?: boolean };

function scheduler(opts?: SchedulerOptions): Scheduler {
  g.__consoleScheduler ??= new Scheduler(JOBS, { tickMs: tickMs(), ...opts });
  return g.__consoleScheduler;
}

/** Start this process's scheduler (once per process; the server's start-up calls it). */
export function startScheduler(opts?: SchedulerOptions): Scheduler {
  const s = scheduler(opts);
  if (!g.__consoleSchedulerStarted) {
    g.__consoleSchedulerStarted = true;
    s.start();
  }
  return s;
}

/** Stop it: no more ticks, running jobs and their background work aborted and waited for (tests, shutdown). */
export async function stopScheduler(): Promise<void> {
  const s = g.__consoleScheduler;
  g.__consoleScheduler = undefined;
  g.__consoleSchedulerStarted = false;
  await s?.stop();
}

/**
 * Run one job now, due or not, through the same Postgres claim as the scheduler's runs, and wait
 * for it to end (tests; `now` runs it as if at that time). False when it is running elsewhere.
 */
export function runJobOnce(name: JobName, opts: { now?: number } = {}): Promise<boolean> {
  const now = opts.now;
  return scheduler().runNow(name, now === undefined ? {} : { now: () => now });
}
