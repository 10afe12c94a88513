/**
 * Money is an integer number of fen (or cents) end to end (ARCHITECTURE.md rule 1). These are the only
 * conversions to and from what people type and read; no floating point anywhere.
 */

/** ¥10,000,000.00: the most one charge, refund or order may be; anything above is a typo. */
export const MAX_AMOUNT_FEN = 1_000_000_000;

/** Why typed yuan could not be read (an i18n key under "validation"). */
export type YuanError = "amount" | "amountSeparators" | "amountTooLarge";

/**
 * The one parser of yuan as people type them: "12", "12.3", "12.34", "¥8", "1,234.50" → fen.
 * Digits with at most two decimals; commas only as correct thousands separators (groups of
 * three: "1,5" and "12,34" are refused, never read as 15 or 1234). Above MAX_AMOUNT_FEN is
 * refused too. `allowZero` for filters ("at least 0"); amounts to pay or refund are > 0.
 */
export function parseYuan(
  input: string,
  opts: { allowZero?: boolean } = {},
): { ok: true; fen: number } | { ok: false; error: YuanError } {
  const s = String(input ?? "")
    .trim()
    .replace(/^(?:US\$|[¥￥$])\s*/, "");
  const m = /^(\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return { ok: false, error: /^[\d,.]*\d[\d,.]*$/.test(s) && s.includes(",") ? "amountSeparators" : "amount" };
  const whole = m[1]!.replace(/,/g, "").replace(/^0+(?=\d)/, "");
  // compared as text first: a 30-digit amount is "too large", not a float
  if (whole.length > String(Math.floor(MAX_AMOUNT_FEN / 100)).length) return { ok: false, error: "amountTooLarge" };
  const fen = Number(whole) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  if (fen > MAX_AMOUNT_FEN) return { ok: false, error: "amountTooLarge" };
  if (fen === 0 && !opts.allowZero) return { ok: false, error: "amount" };
  return { ok: true, fen };
}

/** parseYuan's fen, or null when it is not a valid amount (> 0, ≤ MAX_AMOUNT_FEN). */
export function parseYuanToFen(input: string): number | null {
  const r = parseYuan(input);
  return r.ok ? r.fen : null;
}

/** 123456 → "1,234.56" */
export function fenToDecimal(fen: number): string {
  const neg = fen < 0;
  const abs = Math.abs(Math.trunc(fen));
  const yuan = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${neg ? "-" : ""}${yuan}.${String(abs % 100).padStart(2, "0")}`;
}

/** 123456, "cny" → "¥1,234.56"; "usd" → "US$1,234.56" */
export function formatMoney(fen: number, currency: string = "cny"): string {
  const symbol = currency.toLowerCase() === "usd" ? "US$" : "¥";
  const s = fenToDecimal(fen);
  return s.startsWith("-") ? `-${symbol}${s.slice(1)}` : `${symbol}${s}`;
}
