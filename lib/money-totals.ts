/**
 * Totals are per currency (issue 15, item 4): cross-border (`cb_*`) channels charge in US
 * dollars, everything else in yuan, and no figure ever adds the two. Every total a service
 * returns is a list with one entry per currency, yuan first; pages show one line per entry.
 * Pure and client-safe.
 */

/** The currency every list, card and chart starts with (and shows, at zero, when there is nothing). */
export const HOME_CURRENCY = "cny";

/** Yuan first, then the others alphabetically. */
export function compareCurrency(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y) return 0;
  if (x === HOME_CURRENCY) return -1;
  if (y === HOME_CURRENCY) return 1;
  return x < y ? -1 : 1;
}

/**
 * The entries sorted yuan first; with `zero`, a yuan entry is added when there is none (an empty period still shows
 * ¥0.00).
 */
export function byCurrency<T extends { currency: string }>(rows: T[], zero?: (currency: string) => T): T[] {
  const sorted = [...rows].sort((a, b) => compareCurrency(a.currency, b.currency));
  if (zero && !sorted.some((r) => r.currency.toLowerCase() === HOME_CURRENCY)) sorted.unshift(zero(HOME_CURRENCY));
  return sorted;
}
