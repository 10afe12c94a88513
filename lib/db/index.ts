/**
 * The one database connection (ARCHITECTURE.md §2): PGlite under .data/ when DATABASE_URL is unset,
 * postgres.js when it is set. Migrations are applied on first connect; cached on globalThis
 * so dev hot reloads and route handlers share one client.
 */
import path from "node:path";
import fs from "node:fs";
import { getTableColumns, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTable } from "drizzle-orm/pg-core";
import type postgres from "postgres";
import * as schema from "./schema";
import { env } from "../env";
import { createWakeHub, LISTENER_OPTIONS, postgresListen, type WakeHub, type WakeSource } from "./wakeups";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle has the same query API as the database. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

interface Handle {
  db: Db;
  kind: "pglite" | "postgres";
  close: () => Promise<void>;
  /** LISTEN on this database (lib/db/wakeups.ts). */
  listen: WakeSource["listen"];
  /** The process's wake-up hub, started by the first long poll (wakeHub()). */
  hub?: WakeHub;
}

const MIGRATIONS = path.join(/*turbopackIgnore: true*/ process.cwd(), "drizzle");
const MIGRATION_LOCK = 72_071_031; // arbitrary advisory-lock key shared by all console instances

async function open(): Promise<Handle> {
  const { databaseUrl, pgliteDataDir, databasePoolMax, databaseLockTimeoutMs } = env();
  if (databaseUrl) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    const client = postgres(databaseUrl, {
      max: databasePoolMax,
      onnotice: () => {},
      connect_timeout: 10,
      // Reconnect at once. postgres.js's default backoff (up to 20 s, growing with each failure)
      // fails only one waiting query per attempt, so with the database down every other request
      // queued for minutes (webhooks timed out instead of answering 5xx). An attempt is made only
      // for a waiting query, so this never spins.
      backoff: () => 0,
      // Nothing waits forever: a row lock held elsewhere fails the statement after 10 s (default), and a
      // transaction left open by a stuck request is ended after 60 s (a webhook then answers 5xx
      // and Ping++ retries; a page shows its error).
      connection: { lock_timeout: databaseLockTimeoutMs, idle_in_transaction_session_timeout: 60_000 },
    });
    const db = drizzle({ client: preparingEveryQuery(client), schema }) as unknown as Db;
    const lock = await client.reserve();
    try {
      await lock`set lock_timeout = 0`; // another instance may be migrating: wait for it, however long
      await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
      await migrate(db as never, { migrationsFolder: MIGRATIONS });
    } finally {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
      await lock`reset lock_timeout`.catch(() => {});
      lock.release();
    }
    // LISTEN runs on a connection of its own, outside the pool (lib/db/wakeups.ts), opened on first use.
    let listener: postgres.Sql | undefined;
    const listen: WakeSource["listen"] = (channel, onPayload, onListen) =>
      postgresListen((listener ??= postgres(databaseUrl, LISTENER_OPTIONS)))(channel, onPayload, onListen);
    const close = async () => {
      await Promise.all([client.end({ timeout: 5 }), listener?.end({ timeout: 1 })]);
    };
    return { db, kind: "postgres", close, listen };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const inMemory = pgliteDataDir.startsWith("memory://");
  if (!inMemory) fs.mkdirSync(pgliteDataDir, { recursive: true });
  // Tests: an in-memory database starts as a copy of one already migrated (tests/global-setup.ts)
  // rather than running initdb and every migration again in each test file.
  const template = inMemory ? process.env.PGLITE_TEMPLATE_FILE : undefined;
  const client = new PGlite(
    pgliteDataDir,
    template ? { loadDataDir: new Blob([fs.readFileSync(template)]) } : undefined,
  );
  const db = drizzle({ client, schema }) as unknown as Db;
  await migrate(db as never, { migrationsFolder: MIGRATIONS });
  const listen: WakeSource["listen"] = async (channel, onPayload, onListen) => {
    const unlisten = await client.listen(channel, onPayload);
    onListen();
    return unlisten;
  };
  return { db, kind: "pglite", close: () => client.close(), listen };
}

/**
 * postgres.js runs a statement that is not prepared in TWO round trips whenever it has
 * parameters (Parse + Describe, wait for the parameter types, then Bind + Execute), and drizzle
 * asks for exactly that on every query not built with `.prepare()`. Prepared, a statement is
 * described once per connection and from then on runs in ONE round trip (postgres.js keys its
 * per-connection cache by the SQL text and parameter types; drizzle's SQL for a given query
 * shape is always the same text). A webhook went from 11 round trips to 6 with this.
 * Statements without parameters still use the simple protocol. The cache lives as long as the
 * connection (postgres.js recycles each one after 30–60 min), so varying shapes (an IN list of
 * a new length) cannot pile up for ever.
 */
function preparingEveryQuery<T extends postgres.Sql>(client: T): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop === "unsafe") {
        const unsafe = value as postgres.Sql["unsafe"];
        return (query: string, args?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
          unsafe(query, args ?? [], { ...options, prepare: true });
      }
      if (prop === "begin" || prop === "savepoint") {
        // drizzle's transactions and savepoints get the scoped client in a callback: wrap it too
        const open = value as (...a: unknown[]) => unknown;
        return (...a: unknown[]) => {
          const fn = a.pop() as (tx: postgres.Sql) => unknown;
          return open.call(target, ...a, (tx: postgres.Sql) => fn(preparingEveryQuery(tx)));
        };
      }
      return value;
    },
  });
}

const g = globalThis as unknown as { __consoleDb?: Promise<Handle> };

/** The shared database, opened (and migrated) on first use. */
export async function getDb(): Promise<Db> {
  g.__consoleDb ??= open().catch((err: unknown) => {
    g.__consoleDb = undefined; // a database that is down now may be up on the next request
    throw err;
  });
  return (await g.__consoleDb).db;
}

export async function dbKind(): Promise<Handle["kind"]> {
  await getDb();
  return (await g.__consoleDb!).kind;
}

export async function closeDb(): Promise<void> {
  const h = g.__consoleDb;
  g.__consoleDb = undefined;
  if (!h) return;
  const handle = await h;
  await handle.hub?.close();
  await handle.close();
}

/**
 * This process's one listener for charge changes (lib/db/wakeups.ts), started on first use: the
 * long polls of the status routes wait on it. Its heartbeat goes through the shared pool.
 */
export async function wakeHub(): Promise<WakeHub> {
  await getDb();
  const handle = await g.__consoleDb!;
  return (handle.hub ??= createWakeHub(sourceOf(handle)));
}

/** LISTEN/NOTIFY on the shared database, for a hub of one's own (tests start two in one process). */
export async function wakeSource(): Promise<WakeSource> {
  await getDb();
  return sourceOf(await g.__consoleDb!);
}

const sourceOf = (handle: Handle): WakeSource => ({
  listen: handle.listen,
  notify: async (channel, payload) => void (await handle.db.execute(sql`select pg_notify(${channel}, ${payload})`)),
});

/**
 * A query whose SQL is built once per database and then run with new values (drizzle's
 * `.prepare`), for the paths every poll takes: the staff row behind a session, a charge by id.
 */
export function preparedQuery<P extends Record<string, unknown>, R>(
  build: (db: Db) => { execute: (params: P) => Promise<R> },
): (params: P) => Promise<R> {
  const cache = new WeakMap<Db, { execute: (params: P) => Promise<R> }>();
  return async (params) => {
    const db = await getDb();
    let q = cache.get(db);
    if (!q) cache.set(db, (q = build(db)));
    return q.execute(params);
  };
}

/**
 * The rows of `db.execute(sql…)` / `tx.execute(sql…)` on either driver (postgres.js answers the
 * row array itself, PGlite `{ rows }`). Column names as the SQL gives them; values as the driver
 * parses them (postgres.js under drizzle: timestamps as text), so select what needs no mapping.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Timestamps, dates, intervals and the arrays of those and of numerics as text, as drizzle's own PGlite queries read
 * them (drizzle-orm/pglite/session.js; mapRow makes them Dates).
 */
const PGLITE_AS_DRIZZLE = {
  rowMode: "object" as const,
  parsers: Object.fromEntries(
    [1114, 1184, 1186, 1082, 1231, 1115, 1185, 1187, 1182].map((oid) => [oid, (v: string) => v]),
  ),
};

type RawClient =
  | { unsafe: (text: string, params: unknown[]) => PromiseLike<unknown> }
  | { query: (text: string, params: unknown[], options: typeof PGLITE_AS_DRIZZLE) => Promise<{ rows: unknown[] }> };

/**
 * Run one statement given as SQL text with $1, $2… parameters in `q` (the database or a transaction,
 * either driver), on the driver itself. For the statements every webhook runs: building them with
 * drizzle's sql`` and running them through its session cost more CPU than Postgres spent on them
 * (bench/README.md). The rows are what `execute` answers (column names as the SQL gives them,
 * timestamps as text; `mapRow` maps a `returning *` row). On postgres.js the statement is prepared
 * like every other (preparingEveryQuery); in a transaction it runs on the transaction's connection,
 * in the order the calls are made. An `undefined` parameter is refused here, as drizzle's SQL refused
 * it (postgres.js would raise a driver error, which reads as an outage; PGlite would store NULL).
 */
export async function runSql<T = Record<string, unknown>>(
  q: DbOrTx,
  text: string,
  params: readonly unknown[],
): Promise<T[]> {
  const missing = params.indexOf(undefined);
  if (missing >= 0) throw new Error(`runSql: parameter $${missing + 1} is undefined`);
  // drizzle keeps the driver's client (the pool, or this transaction's) on its session
  const client = (q as unknown as { session?: { client?: RawClient } }).session?.client;
  if (client && "unsafe" in client) return (await client.unsafe(text, [...params])) as T[];
  if (client && "query" in client) return (await client.query(text, [...params], PGLITE_AS_DRIZZLE)).rows as T[];
  throw new Error("runSql: no driver client on this drizzle handle (did drizzle-orm change its session?)");
}

/**
 * A row from `execute(sql\`… returning *\`)` (database column names, driver values) as drizzle's
 * own select would give it: the table's property names and types (timestamps as Date, jsonb parsed).
 */
export function mapRow<T extends PgTable>(table: T, raw: Record<string, unknown>): T["$inferSelect"] {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const v = raw[column.name];
    out[key] = v === null || v === undefined ? null : column.mapFromDriverValue(v);
  }
  return out as T["$inferSelect"];
}

export { schema };
