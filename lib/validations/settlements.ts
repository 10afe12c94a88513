import { z } from "../zod";
import { ROYALTY_METHODS } from "../pingpp/limits";
import { ROYALTY_SETTLEMENT_STATUSES } from "../pingpp/schemas";
import { optionalYuanMin } from "./amount";
import { queryDay } from "./audit";
import { q } from "./orders";
import { parseDay } from "../dates";

export { ROYALTY_METHODS, ROYALTY_SETTLEMENT_STATUSES };
export type RoyaltyMethod = (typeof ROYALTY_METHODS)[number];

/** Ping++ allows 10 metadata keys; the console keeps one for its idempotency key. */
export const MAX_METADATA_KEYS = 9;

/** A day of the preview form: empty, or a real day (lib/dates.ts parseDay), else "date". */
const day = z.union([z.literal(""), z.string().refine((v) => parseDay(v) !== null, "date")]).optional();
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, "tooLong")
    .optional()
    .transform((v) => v || undefined);
const appId = z
  .string()
  .trim()
  .regex(/^app_[A-Za-z0-9]{1,64}$/, "appId");

/** "key=value" lines → metadata. */
const metadataLines = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const out: Record<string, string> = {};
    for (const line of (v ?? "")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)) {
      const m = /^([A-Za-z0-9_.-]{1,40})\s*=\s*(.{0,500})$/.exec(line);
      if (!m) {
        ctx.addIssue({ code: "custom", message: "metadataLine" });
        return z.NEVER;
      }
      out[m[1]!] = m[2]!;
    }
    if (Object.keys(out).length > MAX_METADATA_KEYS) {
      ctx.addIssue({ code: "custom", message: "metadataTooMany" });
      return z.NEVER;
    }
    return out;
  });

// Messages are i18n keys under "validation".
const settlementParams = z.object({
  payerApp: appId,
  method: z.enum(ROYALTY_METHODS, "method"),
  recipientApp: z
    .union([z.literal(""), appId])
    .optional()
    .transform((v) => v || undefined),
  from: day,
  to: day,
  sourceUser: optionalText(64),
  sourceNo: optionalText(64),
  minAmount: optionalYuanMin,
  metadata: metadataLines,
});

const rangeInOrder = (v: { from?: string; to?: string }, ctx: z.RefinementCtx) => {
  if (v.from && v.to && v.from > v.to) ctx.addIssue({ code: "custom", path: ["to"], message: "dateRange" });
};

/** What selects the royalties to settle: the preview form, and the create that follows it. */
export const previewSettlementSchema = settlementParams.superRefine(rangeInOrder);
export type SettlementParamsInput = z.input<typeof previewSettlementSchema>;
export type SettlementParamsData = z.output<typeof previewSettlementSchema>;

export const createSettlementSchema = settlementParams
  .extend({ idempotencyKey: z.uuid("invalid") })
  .superRefine(rangeInOrder);
export type CreateSettlementInput = z.input<typeof createSettlementSchema>;
export type CreateSettlementData = z.output<typeof createSettlementSchema>;

export const settlementIdSchema = z.object({ id: z.uuid("invalidId") });

/** List filters from the query string; anything malformed is ignored rather than failing the page. */
export const settlementFilterSchema = z.object({
  status: z.enum(ROYALTY_SETTLEMENT_STATUSES).optional().catch(undefined),
  method: z.enum(ROYALTY_METHODS).optional().catch(undefined),
  from: queryDay,
  to: queryDay,
  /** A prefix of the Ping++ id or of ours (case-sensitive). */
  q,
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
export type SettlementFilterInput = z.infer<typeof settlementFilterSchema>;
