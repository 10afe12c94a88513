import "server-only";
import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import { decode } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import Credentials from "next-auth/providers/credentials";
import { env } from "../env";
import { authenticate } from "../services/staff";
import { loginSchema } from "../validations/staff";
import { clientIp } from "./ip";
import type { StaffRole } from "../db/schema";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: StaffRole; sv: number } & DefaultSession["user"];
  }
  interface User {
    role?: StaffRole;
    sv?: number;
  }
}

/** Carries why a login failed to the login action ("invalid" | "throttled"). */
export class LoginRefused extends CredentialsSignin {
  constructor(public readonly reason: "invalid" | "throttled") {
    super();
    this.code = reason;
  }
}

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60; // one shift

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: env().authSecret,
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/login" },
  // A wrong password is an expected outcome (throttled and audited), not a server error to log.
  logger: {
    error(error) {
      if (error.name !== "CredentialsSignin") console.error("[auth]", error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = loginSchema.safeParse(raw);
        if (!parsed.success) throw new LoginRefused("invalid");
        const result = await authenticate({ ...parsed.data, ip: clientIp(request.headers) });
        if (!result.ok) throw new LoginRefused(result.reason);
        const u = result.user;
        return { id: u.id, email: u.email, name: u.name, role: u.role, sv: u.sessionVersion };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = user.role;
        token.sv = user.sv;
        token.loginAt = Math.floor(Date.now() / 1000); // re-issuing the cookie never moves this
      }
      return token;
    },
    session({ session, token }) {
      session.user.id = String(token.uid ?? "");
      session.user.role = token.role as StaffRole;
      session.user.sv = Number(token.sv ?? 0);
      return session;
    },
  },
}));

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
export async function sessionClaims(): Promise<{ uid: string; sv: number } | null> {
  const [jar, h] = await Promise.all([cookies(), headers()]);
  const name = overHttps(h) ? `__Secure-${SESSION_COOKIE}` : SESSION_COOKIE;
  const whole = jar.get(name)?.value;
  const chunks = whole
    ? [whole]
    : jar
        .getAll()
        .filter((c) => c.name.startsWith(`${name}.`))
        .sort((a, b) => Number(a.name.slice(name.length + 1)) - Number(b.name.slice(name.length + 1)))
        .map((c) => c.value);
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
