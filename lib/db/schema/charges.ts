import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAtMs } from "./columns";

/**
 * Our view of a Ping++ charge. `creating` = the idempotency key is claimed and Ping++ is being
 * asked; the rest follow Ping++'s booleans. Rank order is the only direction a status moves
 * (lib/services/charges.ts): pending → expired/reversed/failed, and paid above all of them.
 */
export const chargeStatus = pgEnum("charge_status", ["creating", "pending", "expired", "reversed", "failed", "paid"]);
export type ChargeStatus = (typeof chargeStatus.enumValues)[number];

export const charges = pgTable(
  "charges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    pingppId: text("pingpp_id").unique(),
    /** Not unique: the charges of one Ping++ order (paid twice, from two channels) can share it. */
    orderNo: text("order_no").notNull(),
    /** From the cashier form: a retried or double-clicked create returns the same charge. */
    idempotencyKey: text("idempotency_key").unique(),
    appId: text("app_id").notNull(),
    channel: text("channel").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    status: chargeStatus("status").notNull(),
    amountRefunded: bigint("amount_refunded", { mode: "number" }).notNull().default(0),
    refunded: boolean("refunded").notNull().default(false),
    terminalId: text("terminal_id"),
    createdBy: uuid("created_by"),
    /** The QR payload / pay link: the only part of the credential a screen needs. */
    qrPayload: text("qr_payload"),
    timeExpire: timestamp("time_expire", { withTimezone: true }),
    timePaid: timestamp("time_paid", { withTimezone: true }),
    transactionNo: text("transaction_no"),
    failureCode: text("failure_code"),
    failureMsg: text("failure_msg"),
    livemode: boolean("livemode").notNull().default(false),
    /** The last whole Ping++ object (ARCHITECTURE.md rule 2). Never sent to a browser. */
    raw: jsonb("raw").$type<Record<string, unknown>>(),
    lastSyncedAt: timestamp("last_synced_at", { withTimezone: true }),
    createdAt: createdAtMs(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("charges_created_idx").on(t.createdAt, t.id),
    index("charges_terminal_created_idx").on(t.terminalId, t.createdAt, t.id),
    index("charges_creator_created_idx").on(t.createdBy, t.createdAt, t.id),
    index("charges_status_created_idx").on(t.status, t.createdAt),
    index("charges_transaction_no_idx").on(t.transactionNo),
    index("charges_order_no_idx").on(t.orderNo),
    index("charges_channel_created_idx").on(t.channel, t.createdAt, t.id),
  ],
);
export type ChargeRow = typeof charges.$inferSelect;

/**
 * What became of a stored event: applied; ignored (a type the console does not handle); failed (it
 * could not be applied: a shape the schema does not know, a handler error; 「重新应用」 retries it);
 * foreign (another app's or the other mode's, correctly signed: kept, never applied).
 */
export const eventStatus = pgEnum("event_status", ["applied", "ignored", "failed", "foreign"]);
export type EventStatus = (typeof eventStatus.enumValues)[number];

/** Every verified Ping++ webhook event, stored once (its evt_ id), with what applying it did. */
export const pingppEvents = pgTable(
  "pingpp_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    objectId: text("object_id"),
    livemode: boolean("livemode").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    firstReceivedAt: timestamp("first_received_at", { withTimezone: true }).notNull().defaultNow(),
    lastReceivedAt: timestamp("last_received_at", { withTimezone: true }).notNull().defaultNow(),
    receiveCount: integer("receive_count").notNull().default(1),
    signatureVerified: boolean("signature_verified").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    status: eventStatus("status").notNull(),
    result: text("result"),
  },
  (t) => [
    index("pingpp_events_type_idx").on(t.type, t.createdAt),
    index("pingpp_events_object_idx").on(t.objectId),
    index("pingpp_events_received_idx").on(t.firstReceivedAt),
  ],
);
export type PingppEventRow = typeof pingppEvents.$inferSelect;
