/**
 * Parameter limits Ping++ documents, as plain constants (no zod, no imports): one source for the
 * client's parameter schemas (params.ts), the console's forms (lib/validations) and the sandbox,
 * so that the three can never disagree.
 */

/**
 * `extra.terminal_id` of the `isv_*` channels: "终端号，1~8 位英文或数字，要求不同终端此号码不一样，
 * 会显示在对账单中" (Ping++'s Node SDK, example/charge_extra.js).
 */
export const ISV_TERMINAL_ID_MAX = 8;
export const ISV_TERMINAL_ID_PATTERN = /^[0-9A-Za-z]{1,8}$/;

/** `extra.scan_code` of `isv_scan`: "客户端软件中展示的条码值，扫码设备扫描获取。1~32 位字符串" (same file). */
export const SCAN_CODE_MAX = 32;

/** Order refunds' `refund_mode`: back the way it was paid, or to the user's balance. */
export const REFUND_MODES = ["to_source", "to_balance"] as const;
export type RefundMode = (typeof REFUND_MODES)[number];

/** Refunds' `funding_source` (which WeChat Pay funds pay the refund); WeChat channels only. */
export const FUNDING_SOURCES = ["unsettled_funds", "recharge_funds"] as const;
export type FundingSource = (typeof FUNDING_SOURCES)[number];

/** WeChat Pay channels (`wx_pub_qr`, `cb_wx_pub_qr`, …): the only ones `funding_source` applies to. */
export const isWechatChannel = (channel: string): boolean => /(^|_)wx(_|$)/.test(channel);

/** Red envelopes' `extra.scene_id` (API.md §2.4): with one, amounts outside 1-200 yuan are allowed. */
export const RED_ENVELOPE_SCENES = [
  "PRODUCT_1",
  "PRODUCT_2",
  "PRODUCT_3",
  "PRODUCT_4",
  "PRODUCT_5",
  "PRODUCT_6",
  "PRODUCT_7",
  "PRODUCT_8",
] as const;
export type RedEnvelopeScene = (typeof RED_ENVELOPE_SCENES)[number];
/** A red envelope's amount in fen: 1-200 yuan, or with a scene_id anything up to 4,999 yuan (API.md §2.4). */
export const RED_ENVELOPE_MIN_AMOUNT = 100;
export const RED_ENVELOPE_MAX_AMOUNT = 20_000;
export const RED_ENVELOPE_SCENE_MAX_AMOUNT = 499_900;
/** A red envelope's texts: at most so many UTF-8 bytes each (a Chinese character is 3). */
export const RED_ENVELOPE_BYTES = { send_name: 32, subject: 32, body: 128, description: 255 } as const;

/** Royalty settlements' `method`: to the balance, or through a channel. */
export const ROYALTY_METHODS = [
  "balance",
  "wx",
  "wx_pub",
  "wx_lite",
  "alipay",
  "unionpay",
  "allinpay",
  "jdpay",
] as const;
