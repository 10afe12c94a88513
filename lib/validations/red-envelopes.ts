import { z } from "../zod";
import { RED_ENVELOPE_SCENES } from "../pingpp/params";
import { parseYuan } from "../money";
import { yuanAmount } from "./amount";
import { filterDay } from "./dates";
import { q } from "./orders";
import { parseCsv, CsvError, CsvEncodingError, decodeCsvBytes } from "../csv/read";

export { RED_ENVELOPE_SCENES };

/** Ping++'s limits (API.md §2.4): 1-200 yuan, or with a scene_id anything up to 4,999 yuan. */
export const RED_ENVELOPE_MIN_FEN = 100;
export const RED_ENVELOPE_MAX_FEN = 20_000;
export const RED_ENVELOPE_SCENE_MAX_FEN = 499_900;
export const MAX_BATCH_ROWS = 5_000;
export const MAX_CSV_CHARS = 400_000;
/** The file as uploaded; under Next.js's 1 MB server-action body limit. */
export const MAX_CSV_BYTES = 900_000;

const utf8Len = (s: string) => new TextEncoder().encode(s).length;

// Messages are i18n keys under "validation". Limits are UTF-8 bytes: a Chinese character is 3.
const bytes = (max: number, key: string) =>
  z
    .string()
    .trim()
    .min(1, "required")
    .refine((s) => utf8Len(s) <= max, key);

const openId = z
  .string()
  .trim()
  .min(1, "required")
  .max(128, "openIdInvalid")
  .regex(/^[A-Za-z0-9_-]+$/, "openIdInvalid");
const wishing = bytes(128, "redEnvelopeBodyBytes");

/** The texts every envelope carries (a batch's are shared by its rows). */
const texts = {
  sendName: bytes(32, "sendNameBytes"),
  subject: bytes(32, "redEnvelopeSubjectBytes"),
  body: wishing,
  description: bytes(255, "descriptionBytes"),
  sceneId: z
    .union([z.literal(""), z.enum(RED_ENVELOPE_SCENES)], "invalid")
    .optional()
    .transform((v) => v || undefined),
};

/** Why an amount in fen cannot be sent (a "validation" key), or null. */
export function amountError(fen: number | null, sceneId: string | undefined): string | null {
  if (fen === null || fen <= 0) return "amount";
  if (sceneId) return fen > RED_ENVELOPE_SCENE_MAX_FEN ? "redEnvelopeAmountScene" : null;
  return fen < RED_ENVELOPE_MIN_FEN || fen > RED_ENVELOPE_MAX_FEN ? "redEnvelopeAmountRange" : null;
}

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
    const id = openId.safeParse(rawOpenId);
    const body = rawBody ? wishing.safeParse(rawBody) : null;
    row.error = rest.some((f) => f !== "")
      ? "csvColumns"
      : !id.success
        ? (id.error.issues[0]?.message ?? "openIdInvalid")
        : seen.has(rawOpenId)
          ? "duplicateRecipient"
          : ((parsed.ok
              ? amountError(fen, sceneId)
              : parsed.error === "amountTooLarge"
                ? amountError(Number.MAX_SAFE_INTEGER, sceneId)
                : parsed.error) ?? (body && !body.success ? "redEnvelopeBodyBytes" : null));
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
