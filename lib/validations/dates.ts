import { z } from "../zod";
import { parseDay, parseShanghaiMinute } from "../dates";

/**
 * A day in a list filter's query string (`from`, `to`): absent or empty → no bound; otherwise a
 * real calendar day as lib/dates.ts parseDay reads it, or the issue "date". Never silently
 * ignored, never passed on as an impossible date (those gave 500s, 503s and hung exports).
 */
export const filterDay = z
  .unknown()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    const day = parseDay(v);
    if (day === null) {
      ctx.addIssue({ code: "custom", message: "date" });
      return z.NEVER;
    }
    return day;
  })
  .optional();

/** The same for a datetime-local bound ("yyyy-mm-ddThh:mm", Asia/Shanghai): kept as typed. */
export const filterMinute = z
  .unknown()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    if (parseShanghaiMinute(v) === null) {
      ctx.addIssue({ code: "custom", message: "date" });
      return z.NEVER;
    }
    return String(v).trim();
  })
  .optional();

/** Which date bound of a query is not a day filterDay accepts ("from" | "to"), or null. */
export function invalidDateParam(query: Record<string, unknown>): "from" | "to" | null {
  for (const key of ["from", "to"] as const) {
    const v = query[key];
    if (v !== undefined && v !== "" && parseDay(v) === null) return key;
  }
  return null;
}

/**
 * A list page's filters from its query string. The other fields of the filter schemas drop a
 * malformed value; a malformed date is reported instead (`dateError`), and the filters are
 * read without the date bounds so the page still renders, with its message.
 */
export function parseFilters<S extends z.ZodType>(
  schema: S,
  query: Record<string, unknown>,
): { f: z.output<S>; dateError: boolean } {
  const r = schema.safeParse(query);
  if (r.success) return { f: r.data, dateError: false };
  return { f: schema.parse({ ...query, from: undefined, to: undefined }), dateError: true };
}
