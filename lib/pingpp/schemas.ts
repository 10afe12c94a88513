/**
 * zod schemas of the Ping++ objects as they come over the wire (API.md §2).
 *
 * Every object schema is loose: fields we do not know are kept, not dropped,
 * so the raw object can be stored whole. The fields the console relies on
 * (ids, amounts, booleans, statuses, timestamps) are checked strictly; where
 * Ping++'s own samples omit a field or send null, the schema says so.
 */
import { z } from "../zod";

/** Integer number of fen (or cents). May be negative where Ping++ says so (amount_settle). */
const int = z.number().int();
const nonNegInt = int.nonnegative();
/**
 * Unix seconds, up to 9999-12-31T23:59:59Z: a later one has no 4-digit-year ISO date, which
 * Postgres refuses (and past year 275760 a JS Date is Invalid), so it could never be stored.
 */
const MAX_UNIX_SECONDS = 253_402_300_799;
const timestamp = int.nonnegative().max(MAX_UNIX_SECONDS);
const nullableTimestamp = timestamp.nullable();
const nullableString = z.string().nullable();
/** `metadata`, `extra`, `credential`, ...: free-form objects. */
const record = z.record(z.string(), z.unknown());

/** `app` is an id (it would be an object only with `expand[]=app`, which this client never asks for). */
const appRef = z.string();

/** List envelope (cursor lists: charges, refunds, red envelopes, events). */
export function listSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    object: z.literal("list"),
    url: z.string(),
    has_more: z.boolean(),
    data: z.array(item),
  });
}

/**
 * List envelope of page-style endpoints (orders, order refunds, royalty
 * settlements/transactions). Ping++'s own samples sometimes replace
 * `has_more` with `page_number` / `total_page`, so `has_more` is optional here.
 */
export function pageListSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    object: z.literal("list"),
    url: z.string(),
    has_more: z.boolean().optional(),
    page_number: nonNegInt.optional(),
    total_page: nonNegInt.optional(),
    data: z.array(item),
  });
}

export interface List<T> {
  object: "list";
  url: string;
  has_more: boolean;
  data: T[];
  [key: string]: unknown;
}

export interface PageList<T> {
  object: "list";
  url: string;
  has_more?: boolean;
  page_number?: number;
  total_page?: number;
  data: T[];
  [key: string]: unknown;
}

// ---------------------------------------------------------------- refund

export const REFUND_STATUSES = ["pending", "succeeded", "failed"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export const refundSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("refund"),
  /** absent in Ping++'s order-refund sample */
  livemode: z.boolean().optional(),
  order_no: z.string(),
  amount: nonNegInt,
  created: timestamp,
  succeed: z.boolean(),
  status: z.enum(REFUND_STATUSES),
  time_succeed: nullableTimestamp,
  description: nullableString,
  failure_code: nullableString,
  failure_msg: nullableString,
  metadata: record,
  charge: z.string(),
  charge_order_no: nullableString.optional(),
  transaction_no: nullableString,
  funding_source: nullableString.optional(),
  extra: record.optional(),
});
export type Refund = z.infer<typeof refundSchema>;

// ---------------------------------------------------------------- charge

export const chargeSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("charge"),
  created: timestamp,
  livemode: z.boolean(),
  paid: z.boolean(),
  refunded: z.boolean(),
  /** absent in older samples (= false) */
  reversed: z.boolean().optional(),
  app: appRef,
  channel: z.string().min(1),
  order_no: z.string(),
  client_ip: z.string(),
  amount: nonNegInt,
  /** can be negative (upacp_qr sample: -9) */
  amount_settle: int,
  currency: z.string(),
  subject: z.string(),
  body: z.string(),
  extra: record,
  time_paid: nullableTimestamp,
  time_expire: nullableTimestamp,
  time_settle: nullableTimestamp,
  transaction_no: nullableString,
  /** null for charges embedded in an order */
  refunds: listSchema(refundSchema).nullable(),
  amount_refunded: nonNegInt,
  failure_code: nullableString,
  failure_msg: nullableString,
  metadata: record,
  /** `{object:"credential", <channel>: "<QR payload>"}` or `{}` */
  credential: record,
  description: nullableString,
});
export type Charge = z.infer<typeof chargeSchema>;

// ---------------------------------------------------------------- order

export const ORDER_STATUSES = ["created", "paid", "canceled", "refunded"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const orderSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("order"),
  created: timestamp,
  livemode: z.boolean(),
  paid: z.boolean(),
  refunded: z.boolean(),
  status: z.enum(ORDER_STATUSES),
  app: appRef,
  uid: nullableString,
  merchant_order_no: z.string(),
  amount: nonNegInt,
  actual_amount: nonNegInt,
  amount_paid: nonNegInt,
  amount_refunded: nonNegInt,
  coupon_amount: nonNegInt.nullable().optional(),
  available_balance: nonNegInt.optional(),
  currency: z.string(),
  subject: z.string(),
  body: z.string(),
  client_ip: nullableString,
  time_paid: nullableTimestamp,
  time_expire: nullableTimestamp,
  coupon: nullableString.optional(),
  /** id of the current charge, after pay */
  charge: nullableString.optional(),
  charges: pageListSchema(chargeSchema).nullable().optional(),
  /** `{}` before pay; `{channel, transaction_no, credential, extra, failure_code, failure_msg}` after */
  charge_essentials: record.nullable().optional(),
  receipt_app: nullableString.optional(),
  service_app: nullableString.optional(),
  available_methods: z.array(z.unknown()).optional(),
  description: nullableString.optional(),
  metadata: record,
});
export type Order = z.infer<typeof orderSchema>;

// ---------------------------------------------------------------- red envelope

/** `pending` appears on Ping++'s flow page, `sending` on the object page. */
export const RED_ENVELOPE_STATUSES = [
  "pending",
  "sending",
  "sent",
  "received",
  "failed",
  "refunding",
  "refund",
] as const;
export type RedEnvelopeStatus = (typeof RED_ENVELOPE_STATUSES)[number];

export const redEnvelopeSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("red_envelope"),
  created: timestamp,
  livemode: z.boolean(),
  status: z.enum(RED_ENVELOPE_STATUSES),
  /** timestamps, null until it happens (`refunded` is absent in the sample) */
  received: nullableTimestamp.optional(),
  refunded: nullableTimestamp.optional(),
  app: appRef,
  channel: z.string(),
  order_no: z.string(),
  transaction_no: nullableString,
  amount: nonNegInt,
  amount_settle: int.optional(),
  currency: z.string(),
  recipient: z.string(),
  subject: z.string(),
  body: z.string(),
  description: nullableString,
  failure_msg: nullableString,
  extra: record,
  metadata: record,
});
export type RedEnvelope = z.infer<typeof redEnvelopeSchema>;

// ---------------------------------------------------------------- royalty

export const ROYALTY_TRANSACTION_STATUSES = ["created", "pending", "succeeded", "failed", "canceled"] as const;
export type RoyaltyTransactionStatus = (typeof ROYALTY_TRANSACTION_STATUSES)[number];

export const royaltyTransactionSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("royalty_transaction"),
  amount: nonNegInt,
  status: z.enum(ROYALTY_TRANSACTION_STATUSES),
  /** absent in one of Ping++'s samples */
  created: timestamp.optional(),
  settle_account: nullableString,
  source_user: nullableString,
  recipient_app: nullableString,
  royalty_settlement: nullableString,
  failure_msg: nullableString.optional(),
  transfer: z.unknown().optional(),
});
export type RoyaltyTransaction = z.infer<typeof royaltyTransactionSchema>;

export const ROYALTY_SETTLEMENT_STATUSES = [
  "created",
  "pending",
  "succeeded",
  "partially_succeeded",
  "failed",
  "canceled",
] as const;
export type RoyaltySettlementStatus = (typeof ROYALTY_SETTLEMENT_STATUSES)[number];

const royaltySettlementShape = {
  id: z.string().min(1),
  object: z.literal("royalty_settlement"),
  payer_app: z.string(),
  created: timestamp,
  livemode: z.boolean(),
  method: z.string(),
  status: z.enum(ROYALTY_SETTLEMENT_STATUSES),
  amount: nonNegInt,
  amount_succeeded: nonNegInt,
  amount_failed: nonNegInt,
  amount_canceled: nonNegInt,
  count: nonNegInt,
  count_succeeded: nonNegInt,
  count_failed: nonNegInt,
  count_canceled: nonNegInt,
  fee: nonNegInt,
  time_finished: nullableTimestamp,
  operation_url: nullableString.optional(),
  royalty_transactions: pageListSchema(royaltyTransactionSchema).nullable().optional(),
  description: nullableString.optional(),
  metadata: record,
};

export const royaltySettlementSchema = z.looseObject(royaltySettlementShape);
export type RoyaltySettlement = z.infer<typeof royaltySettlementSchema>;

/**
 * `is_preview: true` computes a settlement without creating one: Ping++ does
 * not document whether id/created are then filled, so they may be null.
 */
export const royaltySettlementPreviewSchema = z.looseObject({
  ...royaltySettlementShape,
  id: z.string().nullable().optional(),
  created: nullableTimestamp.optional(),
});
export type RoyaltySettlementPreview = z.infer<typeof royaltySettlementPreviewSchema>;

// ---------------------------------------------------------------- event

/** Which object schema validates `data.object` of an event type (null: unknown, kept loose). */
export type EventObjectKind = "charge" | "refund" | "order" | "red_envelope" | "royalty_settlement";

export function eventObjectKind(type: string): EventObjectKind | null {
  if (type.startsWith("charge.")) return "charge";
  if (type.startsWith("refund.")) return "refund";
  // order.refund.* (seen in one third-party handler only) would carry a refund
  if (type.startsWith("order.refund.")) return "refund";
  if (type.startsWith("order.")) return "order";
  if (type.startsWith("red_envelope.")) return "red_envelope";
  if (type.startsWith("royalty_settlement.")) return "royalty_settlement";
  return null;
}

export const EVENT_OBJECT_SCHEMAS = {
  charge: chargeSchema,
  refund: refundSchema,
  order: orderSchema,
  red_envelope: redEnvelopeSchema,
  royalty_settlement: royaltySettlementSchema,
} as const;

export interface EventObjectMap {
  charge: Charge;
  refund: Refund;
  order: Order;
  red_envelope: RedEnvelope;
  royalty_settlement: RoyaltySettlement;
}

/** The event types in scope and the object each carries in `data.object`. */
export const EVENT_TYPES = {
  "charge.succeeded": "charge",
  "refund.succeeded": "refund",
  "order.succeeded": "order",
  "order.refunded": "order",
  "red_envelope.sent": "red_envelope",
  "red_envelope.received": "red_envelope",
  "royalty_settlement.succeeded": "royalty_settlement",
  "royalty_settlement.partially_succeeded": "royalty_settlement",
  "royalty_settlement.failed": "royalty_settlement",
  "royalty_settlement.canceled": "royalty_settlement",
} as const satisfies Record<string, EventObjectKind>;
export type KnownEventType = keyof typeof EVENT_TYPES;

export function isKnownEventType(type: string): type is KnownEventType {
  return Object.prototype.hasOwnProperty.call(EVENT_TYPES, type);
}

const eventEnvelopeSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("event"),
  created: timestamp,
  livemode: z.boolean(),
  type: z.string().min(1),
  data: z.looseObject({ object: record }),
  pending_webhooks: nonNegInt.optional(),
  request: nullableString.optional(),
  scope: z.string().optional(),
  acct_id: z.string().optional(),
});

/** The fields every event has, whatever its type. */
export interface PingppEventEnvelope {
  id: string;
  object: "event";
  created: number;
  livemode: boolean;
  pending_webhooks?: number;
  request?: string | null;
  scope?: string;
  acct_id?: string;
  [key: string]: unknown;
}

/** An event of type `T` whose `data.object` is an `O`. */
export interface TypedPingppEvent<T extends string, O> extends PingppEventEnvelope {
  type: T;
  data: { object: O; [key: string]: unknown };
}

/** The event of one type in scope, e.g. `EventOfType<"charge.succeeded">` carries a Charge. */
export type EventOfType<T extends KnownEventType> = TypedPingppEvent<T, EventObjectMap[(typeof EVENT_TYPES)[T]]>;

/** One member per event type in scope. */
export type KnownPingppEvent = { [T in KnownEventType]: EventOfType<T> }[KnownEventType];

declare const otherEventTypeBrand: unique symbol;
/**
 * The `type` of an event outside KnownEventType (e.g. `summary.daily.available`). Branded at the type level only,
 * so that `event.type === "charge.succeeded"` narrows a PingppEvent to the charge event alone. To compare with a
 * type string outside the union, widen first: `(event.type as string) === "summary.daily.available"`.
 */
export type OtherEventType = `${string}.${string}` & { readonly [otherEventTypeBrand]: true };

/**
 * An event whose type is not in scope: kept, generic. (`data.object` of a type with a known prefix, e.g.
 * `charge.reversed`, was still validated by its object schema: see eventObjectKind and isEventFor.)
 */
export type OtherPingppEvent = TypedPingppEvent<OtherEventType, Record<string, unknown>>;

/**
 * A parsed event: a discriminated union on `type`. `data.object` is validated by the schema of its type's
 * object (see eventObjectKind); unknown types are kept as OtherPingppEvent with a loose record.
 * Narrow on the type (`if (event.type === "charge.succeeded")` → `event.data.object` is a Charge; a `switch` works
 * too), or on the object kind with `isEventFor(event, "charge")`.
 */
export type PingppEvent = KnownPingppEvent | OtherPingppEvent;

/** The events whose `data.object` is of kind K: the known types of that kind, and other types with that prefix. */
export type EventFor<K extends EventObjectKind> =
  | { [T in KnownEventType]: (typeof EVENT_TYPES)[T] extends K ? EventOfType<T> : never }[KnownEventType]
  | (OtherPingppEvent & { data: { object: EventObjectMap[K] } });

export const eventSchema = eventEnvelopeSchema.transform((event, ctx): PingppEvent => {
  const kind = eventObjectKind(event.type);
  if (!kind) return event as OtherPingppEvent;
  const parsed = EVENT_OBJECT_SCHEMAS[kind].safeParse(event.data.object);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({
        code: "custom",
        message: issue.message,
        path: ["data", "object", ...issue.path],
      });
    }
    return z.NEVER;
  }
  return { ...event, data: { ...event.data, object: parsed.data } } as PingppEvent;
});

/** Narrow by the kind of `data.object` (every type with that prefix, in scope or not). */
export function isEventFor<K extends EventObjectKind>(event: PingppEvent, kind: K): event is EventFor<K> {
  return eventObjectKind(event.type) === kind;
}

// ---------------------------------------------------------------- error body

export const PINGPP_ERROR_TYPES = ["invalid_request_error", "api_error", "channel_error", "card_error"] as const;

/** `{"error":{"type","message","code"?,"param"?}}`. `type` is kept open (unknown types are not refused). */
export const errorBodySchema = z.looseObject({
  error: z.looseObject({
    type: z.string(),
    message: z.string(),
    code: z.string().optional(),
    param: z.string().optional(),
  }),
});
export type PingppErrorBody = z.infer<typeof errorBodySchema>;
