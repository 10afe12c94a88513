/**
 * Empties a Postgres database the console may then migrate afresh: `node --import tsx
 * scripts/reset-database.ts postgres://…/e2e`. For the e2e run against Postgres
 * (E2E_DATABASE_URL, playwright.config.ts) only: the URL must be given on the command line,
 * never taken from DATABASE_URL, so a slip cannot wipe the database the console runs on.
 * A database that does not exist yet is created (through the server's `postgres` database).
 */
import postgres from "postgres";

const url = process.argv[2];
if (!url) {
  console.error("usage: scripts/reset-database.ts postgres://…  (everything in it is dropped)");
  process.exit(2);
}
const name = decodeURIComponent(new URL(url).pathname.slice(1));
const probe = postgres(url, { max: 1, onnotice: () => {} });
try {
  await probe`select 1`;
} catch (e) {
  if ((e as { code?: string }).code !== "3D000") throw e; // 3D000: no such database
  const server = new URL(url);
  server.pathname = "/postgres";
  const admin = postgres(server.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name.replaceAll('"', '""')}"`).finally(() => admin.end({ timeout: 5 }));
} finally {
  await probe.end({ timeout: 5 });
}
const sql = postgres(url, { max: 1, onnotice: () => {} });
try {
  await sql.unsafe(
    "drop schema if exists public cascade; create schema public; drop schema if exists drizzle cascade;",
  );
} finally {
  await sql.end({ timeout: 5 });
}
