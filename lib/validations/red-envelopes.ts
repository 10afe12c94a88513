import { z } from "../zod";
import { parseYuan } from "../money";
import { yuanAmount } from "./amount";
import { filterDay } from "./dates";
import { q } from "./orders";
import { parseCsv, CsvError, CsvEncodingError, decodeCsvBytes } from "../csv/read";
import {
  amountError,
  MAX_BATCH_ROWS,
  MAX_CSV_BYTES,
  MAX_CSV_CHARS,
  openIdError,
  RED_ENVELOPE_SCENES,
  sceneError,
  textError,
  type EnvelopeText,
} from "./red-envelope-fields";
import type { RedEnvelopeScene } from "../pingpp/limits";

// The rules themselves are plain functions in red-envelope-fields.ts (the send form runs them in the
// browser without zod); the schemas below apply them. Messages are i18n keys under "validation".
export { amountError, MAX_BATCH_ROWS, MAX_CSV_BYTES, MAX_CSV_CHARS, RED_ENVELOPE_SCENES };

/** A trimmed string checked by one of those rules. */
const rule = (check: (s: string) => string | null) =>
  z
    .string()
    .trim()
    .superRefine((s, ctx) => {
      const message = check(s);
      if (message) ctx.addIssue({ code: "custom", message });
    });

const openId = rule(openIdError);
const text = (field: EnvelopeText) => rule((s) => textError(field, s));

/** The texts every envelope carries (a batch's are shared by its rows). */
const texts = {
  sendName: text("sendName"),
  subject: text("subject"),
  body: text("body"),
  description: text("description"),
  /** "" or absent: no scene. */
  sceneId: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const message = sceneError(v);
      if (message) ctx.addIssue({ code: "custom", message });
    })
    .transform((v) => (v || undefined) as RedEnvelopeScene | undefined),
};

const yuanToFen = yuanAmount;

export const sendRedEnvelopeSchema = z
  .object({ idempotencyKey: z.uuid("invalid"), recipient: openId, amount: yuanToFen, ...texts })
  .superRefine((v, ctx) => {
    const err = amountError(v.amount, v.sceneId);
    if (err) ctx.addIssue({ code: "custom", path: ["amount"], message: err });
  });
export type SendRedEnvelopeInput = z.input<typeof sendRedEnvelopeSchema>;
export type SendRedEnvelopeData = z.output<typeof sendRedEnvelopeSchema>;

export const batchDryRunSchema = z.object({
  fileName: z.string().trim().min(1, "required").max(200, "tooLong"),
  /** The file's bytes (the form sends them; decoded here, see decodeCsvBytes), or its text. */
  csv: z.union([z.string(), z.instanceof(Uint8Array)], "csvEmpty").transform((v, ctx) => {
    const fail = (message: string) => (ctx.addIssue({ code: "custom", message }), z.NEVER);
    if (v.length === 0) return fail("csvEmpty");
    if (typeof v !== "string" && v.length > MAX_CSV_BYTES) return fail("csvTooLarge");
    let text: string;
    try {
      text = typeof v === "string" ? v : decodeCsvBytes(v);
    } catch (e) {
      if (e instanceof CsvEncodingError) return fail(e.problem);
      throw e;
    }
    // Text the browser decoded with the wrong encoding carries U+FFFD: the same refusal.
    if (text.includes("\ufffd")) return fail("csvEncoding");
    if (text.length > MAX_CSV_CHARS) return fail("csvTooLarge");
    return text;
  }),
  budget: yuanToFen,
  ...texts,
});
export type BatchDryRunInput = z.input<typeof batchDryRunSchema>;
export type BatchDryRunData = z.output<typeof batchDryRunSchema>;

export const redEnvelopeIdSchema = z.object({ id: z.uuid("invalidId") });

/** The template offered for download: the header dryRunRows recognises and one example line. */
export const BATCH_TEMPLATE = {
  header: ["open_id", "amount", "wishing"],
  example: ["oExampleOpenId_0001", "8.88", "恭喜发财，大吉大利"],
} as const;

export interface DryRunRow {
  line: number;
  openId: string;
  amount: number | null;
  body: string | null;
  /** a "validation" key; null = valid */
  error: string | null;
}

/**
 * The dry run of a CSV (`open_id,amount[,wishing]`, amount in yuan, optional header line):
 * every row checked against the same rules as a single send. Throws "csv…" keys for a file
 * that cannot be read at all.
 */
export function dryRunRows(csv: string, sceneId: string | undefined): DryRunRow[] {
  let records;
  try {
    records = parseCsv(csv);
  } catch (e) {
    if (e instanceof CsvError) throw new Error("csvUnreadable");
    throw e;
  }
  if (records[0] && /^open_?id$/i.test(records[0].fields[0]?.trim() ?? "")) records.shift();
  if (records.length === 0) throw new Error("csvEmpty");
  if (records.length > MAX_BATCH_ROWS) throw new Error("csvTooManyRows");
  const seen = new Set<string>();
  return records.map(({ line, fields }) => {
    const [rawOpenId = "", rawAmount = "", rawBody = "", ...rest] = fields.map((f) => f.trim());
    const parsed = parseYuan(rawAmount);
    const fen = parsed.ok ? parsed.fen : null;
    const row: DryRunRow = { line, openId: rawOpenId, amount: fen, body: rawBody || null, error: null };
    const idError = openIdError(rawOpenId);
    const bodyError = rawBody ? textError("body", rawBody) : null;
    row.error = rest.some((f) => f !== "")
      ? "csvColumns"
      : idError
        ? idError
        : seen.has(rawOpenId)
          ? "duplicateRecipient"
          : ((parsed.ok
              ? amountError(fen, sceneId)
              : parsed.error === "amountTooLarge"
                ? amountError(Number.MAX_SAFE_INTEGER, sceneId)
                : parsed.error) ?? bodyError);
    seen.add(rawOpenId);
    return row;
  });
}

/** Filter days: strict (lib/validations/dates.ts); a malformed one is reported, not ignored. */
const day = filterDay;

export const RED_ENVELOPE_STATUSES = [
  "creating",
  "sending",
  "sent",
  "received",
  "failed",
  "refunding",
  "refund",
] as const;

/** List filters from the query string; anything malformed is ignored rather than failing the page. */
export const redEnvelopeFilterSchema = z.object({
  status: z.enum(RED_ENVELOPE_STATUSES).optional().catch(undefined),
  from: day,
  to: day,
  recipient: z.string().trim().max(128).optional().catch(undefined),
  batch: z.uuid().optional().catch(undefined),
  /** A prefix of the Ping++ id (`red_…`) or ours (case-sensitive), or of the order number (any case). */
  q,
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
export type RedEnvelopeFilterInput = z.infer<typeof redEnvelopeFilterSchema>;

/** The batches list's query string: only the page. */
export const redEnvelopeBatchListSchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
