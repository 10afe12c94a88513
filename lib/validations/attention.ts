import { z } from "../zod";

export const ATTENTION_KINDS = ["chargeStuck", "chargeNoWebhook", "eventFailed", "eventForeign", "orderAnomaly", "refundFailed", "refundPending", "refundAwaitingApproval", "redEnvelopeFailed", "redEnvelopeSending", "royaltyTransactionFailed"] as const;

const item = { kind: z.enum(ATTENTION_KINDS), objectId: z.string().trim().min(1).max(64) };
export const syncAttentionSchema = z.object(item);
export const resolveAttentionSchema = z.object({ ...item, note: z.string().trim().min(1, "required").max(500, "tooLong") });
