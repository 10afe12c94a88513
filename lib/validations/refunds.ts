import { z } from "../zod";
import { day, page, q, yuanSchema } from "./orders";
import { parseYuanToFen } from "../money";
import { FUNDING_SOURCES, REFUND_MODES } from "../pingpp/limits";

// Messages are i18n keys under "validation".

// Ping++'s own lists, shared with the client and the sandbox.
export { FUNDING_SOURCES, REFUND_MODES };

const refundFields = {
  idempotencyKey: z.uuid("invalid"),
  amount: yuanSchema,
  /** The reason: required, it is what Ping++ and the audit log keep. */
  description: z.string().trim().min(1, "reasonRequired").max(255, "tooLong"),
  fundingSource: z.enum(FUNDING_SOURCES).optional(),
};

/**
 * `royalty_users` of an order refund, typed one per line as "user,amount" (amount in yuan):
 * how much of each royalty user's share goes back with this refund.
 */
export const royaltyUsersSchema = z
  .string()
  .max(5000, "tooLong")
  .optional()
  .transform((text, ctx) => {
    const lines = (text ?? "")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    const out: { user: string; amountRefunded: number }[] = [];
    for (const line of lines) {
      const [user = "", amount = "", ...rest] = line.split(/[,，\s]+/);
      const fen = parseYuanToFen(amount);
      if (rest.length || !/^[A-Za-z0-9_-]{1,64}$/.test(user) || fen === null || fen <= 0) {
        ctx.addIssue({ code: "custom", message: "royaltyLine" });
        return z.NEVER;
      }
      out.push({ user, amountRefunded: fen });
    }
    return out.length ? out : undefined;
  });

/** `POST /orders/{id}/order_refunds`: which of the order's charges, how much, why. */
export const refundOrderSchema = z
  .object({
    ...refundFields,
    orderId: z.uuid("invalidId"),
    chargeId: z
      .string()
      .regex(/^ch_\w+$/, "invalidId")
      .optional(),
    refundMode: z.enum(REFUND_MODES).optional(),
    royaltyUsers: royaltyUsersSchema,
  })
  .refine((v) => !v.royaltyUsers || v.royaltyUsers.reduce((s, u) => s + u.amountRefunded, 0) <= v.amount, {
    path: ["royaltyUsers"],
    message: "royaltyOverRefund",
  });
export type RefundOrderData = z.output<typeof refundOrderSchema>;

/** `POST /charges/{id}/refunds` of a plain (non-order) charge. */
export const refundChargeSchema = z.object({ ...refundFields, chargeId: z.string().regex(/^ch_\w+$/, "invalidId") });
export type RefundChargeData = z.output<typeof refundChargeSchema>;

export const refundIdSchema = z.object({ id: z.uuid("invalidId") });

export const refundFilterSchema = z.object({
  status: z.enum(["awaiting_approval", "pending", "succeeded", "failed"]).optional().catch(undefined),
  kind: z.enum(["order", "charge"]).optional().catch(undefined),
  from: day,
  to: day,
  q,
  page,
});
export type RefundFilter = z.infer<typeof refundFilterSchema>;
