/**
 * Configuration, parsed and validated once (README: Configuration).
 * A bad or missing required value stops start-up with a message naming the variable.
 */
import { z } from "zod";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";

export const DATA_DIR = path.resolve(/*turbopackIgnore: true*/ process.env.CONSOLE_DATA_DIR ?? ".data");

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v));

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string")
      .optional(),
  ),
  /** PGlite data directory when DATABASE_URL is unset; "memory://" for an in-memory database. */
  PGLITE_DATA_DIR: optionalString,
  PINGPP_API_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^sk_(live|test)_[A-Za-z0-9]+$/, "must look like sk_live_… or sk_test_…")
      .optional(),
  ),
  PINGPP_APP_ID: optionalString.pipe(
    z
      .string()
      .regex(/^app_[A-Za-z0-9]{16}$/, "must look like app_ + 16 characters")
      .optional(),
  ),
  PINGPP_PRIVATE_KEY: optionalString,
  PINGPP_PRIVATE_KEY_PATH: optionalString,
  PINGPP_PUBLIC_KEY: optionalString,
  PINGPP_PUBLIC_KEY_PATH: optionalString,
  PINGPP_API_BASE: optionalString.pipe(z.url("must be a URL such as https://api.pingxx.com").optional()),
  /** How long a call to Ping++ waits for its answer before it counts as unanswered (ms). */
  PINGPP_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100, "must be at least 100")
    .max(120_000, "must be at most 120000")
    .default(15_000),
  AUTH_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
  ADMIN_EMAIL: optionalString.pipe(z.email("must be an e-mail address").optional()),
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(10, "must be at least 10 characters").optional()),
  /** "true": an admin without two-factor sign-in is sent to enroll before anything else. */
  REQUIRE_2FA_FOR_ADMINS: optionalString.pipe(z.enum(["true", "false"], "must be true or false").optional()),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  /** How long a cashier QR stays payable (Ping++ time_expire), in seconds. */
  // Ping++ wants time_expire at least 1 minute ahead when it receives the request: keep a margin.
  /** Postgres connections per server process. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(2, "must be at least 2").max(200, "must be at most 200").default(10),
  /** How long a statement may wait for a row lock held elsewhere before it fails (ms). */
  DATABASE_LOCK_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100, "must be at least 100")
    .max(600_000, "must be at most 600000")
    .default(10_000),
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1, "must be at least 1").max(10, "must be at most 10").default(1),
  CHARGE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(90, "must be at least 90 (Ping++ needs time_expire ≥ 1 minute ahead)")
    .max(86_400, "must be at most 86400")
    .default(900),
});

export type PingppMode = "sandbox" | "test" | "live";

export interface Env {
  nodeEnv: "development" | "production" | "test";
  databaseUrl?: string;
  pgliteDataDir: string;
  pingpp: {
    mode: PingppMode;
    apiKey: string;
    appId: string;
    apiBase: string;
    privateKeyPem?: string;
    publicKeyPem?: string;
    /** How long a call waits for Ping++'s answer (ms). */
    timeoutMs: number;
  };
  authSecret: string;
  adminEmail?: string;
  adminPassword?: string;
  /** REQUIRE_2FA_FOR_ADMINS=true: admins must enroll in two-factor sign-in. */
  require2faForAdmins: boolean;
  bcryptCost: number;
  chargeTtlSeconds: number;
  /** How many proxies of ours append to X-Forwarded-For (the client's address is that many entries from the right). */
  trustedProxyHops: number;
  databasePoolMax: number;
  databaseLockTimeoutMs: number;
}

export const SANDBOX_API_KEY = "sk_test_sandbox";
export const SANDBOX_APP_ID = "app_Sandbox000000001";
export const SANDBOX_PUBLIC_KEY_FILE = path.join(DATA_DIR, "sandbox", "webhook_public_key.pem");

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function readKey(value: string | undefined, filePath: string | undefined, name: string): string | undefined {
  if (value) return value.includes("\\n") ? value.replace(/\\n/g, "\n") : value;
  if (!filePath) return undefined;
  try {
    return fs.readFileSync(filePath, "utf8");
  } catch {
    throw new ConfigError(`${name}_PATH: cannot read ${filePath}`);
  }
}

function assertPem(pem: string | undefined, name: string, kind: "public" | "private") {
  if (!pem) return;
  try {
    if (kind === "public") crypto.createPublicKey(pem);
    else crypto.createPrivateKey(pem);
  } catch {
    throw new ConfigError(`${name}: not a valid PEM ${kind} key`);
  }
}

/** Generated once and kept under .data/ so sessions survive restarts in zero-set-up mode. */
function localAuthSecret(): string {
  const file = path.join(DATA_DIR, "auth-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    const secret = crypto.randomBytes(32).toString("base64url");
    fs.mkdirSync(DATA_DIR, { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const mode: PingppMode = !e.PINGPP_API_KEY ? "sandbox" : e.PINGPP_API_KEY.startsWith("sk_live_") ? "live" : "test";

  const privateKeyPem = readKey(e.PINGPP_PRIVATE_KEY, e.PINGPP_PRIVATE_KEY_PATH, "PINGPP_PRIVATE_KEY");
  assertPem(privateKeyPem, "PINGPP_PRIVATE_KEY", "private");
  let publicKeyPem = readKey(e.PINGPP_PUBLIC_KEY, e.PINGPP_PUBLIC_KEY_PATH, "PINGPP_PUBLIC_KEY");
  if (!publicKeyPem && mode === "sandbox" && fs.existsSync(SANDBOX_PUBLIC_KEY_FILE)) {
    publicKeyPem = fs.readFileSync(SANDBOX_PUBLIC_KEY_FILE, "utf8");
  }
  assertPem(publicKeyPem, "PINGPP_PUBLIC_KEY", "public");

  if (mode !== "sandbox") {
    if (!e.PINGPP_APP_ID) throw new ConfigError("PINGPP_APP_ID: required when PINGPP_API_KEY is set");
    if (!publicKeyPem)
      throw new ConfigError(
        "PINGPP_PUBLIC_KEY or PINGPP_PUBLIC_KEY_PATH: required when PINGPP_API_KEY is set (Ping++'s webhook public key)",
      );
    if (!e.AUTH_SECRET && e.NODE_ENV === "production") throw new ConfigError("AUTH_SECRET: required in production");
  }

  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    pgliteDataDir: e.PGLITE_DATA_DIR ?? path.join(DATA_DIR, "pglite"),
    pingpp: {
      mode,
      apiKey: e.PINGPP_API_KEY ?? SANDBOX_API_KEY,
      appId: e.PINGPP_APP_ID ?? SANDBOX_APP_ID,
      apiBase:
        e.PINGPP_API_BASE ??
        (mode === "sandbox" ? `http://127.0.0.1:${source.PINGPP_SANDBOX_PORT ?? 4010}` : "https://api.pingxx.com"),
      privateKeyPem,
      publicKeyPem,
      timeoutMs: e.PINGPP_TIMEOUT_MS,
    },
    authSecret: e.AUTH_SECRET ?? localAuthSecret(),
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    require2faForAdmins: e.REQUIRE_2FA_FOR_ADMINS === "true",
    bcryptCost: e.BCRYPT_COST,
    chargeTtlSeconds: e.CHARGE_TTL_SECONDS,
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    databasePoolMax: e.DATABASE_POOL_MAX,
    databaseLockTimeoutMs: e.DATABASE_LOCK_TIMEOUT_MS,
  };
}

let cached: Env | undefined;
/** For start-up only (lib/startup.ts): read the environment again after it has pointed the console at its sandbox. */
export function resetEnv(): void {
  cached = undefined;
}

/** The configuration, parsed on first use and then cached for the life of the process. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
