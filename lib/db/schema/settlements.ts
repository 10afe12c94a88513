import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAtMs } from "./columns";
import { ROYALTY_SETTLEMENT_STATUSES, ROYALTY_TRANSACTION_STATUSES } from "../../pingpp/schemas";

/**
 * Our view of a Ping++ royalty settlement (分润结算). `creating` = the form's idempotency key is
 * claimed and Ping++ is being asked; the rest are Ping++'s statuses. They only move forward
 * (lib/services/settlements.ts): created → pending → succeeded | partially_succeeded | failed,
 * created → canceled.
 */
export const royaltySettlementStatus = pgEnum("royalty_settlement_status", [
  "creating",
  ...ROYALTY_SETTLEMENT_STATUSES,
]);
export type RoyaltySettlementStatus = (typeof royaltySettlementStatus.enumValues)[number];

export const royaltySettlements = pgTable(
  "royalty_settlements",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pingppId: text("pingpp_id").unique(),
    /** From the create form: a retried or double-clicked create returns the same settlement. */
    idempotencyKey: text("idempotency_key").unique(),
    payerApp: text("payer_app").notNull(),
    method: text("method").notNull(),
    recipientApp: text("recipient_app"),
    status: royaltySettlementStatus("status").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull().default(0),
    amountSucceeded: bigint("amount_succeeded", { mode: "number" }).notNull().default(0),
    amountFailed: bigint("amount_failed", { mode: "number" }).notNull().default(0),
    amountCanceled: bigint("amount_canceled", { mode: "number" }).notNull().default(0),
    count: integer("count").notNull().default(0),
    countSucceeded: integer("count_succeeded").notNull().default(0),
    countFailed: integer("count_failed").notNull().default(0),
    countCanceled: integer("count_canceled").notNull().default(0),
    fee: bigint("fee", { mode: "number" }).notNull().default(0),
    timeFinished: timestamp("time_finished", { withTimezone: true }),
    livemode: boolean("livemode").notNull().default(false),
    /** The create parameters we sent (which royalties were selected). */
    params: jsonb("params").$type<Record<string, unknown>>(),
    /** A confirm/cancel in flight or done: claimed before Ping++ is asked, so it is asked once. */
    action: text("action").$type<"confirm" | "cancel">(),
    actionAt: timestamp("action_at", { withTimezone: true }),
    createdBy: uuid("created_by"),
    /** The last whole Ping++ object (ARCHITECTURE.md rule 2). Never sent to a browser. */
    raw: jsonb("raw").$type<Record<string, unknown>>(),
    lastSyncedAt: timestamp("last_synced_at", { withTimezone: true }),
    createdAt: createdAtMs(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("royalty_settlements_created_idx").on(t.createdAt),
    index("royalty_settlements_status_created_idx").on(t.status, t.createdAt),
    index("royalty_settlements_method_created_idx").on(t.method, t.createdAt),
  ],
);
export type RoyaltySettlementRow = typeof royaltySettlements.$inferSelect;

export const royaltyTransactionStatus = pgEnum("royalty_transaction_status", ROYALTY_TRANSACTION_STATUSES);
export type RoyaltyTransactionStatus = (typeof royaltyTransactionStatus.enumValues)[number];

/** One payout of a settlement (分润明细): the royalties of one source user, to one settle account. */
export const royaltyTransactions = pgTable(
  "royalty_transactions",
  {
    /** Ping++'s id. */
    id: text("id").primaryKey(),
    settlementId: uuid("settlement_id")
      .notNull()
      .references(() => royaltySettlements.id, { onDelete: "cascade" }),
    amount: bigint("amount", { mode: "number" }).notNull(),
    status: royaltyTransactionStatus("status").notNull(),
    settleAccount: text("settle_account"),
    sourceUser: text("source_user"),
    recipientApp: text("recipient_app"),
    failureMsg: text("failure_msg"),
    raw: jsonb("raw").$type<Record<string, unknown>>(),
    createdAt: createdAtMs(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("royalty_transactions_settlement_idx").on(t.settlementId),
    index("royalty_transactions_status_idx").on(t.status),
    index("royalty_transactions_source_user_idx").on(t.sourceUser),
  ],
);
export type RoyaltyTransactionRow = typeof royaltyTransactions.$inferSelect;
