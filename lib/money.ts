/**
 * Money is an integer number of fen (or cents) end to end (DESIGN rule 1). These are the only
 * conversions to and from what people type and read; no floating point anywhere.
 */

export const MAX_AMOUNT_FEN = 100_000_000_00; // ¥100,000,000.00: far above any single QR payment

/** "12", "12.3", "12.34", "1,234.50", "¥8" → fen; null when it is not a valid positive amount. */
export function parseYuanToFen(input: string): number | null {
  const s = input.trim().replace(/^[¥￥$]|^US\$/, "").replace(/,/g, "").trim();
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** 123456 → "1,234.56" */
export function fenToDecimal(fen: number): string {
  const neg = fen < 0;
  const abs = Math.abs(Math.trunc(fen));
  const yuan = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${neg ? "-" : ""}${yuan}.${String(abs % 100).padStart(2, "0")}`;
}

/** 123456, "cny" → "¥1,234.56"; "usd" → "US$1,234.56" */
export function formatMoney(fen: number, currency: string = "cny"): string {
  const symbol = currency.toLowerCase() === "usd" ? "US$" : "¥";
  const s = fenToDecimal(fen);
  return s.startsWith("-") ? `-${symbol}${s.slice(1)}` : `${symbol}${s}`;
}
