import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";

/** The named statements prepared on this transaction's connection whose SQL mentions `table`. */
async function preparedOn(tx: Pick<Db, "execute">, table: string): Promise<string[]> {
  const rows = await tx.execute<{ statement: string }>(sql`select statement from pg_prepared_statements`);
  return (rows as unknown as { statement: string }[]).map((r) => r.statement).filter((s) => s.includes(`"${table}"`));
}

/**
 * postgres.js runs an unprepared statement with parameters in two round trips (describe, then
 * execute); the console's client prepares every drizzle query so it runs in one (lib/db
 * preparingEveryQuery). A prepared statement shows in pg_prepared_statements on its connection;
 * an unprepared one never does. Needs the real Postgres (PGlite has no postgres.js client);
 * CI runs it in the `npm run test:pg` pass.
 */
describe.skipIf(!process.env.DATABASE_URL)("every drizzle query is a prepared statement on Postgres", () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb();
  });
  afterAll(closeDb);

  it("in a transaction, and in a nested one (savepoint), a parameterised query is prepared once and then reused", async () => {
    const email = `prep-${Date.now()}@test.local`;
    await db.transaction(async (tx) => {
      await tx.select().from(staffUsers).where(eq(staffUsers.email, email));
      const once = await preparedOn(tx, "staff_users");
      expect(once.some((s) => s.includes('where "staff_users"."email" = $1'))).toBe(true);
      // the same query shape again: the statement is reused, not prepared a second time
      await tx
        .select()
        .from(staffUsers)
        .where(eq(staffUsers.email, `${email}.again`));
      expect(await preparedOn(tx, "staff_users")).toHaveLength(once.length);
      await tx.transaction(async (sp) => {
        await sp.update(staffUsers).set({ name: "x" }).where(eq(staffUsers.email, email));
        expect((await preparedOn(sp, "staff_users")).some((s) => s.startsWith('update "staff_users"'))).toBe(true);
      });
    });
  });

  it("values still travel as parameters, whatever they hold (no SQL built from them)", async () => {
    const name = "O'Brien\"; drop table staff_users; --";
    const [row] = await db
      .insert(staffUsers)
      .values({ email: `quote-${Date.now()}@test.local`, name, role: "cashier", passwordHash: "x" })
      .returning();
    const [back] = await db.select().from(staffUsers).where(eq(staffUsers.id, row!.id));
    expect(back!.name).toBe(name);
  });
});
