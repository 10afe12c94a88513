/**
 * The background scheduler (ARCHITECTURE.md rule 5): named jobs, each with an interval, run by every
 * instance and claimed in Postgres so that N instances never run one job at the same time.
 *
 * A job's row in `scheduled_jobs` says when it is next due (`next_run_at`) and who runs it now
 * (`run_id`, `locked_until`). A tick claims every due, unclaimed job of this scheduler with ONE
 * UPDATE (Postgres decides the race: a row is claimed by exactly one statement), runs each, renews
 * its claim every third of its lease while it runs (so a long run keeps it), and on the end frees
 * it and sets the next due time (end + interval). A holder that dies stops renewing: its claim
 * runs out at `locked_until` and any instance takes the job over. Times are the database's
 * (`now()`), one clock for every instance.
 *
 * Why not pg-boss or graphile-worker: their current releases need Node.js ≥ 22 (the console runs
 * on 20), both drive Postgres through `pg` with a pool of their own connections (PGlite, the
 * zero-set-up database, is one in-process connection: pg-boss needs a hand-made adapter that pastes
 * parameters into the SQL, graphile-worker does not run on it), both bring their own schema and
 * migrations beside drizzle's, and both are queues with minute-granular cron, while these jobs
 * are a handful of fixed-interval sweeps, some every few seconds.
 */
import crypto from "node:crypto";
import os from "node:os";
import { sql } from "drizzle-orm";
import { getDb, rowsOf } from "../db";

export interface JobContext {
  /** Aborted when this run's claim is lost (it expired and another instance took it) or the scheduler stops. */
  signal: AbortSignal;
  /** The clock the job reads, in ms (tests run a job "a minute later" without waiting). */
  now(): number;
  /**
   * Work this run starts and does not wait for (a red-envelope batch: minutes long, with its own
   * lease). Tracked, so stopping the scheduler aborts it (its signal) and waits for it.
   */
  background(name: string, work: (signal: AbortSignal) => Promise<unknown>): void;
}

export interface Job {
  name: string;
  /** From the end of one run to the next run being due. */
  intervalMs: number;
  /** How long a claim lasts unless renewed (renewed every third of it while the job runs). Default 30 s. */
  leaseMs?: number;
  run(ctx: JobContext): Promise<unknown>;
}

export interface SchedulerOptions {
  /** How often to look for due jobs (ms). Default 1 s. */
  tickMs?: number;
  /** Written to `scheduled_jobs.locked_by` for people reading the table. Default host:pid. */
  owner?: string;
  /** The clock handed to jobs. */
  now?: () => number;
  log?: Pick<Console, "error" | "warn">;
}

const DEFAULT_LEASE_MS = 30_000;
const ms = (n: number) => sql`(${Math.round(n)}::int * interval '1 millisecond')`;

export class Scheduler {
  private readonly jobs: Map<string, Job>;
  private readonly tickMs: number;
  private readonly owner: string;
  private readonly clock: () => number;
  private readonly log: Pick<Console, "error" | "warn">;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;
  /** Runs in this process, by job name: never two of one job here, whatever the database says. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly backgroundWork = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();
  /** When this scheduler last made sure its jobs' rows exist (again each minute: a table emptied by hand refills). */
  private registeredAt = 0;
  private tickFailing = false;
  /** The last error logged per job: the same one again is logged once a minute, not every run. */
  private readonly lastFailure = new Map<string, { error: string; at: number }>();

  constructor(jobs: readonly Job[], opts: SchedulerOptions = {}) {
    this.jobs = new Map(jobs.map((j) => [j.name, j]));
    if (this.jobs.size !== jobs.length) throw new Error("job names must be unique");
    this.tickMs = opts.tickMs ?? 1_000;
    this.owner = opts.owner ?? `${os.hostname()}:${process.pid}`;
    this.clock = opts.now ?? Date.now;
    this.log = opts.log ?? console;
  }

  /** Tick now and then every tickMs; the timer never keeps the process alive. */
  start(): void {
    if (this.timer || this.stopping.signal.aborted) return;
    const tick = () => {
      // One tick at a time: a slow database must not stack them up.
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    };
    this.timer = setInterval(tick, this.tickMs);
    this.timer.unref();
    tick();
  }

  /** Stop ticking, abort what runs (and its background work) and wait for all of it to end. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.ticking;
    while (this.running.size || this.backgroundWork.size) {
      await Promise.allSettled([...this.running.values(), ...this.backgroundWork]);
    }
  }

  /** Resolves when no job run of this scheduler is running (background work may go on). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Claim every due job not already running here and start it. Resolves once they are claimed
   * and started (not finished) with their names. Never rejects: a failure is logged.
   */
  async tick(): Promise<string[]> {
    if (this.stopping.signal.aborted) return [];
    try {
      const claimed = await this.claim(
        [...this.jobs.values()].filter((j) => !this.running.has(j.name)),
        false,
      );
      if (this.tickFailing) this.log.warn("[jobs] the scheduler reaches the database again");
      this.tickFailing = false;
      for (const { job, runId } of claimed) this.start1(job, runId);
      return claimed.map((c) => c.job.name);
    } catch (e) {
      // The database is away: say so once, not every tick; the next tick tries again.
      if (!this.tickFailing) this.log.error("[jobs] cannot claim jobs:", (e as Error).message);
      this.tickFailing = true;
      return [];
    }
  }

  /**
   * Run one job now, due or not, through the same claim (tests, scripts): false when it runs
   * elsewhere (or here) already. Resolves when the run has ended; `now` overrides the clock for it.
   */
  async runNow(name: string, opts: { now?: () => number } = {}): Promise<boolean> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    if (this.running.has(name)) return false;
    this.registeredAt = 0; // rare: make sure its row exists (a test may have emptied the table)
    const [claim] = await this.claim([job], true);
    if (!claim) return false;
    await this.start1(job, claim.runId, opts.now);
    return true;
  }

  private async register(): Promise<void> {
    if (Date.now() - this.registeredAt < 60_000) return;
    const db = await getDb();
    await db.execute(
      sql`insert into scheduled_jobs (name) values ${sql.join(
        [...this.jobs.keys()].map((n) => sql`(${n})`),
        sql`, `,
      )} on conflict (name) do nothing`,
    );
    this.registeredAt = Date.now();
  }

  /** One UPDATE claims those of `jobs` that are due (or all, `anyTime`) and not claimed by anyone. */
  private async claim(jobs: Job[], anyTime: boolean): Promise<{ job: Job; runId: string }[]> {
    if (jobs.length === 0) return [];
    await this.register();
    const db = await getDb();
    const wanted = jobs.map((j) => ({ job: j, runId: crypto.randomUUID() }));
    const rows = rowsOf<{ name: string; run_id: string }>(
      await db.execute(sql`
        update scheduled_jobs j set
          run_id = v.run_id,
          locked_until = now() + v.lease_ms * interval '1 millisecond',
          locked_by = ${this.owner},
          last_started_at = now(),
          runs = j.runs + 1
        from (values ${sql.join(
          wanted.map(
            (w) => sql`(${w.job.name}::text, ${w.runId}::text, ${Math.round(w.job.leaseMs ?? DEFAULT_LEASE_MS)}::int)`,
          ),
          sql`, `,
        )}) as v(name, run_id, lease_ms)
        where j.name = v.name
          and (j.locked_until is null or j.locked_until < now())
          ${anyTime ? sql`` : sql`and j.next_run_at <= now()`}
        returning j.name, j.run_id`),
    );
    const won = new Set(rows.map((r) => r.run_id));
    return wanted.filter((w) => won.has(w.runId));
  }

  /** Run a claimed job: renew the claim while it runs, then free it and set its next due time. */
  private start1(job: Job, runId: string, now = this.clock): Promise<void> {
    const lease = job.leaseMs ?? DEFAULT_LEASE_MS;
    const lost = new AbortController();
    const signal = AbortSignal.any([lost.signal, this.stopping.signal]);
    const renew = async () => {
      try {
        const db = await getDb();
        const held = rowsOf(
          await db.execute(
            sql`update scheduled_jobs set locked_until = now() + ${ms(lease)} where name = ${job.name} and run_id = ${runId} returning name`,
          ),
        );
        if (held.length === 0) {
          this.log.error(`[jobs] ${job.name}: claim lost (it expired and was taken over); stopping this run`);
          lost.abort(new Error("claim lost"));
        }
      } catch (e) {
        this.log.warn(`[jobs] ${job.name}: could not renew the claim:`, (e as Error).message); // tried again in lease/3
      }
    };
    const heartbeat = setInterval(() => void renew(), Math.max(lease / 3, 10));
    heartbeat.unref();
    const ctx: JobContext = {
      signal,
      now,
      background: (name, work) => {
        const p = work(this.stopping.signal)
          .catch((e: unknown) => this.log.error(`[jobs] ${job.name}: ${name} failed:`, e))
          .finally(() => this.backgroundWork.delete(p));
        this.backgroundWork.add(p);
      },
    };
    const run = (async () => {
      let error: string | null = null;
      try {
        await job.run(ctx);
        this.lastFailure.delete(job.name);
      } catch (e) {
        // One job's failure is logged and recorded; it never stops the others or the process.
        error = (e instanceof Error ? e.message : String(e)).slice(0, 2_000) || "error";
        const last = this.lastFailure.get(job.name);
        if (!last || last.error !== error || Date.now() - last.at >= 60_000) {
          this.log.error(`[jobs] ${job.name} failed:`, e);
          this.lastFailure.set(job.name, { error, at: Date.now() });
        }
      } finally {
        clearInterval(heartbeat);
      }
      try {
        const db = await getDb();
        await db.execute(sql`
          update scheduled_jobs set run_id = null, locked_until = null, locked_by = null, last_finished_at = now(),
            next_run_at = now() + ${ms(job.intervalMs)}, last_error = ${error}
          where name = ${job.name} and run_id = ${runId}`);
      } catch (e) {
        // Not freed: the claim runs out at locked_until and the job is due again then.
        this.log.warn(`[jobs] ${job.name}: could not free the claim:`, (e as Error).message);
      }
    })().finally(() => this.running.delete(job.name));
    this.running.set(job.name, run);
    return run;
  }
}
