import crypto from "node:crypto";
import { Secret, TOTP } from "otpauth";
import { env } from "../env";

/**
 * Two-factor sign-in codes (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step of clock
 * drift either way), by `otpauth` (maintained, one dependency, RFC test vectors in its suite).
 * The secret is kept encrypted at rest (AES-256-GCM, key derived from AUTH_SECRET with HKDF),
 * so a database dump or export alone does not give anyone's codes away.
 */

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
const ISSUER = "Ping++ Console";

let cachedKey: { secret: string; key: Buffer } | undefined;
function key(): Buffer {
  const secret = env().authSecret;
  if (cachedKey?.secret !== secret) {
    cachedKey = { secret, key: Buffer.from(crypto.hkdfSync("sha256", secret, "pingpp-console", "totp-secret-v1", 32)) };
  }
  return cachedKey.key;
}

/** A fresh secret (160 bits, as RFC 4226 recommends), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function encryptSecret(base32: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([cipher.update(base32, "utf8"), cipher.final()]);
  return `v1.${iv.toString("base64url")}.${body.toString("base64url")}.${cipher.getAuthTag().toString("base64url")}`;
}

export function decryptSecret(stored: string): string {
  const [v, iv, body, tag] = stored.split(".");
  if (v !== "v1" || !iv || !body || !tag) throw new Error("unreadable TOTP secret");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

function totp(base32: string, label = "") {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
    secret: Secret.fromBase32(base32),
  });
}

/** The otpauth:// URI an authenticator app scans (the QR on the account page). */
export function totpUri(base32: string, email: string): string {
  return totp(base32, email).toString();
}

/** The code for a moment (tests, and nothing else). */
export function totpCode(base32: string, at = Date.now()): string {
  return totp(base32).generate({ timestamp: at });
}

/** The 30-second step a moment falls in. */
export const stepAt = (at: number) => Math.floor(at / 1000 / TOTP_PERIOD);

/** The step a 6-digit code belongs to (now, or one step either side), or null when it matches none. */
export function matchTotp(base32: string, code: string, at = Date.now()): number | null {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(base32).validate({ token, timestamp: at, window: 1 });
  return delta === null ? null : stepAt(at) + delta;
}

/** 10 one-time recovery codes, `xxxxx-xxxxx` (~50 bits each), shown once, kept hashed. */
export function newRecoveryCodes(n = 10): string[] {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  return Array.from({ length: n }, () => {
    const chars = Array.from({ length: 10 }, () => alphabet[crypto.randomInt(alphabet.length)]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/**
 * Hash of a recovery code as typed (case, spaces and the dash don't matter); keyed so a dump can't be checked offline
 * without AUTH_SECRET.
 */
export function hashRecoveryCode(code: string): string {
  const normal = code.toLowerCase().replace(/[^a-z0-9]/g, "");
  return crypto.createHmac("sha256", key()).update(`recovery:${normal}`).digest("hex");
}

/** A recovery code's shape (so a typed 6-digit code is never looked up as one). */
export const looksLikeRecoveryCode = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, "").length === 10;
