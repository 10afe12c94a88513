import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One row per named background job (lib/jobs): when it is next due and who runs it now. Every
 * instance runs the scheduler; a run is claimed here (locked_until, run_id) with one UPDATE, so N
 * instances never run one job at the same time. A claim whose holder died expires at locked_until.
 */
export const scheduledJobs = pgTable("scheduled_jobs", {
  name: text("name").primaryKey(),
  /** Not run again before this (set to the end of the last run + the job's interval). */
  nextRunAt: timestamp("next_run_at", { withTimezone: true }).notNull().defaultNow(),
  /** The running claim: its holder renews it while the job runs; null or past = free. */
  lockedUntil: timestamp("locked_until", { withTimezone: true }),
  runId: text("run_id"),
  /** Which instance holds the claim (host:pid), for people reading the table. */
  lockedBy: text("locked_by"),
  lastStartedAt: timestamp("last_started_at", { withTimezone: true }),
  lastFinishedAt: timestamp("last_finished_at", { withTimezone: true }),
  /** The last run's error (its message), null when it succeeded. */
  lastError: text("last_error"),
  runs: integer("runs").notNull().default(0),
});
export type ScheduledJobRow = typeof scheduledJobs.$inferSelect;
