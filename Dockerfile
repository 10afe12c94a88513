# syntax=docker/dockerfile:1
# The console as one image: Next.js's standalone server (next.config.ts: output "standalone"),
# modelled on Next.js's own with-docker example. Build: docker build -t pingpp-console .
# Run: docker compose up (compose.yaml: the console + Postgres), or
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://… -e AUTH_SECRET=… -e PINGPP_API_KEY=… pingpp-console
# Start-up (instrumentation.ts) checks the configuration, migrates the database under an advisory
# lock and creates the first admin; without PINGPP_API_KEY it runs the built-in Ping++ sandbox.

# Node 24 (LTS; Node 20 is past its end of life): CI runs the whole test suite on it too (.ci/run).
FROM node:24-slim AS base

# 1. Dependencies, exactly as locked (postinstall applies patches/ to them).
FROM base AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund

# 2. The build: `npm run build` = next build, then scripts/standalone.mjs puts the browser's files
#    (.next/static, public/) and the migrations (drizzle/) beside the standalone server.
FROM base AS builder
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN npm run build

# 3. What runs: the standalone folder only (its traced node_modules included), as a non-root user.
FROM base AS runner
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    CONSOLE_DATA_DIR=/app/.data
RUN groupadd --system --gid 1001 nodejs \
 && useradd --system --uid 1001 --gid nodejs --no-create-home nextjs \
 && mkdir -p /app/.data \
 && chown nextjs:nodejs /app/.data
COPY --from=builder --chown=nextjs:nodejs /app/.next/standalone ./
USER nextjs
# Local data (the embedded database without DATABASE_URL, the sandbox's state and key, a generated
# AUTH_SECRET in sandbox mode): keep it on a volume.
VOLUME ["/app/.data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
