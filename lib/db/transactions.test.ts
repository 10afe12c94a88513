import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { rowsOf, type Db } from "@/lib/db";

// three connections, so "a full pipeline on every connection" is 300 queries
process.env.DATABASE_POOL_MAX = "3";

/**
 * postgres.js pipelines up to 100 queries on a busy connection. When a transaction's BEGIN was
 * the query that filled a connection's pipeline, postgres.js 3.4.9 sent it without reserving the
 * connection: the transaction failed with UNSAFE_TRANSACTION and the connection went back to the
 * pool inside the server's open transaction (seen under 500 long-polling screens + payments).
 * patches/postgres+3.4.9.patch reserves the connection whenever BEGIN is sent. The pool and the
 * pipeline are postgres.js's, so this needs the real Postgres: it is skipped on PGlite (no
 * DATABASE_URL), and CI runs it in the `npm run test:pg` pass.
 */
describe.skipIf(!process.env.DATABASE_URL)(
  "a transaction opened while every pooled connection is pipelining (Postgres)",
  () => {
    let db: Db;
    beforeAll(async () => {
      db = await freshDb();
    });
    afterAll(closeDb);

    it("begins on a reserved connection, commits, and leaves no connection inside a transaction", async () => {
      // every pooled connection open and idle
      await Promise.all([1, 2, 3].map(() => db.execute(sql`select pg_sleep(0.05)`)));
      // 100 reads on each of the 3 connections (1 running + 99 pipelined), then 3 transactions: each
      // BEGIN lands on a connection as its 100th pipelined query
      // (.then starts a drizzle query now; a bare query promise would start only when awaited)
      const reads = Array.from({ length: 300 }, () => db.execute(sql`select 1`).then((r) => r));
      for (let i = 0; i < 50; i++) await null; // (drizzle reaches the driver a few microtasks later)
      const txs = [1, 2, 3].map((n) =>
        // a transaction with a savepoint in it, as the webhook ingest opens them
        db.transaction((tx) =>
          tx.transaction(async (sp) => rowsOf<{ n: number }>(await sp.execute(sql`select ${n}::int as n`))[0]!.n),
        ),
      );
      const settled = await Promise.allSettled([...reads, ...txs]);
      const failures = settled.flatMap((r) =>
        r.status === "rejected" ? [String((r.reason as { cause?: { code?: string } }).cause?.code ?? r.reason)] : [],
      );
      expect(failures).toEqual([]);
      expect(await Promise.all(txs)).toEqual([1, 2, 3]);

      // no pooled connection was handed back inside a transaction: a statement on each of the three
      // runs in a transaction of its own (its transaction began with it)
      const fresh = await Promise.all(
        [1, 2, 3].map(() => db.execute(sql`select now() = statement_timestamp() as own, pg_sleep(0.02)`)),
      );
      expect(fresh.map((r) => rowsOf<{ own: boolean }>(r)[0]!.own)).toEqual([true, true, true]);
      const idleInTx = rowsOf<{ n: number }>(
        await db.execute(
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'idle in transaction'`,
        ),
      )[0]!.n;
      expect(idleInTx).toBe(0);
    });
  },
);
