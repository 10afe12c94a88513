import "server-only";
import { decode } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { env } from "../env";

/**
 * Who a request's session cookie says it is. Apart from next-auth's setup (config.ts), so a
 * route handler can check a session from its Request alone, without loading next-auth's
 * Next.js integration.
 */

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60; // one shift

/** next-auth's session cookie: `__Secure-` over HTTPS; split into `.0`, `.1`… when large. */
const SESSION_COOKIE = "authjs.session-token";
const claimsCache = new Map<string, { uid: string; sv: number; exp: number; loginAt: number }>();
const CLAIMS_CACHE_MAX = 5_000;

/** Served over HTTPS (directly, or behind a TLS proxy that says so), as next-auth decides it. */
function overHttps(h: Headers): boolean {
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return proto ? proto === "https" : !!process.env.AUTH_URL?.startsWith("https:");
}

/**
 * Who the session cookie says this is: its `uid` and session version, from next-auth's own
 * encrypted JWT, decrypted with the secret (an expired, forged or tampered cookie gives null).
 * Only the cookie name next-auth itself uses for this request counts (`__Secure-` over HTTPS),
 * so a plain cookie left from an http:// visit is not honoured on HTTPS, nor the other way.
 * A session lasts one shift from the login, however often next-auth re-issues the cookie.
 * Cached per exact cookie value: the same bytes always decrypt to the same claims, so the
 * cache spares the key derivation + decryption on every poll without trusting anything new;
 * the expiry is checked on every call. Whether the account is still active (disabled, role,
 * password reset) is NOT cached: getActor re-reads the staff row each time.
 */
export async function sessionClaims(req?: Request): Promise<{ uid: string; sv: number } | null> {
  // A route handler may pass its Request (so it also runs outside Next.js's request scope, as in
  // tests); pages and actions read the request Next.js is serving.
  const [jar, h] = req
    ? [parseCookieHeader(req.headers.get("cookie") ?? ""), req.headers]
    : await Promise.all([cookies().then((c) => c.getAll()), headers()]);
  const name = overHttps(h) ? `__Secure-${SESSION_COOKIE}` : SESSION_COOKIE;
  const whole = jar.find((c) => c.name === name)?.value;
  const chunks = whole
    ? [whole]
    : jar
        .filter((c) => c.name.startsWith(`${name}.`) && c.value !== undefined)
        .sort((a, b) => Number(a.name.slice(name.length + 1)) - Number(b.name.slice(name.length + 1)))
        .map((c) => c.value!);
  if (!chunks.length) return null;
  const token = chunks.join("");
  const key = `${name}|${token}`;
  const now = Math.floor(Date.now() / 1000);
  let claims = claimsCache.get(key);
  if (!claims) {
    const payload = await decode({ token, secret: env().authSecret, salt: name }).catch(() => null);
    if (!payload?.uid || typeof payload.exp !== "number" || typeof payload.loginAt !== "number") return null;
    claims = { uid: String(payload.uid), sv: Number(payload.sv ?? 0), exp: payload.exp, loginAt: payload.loginAt };
    if (claimsCache.size >= CLAIMS_CACHE_MAX) claimsCache.clear();
    claimsCache.set(key, claims);
  }
  if (claims.exp <= now || now - claims.loginAt > SESSION_MAX_AGE_SECONDS) {
    claimsCache.delete(key);
    return null;
  }
  return { uid: claims.uid, sv: claims.sv };
}

/**
 * `a=1; b=2` → its cookies, values percent-decoded (left as sent when not valid encoding); the first of a repeated name
 * wins, as browsers send the most specific first.
 */
function parseCookieHeader(header: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const seen = new Set<string>();
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || seen.has(name)) continue;
    seen.add(name);
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      /* kept as sent */
    }
    out.push({ name, value });
  }
  return out;
}
