import { z } from "../zod";
import { filterDay } from "./dates";

/** A yyyy-mm-dd day from a query string: strict (lib/validations/dates.ts); malformed → reported. */
export const queryDay = filterDay;

/** Audit log filters from the query string; anything malformed is ignored rather than failing the page. */
export const auditFilterSchema = z.object({
  actor: z.string().trim().max(200).optional().catch(undefined),
  action: z.string().trim().max(100).optional().catch(undefined),
  target: z.string().trim().max(200).optional().catch(undefined),
  result: z.enum(["ok", "refused", "error"]).optional().catch(undefined),
  from: queryDay,
  to: queryDay,
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
export type AuditFilterInput = z.infer<typeof auditFilterSchema>;
