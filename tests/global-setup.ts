import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/**
 * On PGlite (no DATABASE_URL) every test file gets its own in-memory database. Making one means
 * initdb plus every migration (seconds of CPU each time); here it is done once, and each file's
 * database starts as a copy of this one (lib/db/index.ts, PGLITE_TEMPLATE_FILE; tests/setup.ts).
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) return;
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = new PGlite("memory://");
  await migrate(drizzle({ client }), { migrationsFolder: path.join(import.meta.dirname, "..", "drizzle") });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "console-pglite-template-"));
  const file = path.join(dir, "migrated.tar");
  fs.writeFileSync(file, Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer()));
  await client.close();
  project.provide("pgliteTemplate", file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
