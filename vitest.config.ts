import { defineConfig } from "vitest/config";
import path from "node:path";
import os from "node:os";

// On PGlite each test file has its own in-memory database, so files run side by side, one per
// core (the CPU-heavy fuzz tests get twice the time, sharing the cores). On Postgres they share
// one database (tests/helpers/db.ts empties it per file): one file at a time.
const onPostgres = Boolean(process.env.DATABASE_URL);

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // "server-only" throws outside the react-server condition; tests run services directly.
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts"],
    environment: "node",
    setupFiles: ["tests/setup.ts"],
    globalSetup: ["tests/global-setup.ts"],
    testTimeout: onPostgres ? 30_000 : 60_000,
    hookTimeout: 60_000,
    fileParallelism: !onPostgres,
    maxWorkers: onPostgres ? 1 : os.availableParallelism(),
    // next-auth imports "next/server" without an extension, which Node's ESM loader refuses;
    // through Vite it resolves (lib/auth/session.test.ts loads the real next-auth config).
    server: { deps: { inline: ["next-auth"] } },
  },
});
