import { sql } from "drizzle-orm";
import { timestamp } from "drizzle-orm/pg-core";

/**
 * `created_at` of tables listed by keyset ((created_at, id) cursors): stored to the millisecond,
 * the precision of the JS Date a cursor carries, so no row can hide between two pages.
 */
export const createdAtMs = () =>
  timestamp("created_at", { withTimezone: true })
    .notNull()
    .default(sql`date_trunc('milliseconds', now())`);
