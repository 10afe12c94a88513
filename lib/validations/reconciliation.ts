import { z } from "../zod";
import { parseDay } from "../dates";

/** The day to reconcile (yyyy-mm-dd, Asia/Shanghai); "today or before" is the service's check. */
export const runReconciliationSchema = z.object({
  day: z.unknown().transform((v, ctx) => {
    const day = parseDay(v);
    if (day === null) {
      ctx.addIssue({ code: "custom", message: "date" });
      return z.NEVER;
    }
    return day;
  }),
});

export const fixDifferenceSchema = z.object({ id: z.uuid("invalidId") });
export const noteDifferenceSchema = z.object({
  id: z.uuid("invalidId"),
  note: z.string().trim().min(1, "required").max(500, "tooLong"),
});
