import { z } from "../zod";

export const ATTENTION_KINDS = [
  "chargeStuck",
  "chargeNoWebhook",
  "eventFailed",
  "eventForeign",
  "orderAnomaly",
  "refundFailed",
  "refundPending",
  "refundAwaitingApproval",
  "redEnvelopeFailed",
  "redEnvelopeSending",
  "royaltyTransactionFailed",
] as const;

const item = { kind: z.enum(ATTENTION_KINDS), objectId: z.string().trim().min(1).max(64) };
export const syncAttentionSchema = z.object(item);
export const resolveAttentionSchema = z.object({
  ...item,
  note: z.string().trim().min(1, "required").max(500, "tooLong"),
});
/** 「从 Ping++ 同步」 of a whole kind. */
export const syncAttentionKindSchema = z.object({ kind: z.enum(ATTENTION_KINDS) });
/** The /attention page's query: a kind to show on its own, and its page. */
export const attentionFilterSchema = z.object({
  kind: z.enum(ATTENTION_KINDS).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
export type AttentionKind = (typeof ATTENTION_KINDS)[number];
