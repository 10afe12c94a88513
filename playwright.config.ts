import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
/**
 * Unset: the console runs on the embedded PGlite (the zero-set-up default). Set (a database this
 * run may wipe, emptied first): on that Postgres, as in production.
 */
const DATABASE_URL = process.env.E2E_DATABASE_URL;
export const E2E_ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password" };
/** Debian's Chromium, quiet (no background traffic, no QUIC): the e2e tests and the browser benches. */
export const CHROMIUM_LAUNCH_OPTIONS = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};

/**
 * Drives the BUILT console (`npm run build`, or `next build` with NEXT_DIST_DIR, first) as
 * production serves it: `npm start`, Next.js's standalone server from <NEXT_DIST_DIR or
 * .next>/standalone (scripts/start.mjs), with its in-process Ping++ sandbox, in Debian's Chromium
 * (no browser download). Data lives in .data-e2e-<port>/, wiped per run.
 */
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: `test-results/playwright-${PORT}`,
  reporter: process.env.CI
    ? [["list"], ["json", { outputFile: `test-results/e2e${DATABASE_URL ? "-pg" : ""}.json` }]]
    : "list",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    trace: "retain-on-failure",
    launchOptions: CHROMIUM_LAUNCH_OPTIONS,
  },
  webServer: {
    command: `rm -rf .data-e2e-${PORT} && ${DATABASE_URL ? `node --import tsx scripts/reset-database.ts '${DATABASE_URL}' && ` : ""}npm start`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(PORT),
      // the standalone server listens on HOSTNAME (default 0.0.0.0; a container or shell may set it to its name)
      HOSTNAME: "127.0.0.1",
      CONSOLE_DATA_DIR: `.data-e2e-${PORT}`,
      PINGPP_SANDBOX_PORT: String(PORT + 1000),
      PINGPP_SANDBOX_TIME_SCALE: "0.01",
      ADMIN_EMAIL: E2E_ADMIN.email,
      ADMIN_PASSWORD: E2E_ADMIN.password,
      // short QR lifetime, so a charge left unpaid becomes "pending past expiry" within a test
      CHARGE_TTL_SECONDS: "90",
      ...(DATABASE_URL ? { DATABASE_URL } : {}),
    },
  },
});
