import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import { API_HEADERS, SECURITY_HEADERS } from "./lib/http/headers";

// Messages are compiled at build time (precompile): the browser gets next-intl's small formatter,
// not the ~12 KB (gzip) ICU message parser every page would otherwise download.
const withNextIntl = createNextIntlPlugin({
  requestConfig: "./lib/i18n/request.ts",
  experimental: { messages: { path: "./lib/i18n/messages", format: "json", locales: "infer", precompile: true } },
});

const nextConfig: NextConfig = {
  // PGlite ships WASM + data files that must be loaded from node_modules at run time (ARCHITECTURE.md §12).
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "bcryptjs"],
  poweredByHeader: false,
  // forbidden() (lib/auth/session.ts): a role without the capability gets app/forbidden.tsx with HTTP 403
  experimental: { authInterrupts: true },
  // `npm start` and the Docker image run Next.js's own server from <distDir>/standalone (scripts/start.mjs).
  output: "standalone",
  // `npm run dev` opened as http://127.0.0.1:3000 (the sandbox's own links use 127.0.0.1): Next.js
  // blocks its dev scripts' socket from an origin it does not know, and the page never hydrates.
  allowedDevOrigins: ["127.0.0.1"],
  // Lets parallel builds (e.g. several e2e runs on one machine) use separate output folders.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Types are checked once by `npm run typecheck` (a separate CI step that fails the run); not again here.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      { source: "/:path*", headers: [...SECURITY_HEADERS] },
      { source: "/api/:path*", headers: [...API_HEADERS] },
    ];
  },
};

export default withNextIntl(nextConfig);
