import { describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { parseEnv, ConfigError } from "./env";

const pub = crypto
  .generateKeyPairSync("rsa", { modulusLength: 1024 })
  .publicKey.export({ type: "spki", format: "pem" })
  .toString();

describe("configuration", () => {
  it("defaults to PGlite and the sandbox with nothing set", () => {
    const e = parseEnv({ NODE_ENV: "development" });
    expect(e.databaseUrl).toBeUndefined();
    expect(e.pingpp.mode).toBe("sandbox");
    expect(e.pingpp.apiBase).toBe("http://127.0.0.1:4010");
    expect(e.authSecret.length).toBeGreaterThanOrEqual(32);
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ PINGPP_API_KEY: "pk_test_abc" }, "PINGPP_API_KEY"],
    [{ PINGPP_API_KEY: "sk_test_abc" }, "PINGPP_APP_ID"],
    [{ PINGPP_API_KEY: "sk_test_abc", PINGPP_APP_ID: "app_1234567890abcdef" }, "PINGPP_PUBLIC_KEY"],
    [
      { PINGPP_API_KEY: "sk_live_abc", PINGPP_APP_ID: "app_1234567890abcdef", PINGPP_PUBLIC_KEY: "not a key" },
      "PINGPP_PUBLIC_KEY",
    ],
    [{ PINGPP_PUBLIC_KEY_PATH: "/nonexistent/key.pem" }, "PINGPP_PUBLIC_KEY_PATH"],
    [{ AUTH_SECRET: "short" }, "AUTH_SECRET"],
    [{ ADMIN_EMAIL: "not-an-email" }, "ADMIN_EMAIL"],
    [{ CHARGE_TTL_SECONDS: "60" }, "CHARGE_TTL_SECONDS"],
    [{ PINGPP_TIMEOUT_MS: "50" }, "PINGPP_TIMEOUT_MS"],
    [{ PINGPP_TIMEOUT_MS: "15s" }, "PINGPP_TIMEOUT_MS"],
    [
      {
        NODE_ENV: "production",
        PINGPP_API_KEY: "sk_live_abc",
        PINGPP_APP_ID: "app_1234567890abcdef",
        PINGPP_PUBLIC_KEY: pub,
      },
      "AUTH_SECRET",
    ],
  ])("refuses %j naming %s", (source, name) => {
    expect(() => parseEnv(source as NodeJS.ProcessEnv)).toThrowError(ConfigError);
    expect(() => parseEnv(source as NodeJS.ProcessEnv)).toThrowError(name);
  });

  it("accepts a complete live configuration and derives the mode from the key", () => {
    const e = parseEnv({
      PINGPP_API_KEY: "sk_live_abc",
      PINGPP_APP_ID: "app_1234567890abcdef",
      PINGPP_PUBLIC_KEY: pub.replace(/\n/g, "\\n"),
      AUTH_SECRET: "x".repeat(40),
      NODE_ENV: "production",
    } as NodeJS.ProcessEnv);
    expect(e.pingpp.mode).toBe("live");
    expect(e.pingpp.apiBase).toBe("https://api.pingxx.com");
    expect(e.pingpp.publicKeyPem).toContain("BEGIN PUBLIC KEY");
  });

  it("waits 15 s for Ping++'s answer unless PINGPP_TIMEOUT_MS says otherwise", () => {
    expect(parseEnv({ NODE_ENV: "development" }).pingpp.timeoutMs).toBe(15_000);
    expect(parseEnv({ NODE_ENV: "development", PINGPP_TIMEOUT_MS: "1000" }).pingpp.timeoutMs).toBe(1000);
  });
});
