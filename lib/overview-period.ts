import { addDays } from "./dates";

/**
 * The period an overview page shows, as the server rendered it: `today` is the server's Asia/Shanghai date at render
 * time; `inUrl` whether from/to came from the address (a preset link or the form) rather than the default (today).
 */
export interface ShownPeriod {
  today: string;
  from: string;
  to: string;
  inUrl: boolean;
}

/**
 * What a live poll of the overview asks /api/overview for. A period that is exactly today asks without dates, so the
 * server names the day from its own clock on every poll and the figures move to the new day at Shanghai midnight; any
 * other period names its days.
 */
export function overviewPollUrl(from: string, to: string, today: string): string {
  return from === today && to === today ? "/api/overview" : `/api/overview?from=${from}&to=${to}`;
}

/**
 * What the page does once a poll answers with a later Shanghai date (`serverToday`) than the one it was rendered on.
 * A period ending on that day (the default, 今天, 近 7 天, 近 30 天, or any chosen period ending today) moves with the
 * date, keeping its length: `{ replace }` is its new address, or `"refresh"` for the default address. A period ending
 * before it stays as chosen; the page is still refreshed (`"refresh"`), for today's strip above it and the preset
 * links. Nothing while the date is the same (or earlier, as another instance's clock may be).
 */
export function afterDayChange(p: ShownPeriod, serverToday: string): { replace: string } | "refresh" | null {
  if (!(serverToday > p.today)) return null;
  if (p.to !== p.today || !p.inUrl) return "refresh";
  const shift = Math.round((Date.parse(`${serverToday}T00:00:00Z`) - Date.parse(`${p.today}T00:00:00Z`)) / 86_400_000);
  return { replace: `/?from=${addDays(p.from, shift)}&to=${serverToday}` };
}
