/** Business dates are Asia/Shanghai (UTC+8, no daylight saving). */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Start of a yyyy-mm-dd day in Shanghai, as an instant. */
export function shanghaiDayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS);
}

/** Start of the day after a yyyy-mm-dd day in Shanghai (exclusive upper bound). */
export function shanghaiDayEnd(day: string): Date {
  return new Date(shanghaiDayStart(day).getTime() + 24 * 60 * 60 * 1000);
}

const fmt = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** "2026/11/27 13:05:09" in Asia/Shanghai. */
export function formatShanghai(d: Date | number): string {
  return fmt.format(typeof d === "number" ? new Date(d) : d);
}

/** Today's date in Shanghai as yyyy-mm-dd. */
export function shanghaiToday(now = Date.now()): string {
  return new Date(now + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** yyyy-mm-dd plus n days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** The days a filter may name: anything outside is a typo (or a probe), not a business date. */
export const FILTER_MIN_DAY = "2000-01-01";
export const FILTER_MAX_DAY = "2099-12-31";

/**
 * The one strict reader of a date typed into a filter: "yyyy-mm-dd", a real calendar day
 * (no 2024-13-01, no 2023-02-29) between FILTER_MIN_DAY and FILTER_MAX_DAY, as an
 * Asia/Shanghai business day. The day itself, or null.
 */
export function parseDay(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  if (!m) return null;
  const day = m[0];
  if (day < FILTER_MIN_DAY || day > FILTER_MAX_DAY) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? day : null;
}

/**
 * A datetime-local value ("yyyy-mm-ddThh:mm", Asia/Shanghai) from a filter: a real day as
 * parseDay reads it and a real time of day. The instant, or null.
 */
export function parseShanghaiMinute(v: unknown): Date | null {
  if (typeof v !== "string") return null;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(v.trim());
  if (!m || !parseDay(m[1]) || Number(m[2]) > 23 || Number(m[3]) > 59) return null;
  return new Date(`${m[1]}T${m[2]}:${m[3]}:00+08:00`);
}
