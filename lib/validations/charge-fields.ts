import type { QrChannel } from "../pingpp/channels";

/**
 * Extra fields each channel's form shows (API.md §2.1). Plain data, no zod: the cashier's charge
 * form reads it in the browser, where the whole of zod would be ~90 KB for a lookup table (the
 * server validates with lib/validations/charges.ts, which re-exports this).
 */
export const CHANNEL_FIELDS: Record<
  QrChannel,
  readonly ("productId" | "goods" | "terminalId" | "payChannel" | "scanCode" | "resultUrl")[]
> = {
  alipay_qr: [],
  wx_pub_qr: ["productId"],
  cb_alipay_qr: [],
  cb_wx_pub_qr: ["productId", "goods"],
  upacp_qr: [],
  ccb_qr: [],
  isv_qr: ["terminalId", "payChannel"],
  isv_scan: ["terminalId", "scanCode"],
  isv_wap: ["terminalId", "payChannel", "resultUrl"],
};
