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
