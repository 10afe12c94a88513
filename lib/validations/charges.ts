import { z } from "../zod";
import { QR_CHANNELS, type QrChannel } from "../pingpp/channels";
import { ISV_TERMINAL_ID_PATTERN, SCAN_CODE_MAX } from "../pingpp/limits";
import { yuanAmount } from "./amount";
import { filterDay } from "./dates";
import { CHANNEL_FIELDS } from "./charge-fields";

export { QR_CHANNELS, type QrChannel };

/** Extra fields each channel's form shows (zod-free, for the browser): lib/validations/charge-fields.ts. */
export { CHANNEL_FIELDS };

const utf8Len = (s: string) => new TextEncoder().encode(s).length;

// Messages are i18n keys under "validation".
export const createChargeSchema = z
  .object({
    idempotencyKey: z.uuid("invalid"),
    amount: yuanAmount,
    channel: z.enum(QR_CHANNELS, "channel"),
    subject: z.string().trim().min(1, "required").max(32, "subjectTooLong"),
    body: z.string().trim().min(1, "required").max(128, "bodyTooLong"),
    terminalId: z
      .string()
      .trim()
      .max(32, "terminalTooLong")
      .regex(/^[A-Za-z0-9_-]*$/, "terminalChars")
      .optional(),
    productId: z.string().trim().max(32, "tooLong").optional(),
    goodsName: z.string().trim().max(64, "tooLong").optional(),
    goodsNum: z
      .string()
      .trim()
      .regex(/^\d{0,6}$/, "goodsNum")
      .optional(),
    payChannel: z.enum(["alipay", "wx", "bfb"]).optional(),
    scanCode: z.string().trim().max(SCAN_CODE_MAX, "scanCodeTooLong").optional(),
    // where isv_wap sends the customer after paying: a web page (http or https), never javascript: or data:
    resultUrl: z.union([z.literal(""), z.url("url").refine((u) => /^https?:\/\//i.test(u), "url")]).optional(),
  })
  .superRefine((v, ctx) => {
    const need = (field: keyof typeof v, ok: boolean, message = "required") => {
      if (!ok) ctx.addIssue({ code: "custom", path: [field], message });
    };
    const fields = CHANNEL_FIELDS[v.channel];
    if (fields.includes("productId")) need("productId", !!v.productId);
    if (fields.includes("goods")) {
      need("goodsName", !!v.goodsName);
      need("goodsNum", !!v.goodsNum && Number(v.goodsNum) > 0, "goodsNum");
    }
    // ISV channels need a terminal: the form's, else the cashier's own (checked by the service).
    // Ping++ takes 1-8 letters or digits as an isv_* terminal_id (the same rule as the client's).
    if (fields.includes("terminalId") && v.terminalId)
      need("terminalId", ISV_TERMINAL_ID_PATTERN.test(v.terminalId), "isvTerminalId");
    if (fields.includes("scanCode")) need("scanCode", !!v.scanCode);
    if (fields.includes("payChannel")) need("payChannel", !!v.payChannel);
    if (fields.includes("resultUrl")) need("resultUrl", !!v.resultUrl);
    need("subject", utf8Len(v.subject) <= 96, "subjectTooLong");
  });
export type CreateChargeInput = z.input<typeof createChargeSchema>;
export type CreateChargeData = z.output<typeof createChargeSchema>;

export const chargeIdSchema = z.object({ id: z.uuid("invalidId") });

/** Filter days: strict (lib/validations/dates.ts); a malformed one is reported, not ignored. */
const day = filterDay;
export const CHARGE_LIST_STATUSES = ["pending", "paid", "expired", "reversed", "failed"] as const;

/** Charges list filters from the query string (also what an export selects); bad values are ignored. */
export const chargeFilterSchema = z.object({
  status: z.enum(CHARGE_LIST_STATUSES).optional().catch(undefined),
  channel: z.enum(QR_CHANNELS).optional().catch(undefined),
  terminal: z
    .string()
    .trim()
    .max(32)
    .regex(/^[A-Za-z0-9_-]*$/)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  from: day,
  to: day,
  q: z
    .string()
    .trim()
    .max(64)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  cursor: z.string().max(200).optional().catch(undefined),
  /** The page before this row (the "previous" link of keyset paging). */
  before: z.string().max(200).optional().catch(undefined),
  /** Rows per page (default 50). */
  per: z.coerce
    .number()
    .pipe(z.union([z.literal(10), z.literal(25), z.literal(50), z.literal(100)]))
    .optional()
    .catch(undefined),
});
export type ChargeFilter = Partial<z.output<typeof chargeFilterSchema>>;
