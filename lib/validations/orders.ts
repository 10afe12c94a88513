import { z } from "../zod";
import { yuanAmount } from "./amount";
import { filterDay } from "./dates";
import { createChargeSchema } from "./charges";

// Messages are i18n keys under "validation".

/** Yuan as typed ("12.34") → fen, > 0 (the shared amount schema). */
export const yuanSchema = yuanAmount;

/** Order mode on the cashier screen: the charge form plus the buyer's Ping++ uid. */
export const createOrderSchema = createChargeSchema.safeExtend({
  uid: z
    .string()
    .trim()
    .max(64, "tooLong")
    .regex(/^[A-Za-z0-9_-]*$/, "uidChars")
    .optional(),
});
export type CreateOrderInput = z.input<typeof createOrderSchema>;
export type CreateOrderData = z.output<typeof createOrderSchema>;

export const cancelOrderSchema = z.object({ id: z.uuid("invalidId"), idempotencyKey: z.uuid("invalid") });

export const orderIdSchema = z.object({ id: z.uuid("invalidId") });

/** Filter days: strict (lib/validations/dates.ts); a malformed one is reported, not ignored. */
export const day = filterDay;
export const yesNo = z.enum(["yes", "no"]).optional().catch(undefined);
export const page = z.coerce.number().int().min(1).max(100_000).optional().catch(undefined);
export const q = z.string().trim().max(64).optional().catch(undefined);

/** Orders list filters from the query string; anything malformed is ignored. */
export const orderFilterSchema = z.object({
  status: z.enum(["created", "paid", "canceled", "partially_refunded", "refunded"]).optional().catch(undefined),
  paid: yesNo,
  refunded: yesNo,
  canceled: yesNo,
  attention: z.enum(["1"]).optional().catch(undefined),
  from: day,
  to: day,
  q,
  page,
});
export type OrderFilter = z.infer<typeof orderFilterSchema>;
