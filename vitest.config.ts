import { defineConfig } from "vitest/config";
import path from "node:path";

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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // database tests share one Postgres when DATABASE_URL is set
    fileParallelism: false,
    // next-auth imports "next/server" without an extension, which Node's ESM loader refuses;
    // through Vite it resolves (lib/auth/session.test.ts loads the real next-auth config).
    server: { deps: { inline: ["next-auth"] } },
  },
});
