import { parseYuan } from "../money";
import {
  RED_ENVELOPE_BYTES,
  RED_ENVELOPE_MAX_AMOUNT,
  RED_ENVELOPE_MIN_AMOUNT,
  RED_ENVELOPE_SCENE_MAX_AMOUNT,
  RED_ENVELOPE_SCENES,
} from "../pingpp/limits";

/**
 * A red envelope's field rules as plain functions and constants, no zod: the send form checks them
 * in the browser before its confirm dialog and the upload form reads the file limit, where the whole
 * of zod would be ~90 KB. The server's schemas (lib/validations/red-envelopes.ts) are built from the
 * same functions, so each rule and its message is written once. Messages are i18n keys under
 * "validation"; null = valid.
 */

export { RED_ENVELOPE_SCENES };

export const MAX_BATCH_ROWS = 5_000;
export const MAX_CSV_CHARS = 400_000;
/** The file as uploaded; under Next.js's 1 MB server-action body limit. */
export const MAX_CSV_BYTES = 900_000;

const utf8Len = (s: string) => new TextEncoder().encode(s).length;

/** The texts every envelope carries (a batch's are shared by its rows): Ping++'s byte limit and the message. */
export const ENVELOPE_TEXTS = {
  sendName: { bytes: RED_ENVELOPE_BYTES.send_name, message: "sendNameBytes" },
  subject: { bytes: RED_ENVELOPE_BYTES.subject, message: "redEnvelopeSubjectBytes" },
  body: { bytes: RED_ENVELOPE_BYTES.body, message: "redEnvelopeBodyBytes" },
  description: { bytes: RED_ENVELOPE_BYTES.description, message: "descriptionBytes" },
} as const;
export type EnvelopeText = keyof typeof ENVELOPE_TEXTS;
const TEXT_NAMES = Object.keys(ENVELOPE_TEXTS) as EnvelopeText[];

/** A text as typed (trimmed first): required, at most its limit in UTF-8 bytes (a Chinese character is 3). */
export function textError(field: EnvelopeText, value: string): string | null {
  const s = value.trim();
  if (!s) return "required";
  return utf8Len(s) <= ENVELOPE_TEXTS[field].bytes ? null : ENVELOPE_TEXTS[field].message;
}

/** The recipient's WeChat open_id (trimmed first). */
export function openIdError(value: string): string | null {
  const s = value.trim();
  if (!s) return "required";
  return s.length <= 128 && /^[A-Za-z0-9_-]+$/.test(s) ? null : "openIdInvalid";
}

/** Why an amount in fen cannot be sent, or null: 1-200 yuan, or with a scene_id up to 4,999 yuan. */
export function amountError(fen: number | null, sceneId: string | undefined): string | null {
  if (fen === null || fen <= 0) return "amount";
  if (sceneId) return fen > RED_ENVELOPE_SCENE_MAX_AMOUNT ? "redEnvelopeAmountScene" : null;
  return fen < RED_ENVELOPE_MIN_AMOUNT || fen > RED_ENVELOPE_MAX_AMOUNT ? "redEnvelopeAmountRange" : null;
}

/** The scene: none (""), or one of Ping++'s. */
export const sceneError = (value: string | undefined): string | null =>
  !value || (RED_ENVELOPE_SCENES as readonly string[]).includes(value) ? null : "invalid";

/** The send form as typed. */
export type SendFields = { recipient: string; amount: string; sceneId?: string } & Record<EnvelopeText, string>;

/**
 * The send form's own check, with the same rules as the server's schema: each field's first
 * problem, or the amount in fen (parseYuan, lib/money.ts) the server will send.
 */
export function checkSend(v: SendFields): { ok: true; fen: number } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const put = (field: string, message: string | null) => {
    if (message) errors[field] = message;
  };
  put("recipient", openIdError(v.recipient));
  const amount = parseYuan(v.amount);
  put("amount", amount.ok ? amountError(amount.fen, v.sceneId || undefined) : amount.error);
  put("sceneId", sceneError(v.sceneId));
  for (const f of TEXT_NAMES) put(f, textError(f, v[f]));
  return amount.ok && Object.keys(errors).length === 0 ? { ok: true, fen: amount.fen } : { ok: false, errors };
}
