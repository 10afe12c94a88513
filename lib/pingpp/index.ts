/**
 * Ping++ wire client: typed resources, zod schemas of Ping++ objects, request
 * signing, webhook signature verification, typed errors. Pure TypeScript
 * (node:crypto + global fetch), no database, no Next.js: usable from scripts.
 */
export { createPingpp, parseParams, type Pingpp, type PingppOptions } from "./client";
export { DEFAULT_API_BASE, DEFAULT_TIMEOUT_MS, encodeQuery } from "./http";
export {
  PingppConnectionError,
  PingppError,
  PingppResponseError,
  PingppValidationError,
  formatPath,
  type IssueSummary,
} from "./errors";
export {
  CHANNEL_CURRENCY,
  QR_CHANNELS,
  REVERSIBLE_CHANNELS,
  REVERSIBLE_WHEN_PAID_CHANNELS,
  currencyForChannel,
  isQrChannel,
  isReversibleChannel,
  type Currency,
  type QrChannel,
} from "./channels";
export * from "./schemas";
export * from "./params";
export {
  requestSigningPayload,
  rsaSign,
  rsaVerify,
  signRequest,
  verifyRequestSignature,
  verifyWebhookSignature,
  type SignedRequestParts,
} from "./signing";
export { parseEvent, parseEventJson } from "./webhook";
export { generateOrderNo, generateRedEnvelopeOrderNo } from "./ids";
