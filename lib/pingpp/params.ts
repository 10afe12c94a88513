/**
 * zod schemas of the parameters of each call. The client parses its input
 * with them before any request leaves, and sends the parsed output (so
 * defaults such as `currency` are filled in). Types are the schemas' input.
 */
import { z } from "../zod";
import { CHANNEL_CURRENCY, type QrChannel } from "./channels";
import {
  FUNDING_SOURCES,
  ISV_TERMINAL_ID_MAX,
  ISV_TERMINAL_ID_PATTERN,
  RED_ENVELOPE_BYTES,
  RED_ENVELOPE_MAX_AMOUNT,
  RED_ENVELOPE_MIN_AMOUNT,
  RED_ENVELOPE_SCENES,
  REFUND_MODES,
  ROYALTY_METHODS,
  SCAN_CODE_MAX,
} from "./limits";

export * from "./limits";

// ---------------------------------------------------------------- building blocks

const utf8 = new TextEncoder();
const byteLength = (s: string) => utf8.encode(s).length;
const charLength = (s: string) => [...s].length;

/** Required text of 1..max Unicode characters. */
const chars = (max: number) =>
  z
    .string()
    .min(1)
    .refine((s) => charLength(s) <= max, `must be at most ${max} characters`);
/** Required text of 1..max UTF-8 bytes (a Chinese character is 3 bytes). */
const bytes = (max: number) =>
  z
    .string()
    .min(1)
    .refine((s) => byteLength(s) <= max, `must be at most ${max} bytes (UTF-8)`);

/** Money: a positive integer number of fen. */
const amount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const timestamp = z.number().int().nonnegative();
const id = z.string().min(1);

const metadata = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
  .refine((m) => Object.keys(m).length <= 10, "at most 10 keys");

/** Charge order_no: letters and digits, at most 27 (the tightest channel limit). */
export const chargeOrderNoSchema = z.string().regex(/^[0-9A-Za-z]{1,27}$/, "must be 1-27 letters or digits");
/** Red envelope order_no: 1-28 digits. */
export const redEnvelopeOrderNoSchema = z.string().regex(/^[0-9]{1,28}$/, "must be 1-28 digits");
/** Order merchant_order_no: 8-20 letters or digits. */
export const merchantOrderNoSchema = z.string().regex(/^[0-9A-Za-z]{8,20}$/, "must be 8-20 letters or digits");

export const createdFilterSchema = z.object({
  gt: timestamp.optional(),
  gte: timestamp.optional(),
  lt: timestamp.optional(),
  lte: timestamp.optional(),
});

/** Cursor paging (charges, refunds, red envelopes). */
const cursorParams = {
  limit: z.number().int().min(1).max(100).optional(),
  starting_after: id.optional(),
  ending_before: id.optional(),
  created: createdFilterSchema.optional(),
};

/** Page paging (orders, order refunds/charges, royalty settlements/transactions). */
const pageParams = (maxPerPage: number) => ({
  page: z.number().int().min(1).max(100_000_000).optional(),
  per_page: z.number().int().min(1).max(maxPerPage).optional(),
});

// ---------------------------------------------------------------- per-channel extra

/** 1-8 letters or digits (limits.ts). */
const terminalId = z
  .string()
  .max(ISV_TERMINAL_ID_MAX, `must be at most ${ISV_TERMINAL_ID_MAX} characters`)
  .regex(ISV_TERMINAL_ID_PATTERN, `must be 1-${ISV_TERMINAL_ID_MAX} letters or digits`);
const productId = z.string().min(1).max(32);
const goodsNum = z.union([
  z.string().regex(/^[1-9][0-9]*$/, "must be a positive integer"),
  z.number().int().positive(),
]);
const noExtra = z.looseObject({}).optional();

/** `extra` rules of each QR channel (API.md §2.1). Unknown keys are passed on. */
export const CHANNEL_EXTRA_SCHEMAS = {
  alipay_qr: noExtra,
  wx_pub_qr: z.looseObject({
    product_id: productId,
    limit_pay: z.literal("no_credit").optional(),
    goods_tag: z.string().optional(),
  }),
  cb_alipay_qr: noExtra,
  cb_wx_pub_qr: z.looseObject({
    product_id: productId,
    goods_list: z.array(z.looseObject({ goods_name: z.string().min(1), goods_num: goodsNum })).min(1),
    limit_pay: z.literal("no_credit").optional(),
  }),
  upacp_qr: noExtra,
  ccb_qr: noExtra,
  isv_qr: z.looseObject({
    terminal_id: terminalId,
    pay_channel: z.enum(["alipay", "wx", "bfb"]),
  }),
  isv_scan: z.looseObject({
    terminal_id: terminalId,
    scan_code: chars(SCAN_CODE_MAX),
    goods_list: z.array(z.looseObject({})).optional(),
  }),
  isv_wap: z.looseObject({
    terminal_id: terminalId,
    pay_channel: z.enum(["alipay", "wx", "bfb"]),
    result_url: z.url(),
  }),
} as const satisfies Record<QrChannel, z.ZodType>;

type ExtraSchemas = typeof CHANNEL_EXTRA_SCHEMAS;

// ---------------------------------------------------------------- charges

const chargeBase = {
  order_no: chargeOrderNoSchema,
  app: z.object({ id }),
  amount,
  client_ip: z.string().min(1).max(64),
  subject: chars(32),
  body: chars(128),
  time_expire: timestamp.optional(),
  metadata: metadata.optional(),
  description: chars(255).optional(),
};

function chargeOption<C extends QrChannel>(channel: C) {
  const currency = CHANNEL_CURRENCY[channel];
  return z.object({
    ...chargeBase,
    channel: z.literal(channel),
    currency: z.literal(currency).default(currency),
    extra: CHANNEL_EXTRA_SCHEMAS[channel] as ExtraSchemas[C],
  });
}

export const chargeCreateParamsSchema = z.discriminatedUnion("channel", [
  chargeOption("alipay_qr"),
  chargeOption("wx_pub_qr"),
  chargeOption("cb_alipay_qr"),
  chargeOption("cb_wx_pub_qr"),
  chargeOption("upacp_qr"),
  chargeOption("ccb_qr"),
  chargeOption("isv_qr"),
  chargeOption("isv_scan"),
  chargeOption("isv_wap"),
]);
export type ChargeCreateParams = z.input<typeof chargeCreateParamsSchema>;

export const chargeListParamsSchema = z.object({
  app: z.object({ id }),
  ...cursorParams,
  channel: z.string().min(1).optional(),
  paid: z.boolean().optional(),
  refunded: z.boolean().optional(),
  reversed: z.boolean().optional(),
});
export type ChargeListParams = z.input<typeof chargeListParamsSchema>;

// ---------------------------------------------------------------- refunds

export const refundCreateParamsSchema = z.object({
  /** default: the whole remaining amount */
  amount: amount.optional(),
  description: chars(255),
  metadata: metadata.optional(),
  funding_source: z.enum(FUNDING_SOURCES).optional(),
});
export type RefundCreateParams = z.input<typeof refundCreateParamsSchema>;

export const refundListParamsSchema = z.object({ ...cursorParams });
export type RefundListParams = z.input<typeof refundListParamsSchema>;

// ---------------------------------------------------------------- orders

const royaltyUser = z.object({ user: id, amount: z.number().int().nonnegative() });

export const orderCreateParamsSchema = z.object({
  app: id,
  merchant_order_no: merchantOrderNoSchema,
  amount,
  currency: z.enum(["cny", "usd"]).default("cny"),
  client_ip: z.string().min(1).max(64),
  subject: chars(32),
  body: chars(128),
  uid: id,
  description: chars(255).optional(),
  coupon: z.string().optional(),
  actual_amount: amount.optional(),
  time_expire: timestamp.optional(),
  metadata: metadata.optional(),
  receipt_app: id.optional(),
  service_app: id.optional(),
  royalty_users: z.array(royaltyUser).optional(),
  royalty_template: z.string().optional(),
});
export type OrderCreateParams = z.input<typeof orderCreateParamsSchema>;

export const orderListParamsSchema = z.object({
  app: id,
  uid: z.string().optional(),
  receipt_app: id.optional(),
  service_app: id.optional(),
  paid: z.boolean().optional(),
  refunded: z.boolean().optional(),
  canceled: z.boolean().optional(),
  created: createdFilterSchema.optional(),
  ...pageParams(20),
});
export type OrderListParams = z.input<typeof orderListParamsSchema>;

export const orderCancelParamsSchema = z.object({ user: z.string().min(1).optional() });
export type OrderCancelParams = z.input<typeof orderCancelParamsSchema>;

function payOption<C extends QrChannel>(channel: C) {
  return z.object({
    channel: z.literal(channel),
    charge_amount: amount,
    extra: CHANNEL_EXTRA_SCHEMAS[channel] as ExtraSchemas[C],
    time_expire: timestamp.optional(),
    charge_order_no: chargeOrderNoSchema.optional(),
  });
}

export const orderPayParamsSchema = z.discriminatedUnion("channel", [
  payOption("alipay_qr"),
  payOption("wx_pub_qr"),
  payOption("cb_alipay_qr"),
  payOption("cb_wx_pub_qr"),
  payOption("upacp_qr"),
  payOption("ccb_qr"),
  payOption("isv_qr"),
  payOption("isv_scan"),
  payOption("isv_wap"),
]);
export type OrderPayParams = z.input<typeof orderPayParamsSchema>;

export const orderPageParamsSchema = z.object({ ...pageParams(100) });
export type OrderPageParams = z.input<typeof orderPageParamsSchema>;

export const orderRefundCreateParamsSchema = z
  .object({
    /** which of the order's charges; default: Ping++ picks */
    charge: id.optional(),
    charge_amount: amount.optional(),
    description: chars(255),
    metadata: metadata.optional(),
    refund_mode: z.enum(REFUND_MODES).optional(),
    funding_source: z.enum(FUNDING_SOURCES).optional(),
    royalty_users: z.array(z.object({ user: id, amount_refunded: z.number().int().nonnegative() })).optional(),
  })
  // Ping++ takes charge_amount only for the charge it names.
  .refine((p) => p.charge_amount === undefined || p.charge !== undefined, {
    path: ["charge_amount"],
    message: "only with charge",
  });
export type OrderRefundCreateParams = z.input<typeof orderRefundCreateParamsSchema>;

// ---------------------------------------------------------------- red envelopes

export const redEnvelopeCreateParamsSchema = z
  .object({
    app: z.object({ id }),
    channel: z.literal("wx_pub").default("wx_pub"),
    order_no: redEnvelopeOrderNoSchema,
    amount,
    currency: z.literal("cny").default("cny"),
    recipient: z.string().min(1).max(128),
    subject: bytes(RED_ENVELOPE_BYTES.subject),
    body: bytes(RED_ENVELOPE_BYTES.body),
    description: bytes(RED_ENVELOPE_BYTES.description),
    // every extra value must be a string (Java SDK: Map<String,String>)
    extra: z
      .object({ send_name: bytes(RED_ENVELOPE_BYTES.send_name), scene_id: z.enum(RED_ENVELOPE_SCENES).optional() })
      .catchall(z.string()),
    metadata: metadata.optional(),
  })
  .superRefine((p, ctx) => {
    const inRange = p.amount >= RED_ENVELOPE_MIN_AMOUNT && p.amount <= RED_ENVELOPE_MAX_AMOUNT;
    if (!inRange && !p.extra.scene_id) {
      ctx.addIssue({
        code: "custom",
        path: ["amount"],
        message: `must be ${RED_ENVELOPE_MIN_AMOUNT}-${RED_ENVELOPE_MAX_AMOUNT} fen unless extra.scene_id (PRODUCT_1..8) is set`,
      });
    }
  });
export type RedEnvelopeCreateParams = z.input<typeof redEnvelopeCreateParamsSchema>;

export const redEnvelopeListParamsSchema = z.object({
  app: z.object({ id }).optional(),
  ...cursorParams,
});
export type RedEnvelopeListParams = z.input<typeof redEnvelopeListParamsSchema>;

// ---------------------------------------------------------------- royalty

export const royaltySettlementCreateParamsSchema = z.object({
  payer_app: id,
  method: z.enum(ROYALTY_METHODS),
  recipient_app: id.optional(),
  /** selects the royalties to settle */
  created: createdFilterSchema.optional(),
  source_user: z.string().min(1).optional(),
  source_no: z.string().min(1).optional(),
  min_amount: z.number().int().nonnegative().optional(),
  metadata: metadata.optional(),
  /** compute only: nothing is created, no royalty changes state */
  is_preview: z.boolean().optional(),
});
export type RoyaltySettlementCreateParams = z.input<typeof royaltySettlementCreateParamsSchema>;

export const royaltySettlementListParamsSchema = z.object({
  payer_app: id,
  method: z.enum(ROYALTY_METHODS).optional(),
  created: createdFilterSchema.optional(),
  ...pageParams(100),
});
export type RoyaltySettlementListParams = z.input<typeof royaltySettlementListParamsSchema>;

export const royaltyTransactionListParamsSchema = z.object({
  royalty_settlement: id.optional(),
  status: z.string().min(1).optional(),
  source_user: z.string().min(1).optional(),
  recipient_app: id.optional(),
  created: createdFilterSchema.optional(),
  ...pageParams(100),
});
export type RoyaltyTransactionListParams = z.input<typeof royaltyTransactionListParamsSchema>;
