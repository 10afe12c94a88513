import { afterAll, beforeAll, beforeEach } from "vitest";
import type { PgTable } from "drizzle-orm/pg-core";
import { startConsoleSandbox } from "./console-sandbox";
import { freshDb, closeDb } from "./db";
import type { Db } from "@/lib/db";

export type ConsoleSandbox = Awaited<ReturnType<typeof startConsoleSandbox>>;

/**
 * A service test file's world: the real sandbox delivering signed webhooks to the console's
 * route, a clean database, both closed after the file; `clean` tables emptied before each test
 * (before the file's own beforeEach). `ready` hands the two over once they are up.
 */
export function consoleTestbed(
  ready: (bed: { h: ConsoleSandbox; db: Db }) => void,
  opts: { clean?: PgTable[]; sandbox?: Parameters<typeof startConsoleSandbox>[0] } = {},
): void {
  let h: ConsoleSandbox | undefined;
  let db: Db;
  beforeAll(async () => {
    h = await startConsoleSandbox(opts.sandbox);
    db = await freshDb();
    ready({ h, db });
  });
  afterAll(async () => {
    await h?.close();
    await closeDb();
  });
  if (opts.clean?.length) {
    const tables = opts.clean;
    beforeEach(async () => {
      for (const t of tables) await db.delete(t);
    });
  }
}
