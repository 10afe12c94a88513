import { sql, type AnyColumn, type SQL } from "drizzle-orm";

/**
 * Search by prefix (list pages' `q`): what a person types is matched literally at the start of an
 * id, so `%`, `_` and `\` in it are escaped (Postgres' LIKE escape character is the backslash).
 */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Ping++ ids (`ch_…`, `or_…`, `re_…`, `red_…`) and our ids: case-sensitive (Ping++'s are base62,
 * `ch_Hm5u…` and `ch_hm5u…` are different charges), so a case-sensitive prefix.
 */
export function idPrefix(column: AnyColumn | SQL, q: string): SQL {
  return sql`${column} like ${`${escapeLike(q)}%`}`;
}

/** Order numbers (ours are lower-case base36; a merchant's may be either): any case. */
export function orderNoPrefix(column: AnyColumn | SQL, q: string): SQL {
  return sql`${column} ilike ${`${escapeLike(q)}%`}`;
}
