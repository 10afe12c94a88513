import { z } from "../zod";
import { parseYuan } from "../money";

// Messages are i18n keys under "validation".

/** The admin's refund limits, in fen; null = off. */
export interface RefundApprovalSettings {
  threshold: number | null;
  dayLimit: number | null;
}

/** A limit typed in yuan with the strict parser; empty = off. */
const optionalLimit = z
  .string()
  .max(32, "tooLong")
  .optional()
  .transform((v, ctx) => {
    if (!v?.trim()) return null;
    const r = parseYuan(v);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.error });
      return z.NEVER;
    }
    return r.fen;
  });

/** 设置 → refund approval: per refund (at or above → approval), and per person per day (above → approval). */
export const refundApprovalSchema = z.object({ threshold: optionalLimit, dayLimit: optionalLimit });
export type RefundApprovalInput = z.input<typeof refundApprovalSchema>;

/** Approve or reject a held refund: the note is required (it is what the audit log keeps). */
export const refundDecisionSchema = z.object({
  id: z.uuid("invalidId"),
  note: z.string().trim().min(1, "noteRequired").max(255, "tooLong"),
});

/** The requester withdraws a held refund; a note is optional. */
export const refundWithdrawSchema = z.object({
  id: z.uuid("invalidId"),
  note: z
    .string()
    .trim()
    .max(255, "tooLong")
    .optional()
    .transform((v) => v ?? ""),
});
