import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAtMs } from "./columns";

/**
 * Our view of a Ping++ red envelope (红包). `creating` = the idempotency key and order_no are
 * claimed and Ping++ is being asked (or was asked without an answer); the rest are Ping++'s own
 * statuses, which only move forward (lib/services/red-envelopes.ts): sending → sent → received,
 * sending → failed, sent → refunding → refund.
 */
export const redEnvelopeStatus = pgEnum("red_envelope_status", [
  "creating",
  "sending",
  "sent",
  "received",
  "failed",
  "refunding",
  "refund",
]);
export type RedEnvelopeRowStatus = (typeof redEnvelopeStatus.enumValues)[number];

/** draft = dry run stored, nothing sent · sending = a worker sends it (resumable) · done = every row has an outcome */
export const redEnvelopeBatchStatus = pgEnum("red_envelope_batch_status", ["draft", "sending", "done"]);
export type RedEnvelopeBatchStatus = (typeof redEnvelopeBatchStatus.enumValues)[number];

/** A CSV upload: the texts every row shares, the budget cap and the sending worker's lease. */
export const redEnvelopeBatches = pgTable(
  "red_envelope_batches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    fileName: text("file_name").notNull(),
    sendName: text("send_name").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    description: text("description").notNull(),
    sceneId: text("scene_id"),
    /** Fen. Sending is refused when the total of the valid rows exceeds it. */
    budget: bigint("budget", { mode: "number" }).notNull(),
    rowCount: integer("row_count").notNull(),
    invalidCount: integer("invalid_count").notNull(),
    /** Fen, the valid rows only. */
    totalAmount: bigint("total_amount", { mode: "number" }).notNull(),
    status: redEnvelopeBatchStatus("status").notNull().default("draft"),
    createdBy: uuid("created_by"),
    startedBy: uuid("started_by"),
    startedByEmail: text("started_by_email"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** Whichever instance holds an unexpired lease is the one sending; anyone may take an expired one. */
    leaseOwner: text("lease_owner"),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    createdAt: createdAtMs(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("red_envelope_batches_created_idx").on(t.createdAt),
    index("red_envelope_batches_status_idx").on(t.status),
  ],
);
export type RedEnvelopeBatchRow = typeof redEnvelopeBatches.$inferSelect;

/** One CSV line as the dry run saw it; its outcome is the red envelope with the same (batch, line). */
export const redEnvelopeBatchRows = pgTable(
  "red_envelope_batch_rows",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    batchId: uuid("batch_id")
      .notNull()
      .references(() => redEnvelopeBatches.id, { onDelete: "cascade" }),
    /** 1-based line of the file. */
    line: integer("line").notNull(),
    openId: text("open_id").notNull(),
    /** Fen; null when the amount could not be read. */
    amount: bigint("amount", { mode: "number" }),
    /** Per-row wishing text (overrides the batch body). */
    body: text("body"),
    /** Dry-run refusal: a key under "validation"; null = valid. */
    error: text("error"),
  },
  (t) => [uniqueIndex("red_envelope_batch_rows_line_idx").on(t.batchId, t.line)],
);
export type RedEnvelopeBatchLine = typeof redEnvelopeBatchRows.$inferSelect;

export const redEnvelopes = pgTable(
  "red_envelopes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pingppId: text("pingpp_id").unique(),
    /** Generated and stored before Ping++ is asked: a retry re-sends the same one, Ping++ refuses a second. */
    orderNo: text("order_no").notNull().unique(),
    /** The form's key, or `<batch id>:<line>` for batch rows. */
    idempotencyKey: text("idempotency_key").unique(),
    batchId: uuid("batch_id").references(() => redEnvelopeBatches.id),
    batchLine: integer("batch_line"),
    appId: text("app_id").notNull(),
    channel: text("channel").notNull().default("wx_pub"),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: text("currency").notNull().default("cny"),
    recipient: text("recipient").notNull(),
    sendName: text("send_name").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    description: text("description").notNull(),
    sceneId: text("scene_id"),
    status: redEnvelopeStatus("status").notNull(),
    transactionNo: text("transaction_no"),
    failureMsg: text("failure_msg"),
    receivedAt: timestamp("received_at", { withTimezone: true }),
    refundedAt: timestamp("refunded_at", { withTimezone: true }),
    livemode: boolean("livemode").notNull().default(false),
    /** The last whole Ping++ object (ARCHITECTURE.md rule 2). Never sent to a browser. */
    raw: jsonb("raw").$type<Record<string, unknown>>(),
    createdBy: uuid("created_by"),
    /** Last time Ping++ was asked to create it: the per-minute limit counts these. */
    attemptedAt: timestamp("attempted_at", { withTimezone: true }),
    createdAt: createdAtMs(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("red_envelopes_created_idx").on(t.createdAt),
    index("red_envelopes_status_created_idx").on(t.status, t.createdAt),
    index("red_envelopes_recipient_created_idx").on(t.recipient, t.createdAt),
    uniqueIndex("red_envelopes_batch_line_idx").on(t.batchId, t.batchLine),
    index("red_envelopes_attempted_idx").on(t.attemptedAt),
  ],
);
export type RedEnvelopeRow = typeof redEnvelopes.$inferSelect;
