import type { RefundMode } from "../../pingpp/limits";
import { bigint, boolean, index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAtMs } from "./columns";

/**
 * Our view of a Ping++ order. `creating` = the idempotency key is claimed and Ping++ is being
 * asked; `failed` = Ping++ refused to create it. The rest are Ping++'s statuses. A status only
 * moves up its rank (lib/services/orders.ts); `paid` and `canceled` are also kept as sticky
 * booleans, because Ping++ can pay a canceled order (the guide's 注意事项).
 */
export const orderStatus = pgEnum("order_status", ["creating", "failed", "created", "canceled", "paid", "refunded"]);
export type OrderStatus = (typeof orderStatus.enumValues)[number];

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Ping++'s 19-digit order id. */
    pingppId: text("pingpp_id").unique(),
    merchantOrderNo: text("merchant_order_no").notNull().unique(),
    /** From the cashier form (order mode): a retried or double-clicked create makes one order. */
    idempotencyKey: text("idempotency_key").unique(),
    /** The charge `order_no` we pay this order with: a retried pay re-sends the same one. */
    chargeOrderNo: text("charge_order_no"),
    appId: text("app_id").notNull(),
    uid: text("uid"),
    amount: bigint("amount", { mode: "number" }).notNull(),
    actualAmount: bigint("actual_amount", { mode: "number" }).notNull(),
    amountPaid: bigint("amount_paid", { mode: "number" }).notNull().default(0),
    amountRefunded: bigint("amount_refunded", { mode: "number" }).notNull().default(0),
    currency: text("currency").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    status: orderStatus("status").notNull(),
    paid: boolean("paid").notNull().default(false),
    refunded: boolean("refunded").notNull().default(false),
    canceled: boolean("canceled").notNull().default(false),
    /** The idempotency key of the cancel in flight (claimed before Ping++ is asked). */
    cancelKey: text("cancel_key"),
    /** The order's current charge (`ch_`). */
    chargeId: text("charge_id"),
    channel: text("channel"),
    terminalId: text("terminal_id"),
    createdBy: uuid("created_by"),
    timePaid: timestamp("time_paid", { withTimezone: true }),
    timeExpire: timestamp("time_expire", { withTimezone: true }),
    canceledAt: timestamp("canceled_at", { withTimezone: true }),
    failureMsg: text("failure_msg"),
    livemode: boolean("livemode").notNull().default(false),
    /** The last whole Ping++ order, with its charges (ARCHITECTURE.md rule 2). Never sent to a browser. */
    raw: jsonb("raw").$type<Record<string, unknown>>(),
    createdAt: createdAtMs(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("orders_created_idx").on(t.createdAt),
    index("orders_status_created_idx").on(t.status, t.createdAt),
    index("orders_terminal_created_idx").on(t.terminalId, t.createdAt),
    index("orders_creator_created_idx").on(t.createdBy, t.createdAt),
    index("orders_uid_idx").on(t.uid),
    index("orders_charge_idx").on(t.chargeId),
    index("orders_charge_order_no_idx").on(t.chargeOrderNo),
  ],
);
export type OrderRow = typeof orders.$inferSelect;

/**
 * `creating` = the form's key is claimed and Ping++ is being asked; then Ping++'s statuses.
 * `awaiting_approval` = held for a second person (issue 17): not sent, but its amount counts
 * against the refundable remainder; approving moves it to `creating`, rejecting or withdrawing to
 * `failed` (failure_code `approval_rejected` / `approval_withdrawn`), which releases it.
 */
export const refundStatus = pgEnum("refund_status", [
  "creating",
  "pending",
  "succeeded",
  "failed",
  "awaiting_approval",
]);
export type RefundStatus = (typeof refundStatus.enumValues)[number];

/** Refunds of orders (`order_refunds`) and of plain charges (`charges/{id}/refunds`). */
export const refunds = pgTable(
  "refunds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pingppId: text("pingpp_id").unique(),
    /** From the refund form: a double click, a second tab or a retried request make one refund. */
    idempotencyKey: text("idempotency_key").unique(),
    /** Set for order refunds; null for refunds of plain charges. */
    orderId: uuid("order_id").references(() => orders.id),
    /** The refunded charge (`ch_`). */
    chargeId: text("charge_id").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: text("currency").notNull().default("cny"),
    /** The reason given (Ping++'s `description`). */
    description: text("description").notNull(),
    refundMode: text("refund_mode").$type<RefundMode>(),
    /** Royalty shares returned with an order refund (Ping++'s royalty_users), in fen. */
    royaltyUsers: jsonb("royalty_users").$type<{ user: string; amountRefunded: number }[]>(),
    fundingSource: text("funding_source"),
    status: refundStatus("status").notNull(),
    timeSucceed: timestamp("time_succeed", { withTimezone: true }),
    transactionNo: text("transaction_no"),
    failureCode: text("failure_code"),
    failureMsg: text("failure_msg"),
    createdBy: uuid("created_by"),
    /** Approval (issue 17): who approved, rejected or withdrew a held refund, when, and their note. */
    decidedBy: uuid("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decisionNote: text("decision_note"),
    livemode: boolean("livemode").notNull().default(false),
    /** The last whole Ping++ refund object. Never sent to a browser. */
    raw: jsonb("raw").$type<Record<string, unknown>>(),
    createdAt: createdAtMs(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("refunds_created_idx").on(t.createdAt),
    index("refunds_status_created_idx").on(t.status, t.createdAt),
    index("refunds_charge_idx").on(t.chargeId),
    index("refunds_order_idx").on(t.orderId),
    index("refunds_creator_created_idx").on(t.createdBy, t.createdAt),
  ],
);
export type RefundRow = typeof refunds.$inferSelect;
