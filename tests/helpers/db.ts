import { sql } from "drizzle-orm";
import { getDb, closeDb, type Db } from "@/lib/db";

/**
 * A clean database for one test file: a fresh in-memory PGlite, or (with DATABASE_URL) the
 * shared Postgres with every table emptied.
 */
export async function freshDb(): Promise<Db> {
  const db = await getDb();
  if (process.env.DATABASE_URL) {
    const rows = await db.execute<{ tablename: string }>(
      sql`select tablename from pg_tables where schemaname = 'public'`,
    );
    const names = (Array.isArray(rows) ? rows : (rows as { rows: { tablename: string }[] }).rows).map(
      (r) => `"${r.tablename}"`,
    );
    if (names.length) await db.execute(sql.raw(`truncate ${names.join(", ")} restart identity cascade`));
  }
  return db;
}

export { closeDb };
