/** QR-code (扫码) channels the console creates charges for. */
export const QR_CHANNELS = [
  "alipay_qr",
  "wx_pub_qr",
  "cb_alipay_qr",
  "cb_wx_pub_qr",
  "upacp_qr",
  "ccb_qr",
  "isv_qr",
  "isv_scan",
  "isv_wap",
] as const;
export type QrChannel = (typeof QR_CHANNELS)[number];

export function isQrChannel(channel: string): channel is QrChannel {
  return (QR_CHANNELS as readonly string[]).includes(channel);
}

export type Currency = "cny" | "usd";

/** Cross-border (`cb_*`) channels settle in US dollars, everything else in yuan. */
export const CHANNEL_CURRENCY = {
  alipay_qr: "cny",
  wx_pub_qr: "cny",
  cb_alipay_qr: "usd",
  cb_wx_pub_qr: "usd",
  upacp_qr: "cny",
  ccb_qr: "cny",
  isv_qr: "cny",
  isv_scan: "cny",
  isv_wap: "cny",
} as const satisfies Record<QrChannel, Currency>;

/** Currency of any channel: `usd` for `cb_*`, `cny` otherwise. */
export function currencyForChannel(channel: string): Currency {
  return channel.startsWith("cb_") ? "usd" : "cny";
}

/**
 * QR channels whose unpaid charges can be reversed (撤销), API.md §2.1.
 * `upacp_qr`, `ccb_qr`, `cb_alipay_qr`, `cb_wx_pub_qr` are not in Ping++'s list.
 */
export const REVERSIBLE_CHANNELS = ["alipay_qr", "wx_pub_qr", "isv_qr", "isv_scan", "isv_wap"] as const;

/** Of those, the ones Ping++ also reverses when already paid (same day, not linked to an order). */
export const REVERSIBLE_WHEN_PAID_CHANNELS = ["isv_qr", "isv_scan", "isv_wap"] as const;

export function isReversibleChannel(channel: string): boolean {
  return (REVERSIBLE_CHANNELS as readonly string[]).includes(channel);
}
