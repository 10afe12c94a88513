import {
  bigint,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAtMs } from "./columns";

/** 对账 (issue 17 §1): one run compares one Asia/Shanghai day of Ping++'s charges with ours. */
export const reconciliationRunStatus = pgEnum("reconciliation_run_status", ["running", "finished", "failed"]);
export type ReconciliationRunStatus = (typeof reconciliationRunStatus.enumValues)[number];

/** Per currency, both sides: how many charges, their amount and refunded amount (fen). */
export interface ReconciliationTotals {
  currency: string;
  pingppCount: number;
  pingppAmount: number;
  pingppRefunded: number;
  consoleCount: number;
  consoleAmount: number;
  consoleRefunded: number;
}

export const reconciliationRuns = pgTable(
  "reconciliation_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    day: date("day", { mode: "string" }).notNull(),
    status: reconciliationRunStatus("status").notNull().default("running"),
    /** `nightly` (the scheduler) or `manual`. */
    trigger: text("trigger").notNull(),
    startedBy: uuid("started_by"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    totals: jsonb("totals").$type<ReconciliationTotals[]>().notNull().default([]),
    differences: integer("differences").notNull().default(0),
    error: text("error"),
    createdAt: createdAtMs(),
  },
  (t) => [
    index("reconciliation_runs_created_idx").on(t.createdAt, t.id),
    index("reconciliation_runs_day_idx").on(t.day),
  ],
);
export type ReconciliationRunRow = typeof reconciliationRuns.$inferSelect;

export const reconciliationKind = pgEnum("reconciliation_kind", [
  "missing_here",
  "missing_there",
  "status",
  "amount",
  "amount_refunded",
]);
export type ReconciliationKind = (typeof reconciliationKind.enumValues)[number];

export const reconciliationDifferences = pgTable(
  "reconciliation_differences",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    runId: uuid("run_id")
      .notNull()
      .references(() => reconciliationRuns.id, { onDelete: "cascade" }),
    kind: reconciliationKind("kind").notNull(),
    /** `charge` or `refund` */
    objectType: text("object_type").notNull(),
    pingppId: text("pingpp_id"),
    /** Our row (charges.id / refunds.id), when we have one. */
    rowId: uuid("row_id"),
    /** The Ping++ charge a refund belongs to (to sync it). */
    chargeId: text("charge_id"),
    currency: text("currency").notNull(),
    ours: text("ours"),
    theirs: text("theirs"),
    amount: bigint("amount", { mode: "number" }).notNull().default(0),
    /** `fixed` (synced from Ping++) or `noted` (why it is right), null while open. */
    resolution: text("resolution"),
    note: text("note"),
    resolvedBy: uuid("resolved_by"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: createdAtMs(),
  },
  (t) => [index("reconciliation_differences_run_idx").on(t.runId, t.createdAt, t.id)],
);
export type ReconciliationDifferenceRow = typeof reconciliationDifferences.$inferSelect;

/** Scratch: the Ping++ ids a running run has seen (so "missing there" is one anti-join, memory flat). */
export const reconciliationSeen = pgTable(
  "reconciliation_seen",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => reconciliationRuns.id, { onDelete: "cascade" }),
    pingppId: text("pingpp_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.pingppId] })],
);
