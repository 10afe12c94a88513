import "server-only";
import crypto from "node:crypto";
import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { env } from "../env";
import { authenticate, endSession } from "../services/staff";
import { loginSchema } from "../validations/staff";
import { headers } from "next/headers";
import { clientIp } from "./ip";
import { SESSION_MAX_AGE_SECONDS } from "./claims";
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

/** Carries why a login failed to the login action ("invalid" | "throttled" | "codeRequired" | "invalidCode"). */
export class LoginRefused extends CredentialsSignin {
  constructor(public readonly reason: "invalid" | "throttled" | "codeRequired" | "invalidCode") {
    super();
    this.code = reason;
  }
}

/**
 * A proof, made on the server, that this session may carry a new session version (its own
 * password was just changed: services/accounts.ts changeOwnPassword). next-auth's session
 * update can also be asked for by the browser (POST /api/auth/session), so the version is only
 * taken from a ticket signed with AUTH_SECRET for this user, valid one minute.
 */
export function sessionVersionTicket(uid: string, sv: number, at = Date.now()): string {
  const exp = Math.floor(at / 1000) + 60;
  const mac = crypto.createHmac("sha256", env().authSecret).update(`sv-ticket.${uid}.${sv}.${exp}`).digest("base64url");
  return `${sv}.${exp}.${mac}`;
}

export function ticketVersion(uid: string, ticket: unknown): number | null {
  if (typeof ticket !== "string") return null;
  const [sv, exp, mac] = ticket.split(".");
  if (!sv || !exp || !mac || Number(exp) < Date.now() / 1000) return null;
  const want = crypto.createHmac("sha256", env().authSecret).update(`sv-ticket.${uid}.${sv}.${exp}`).digest();
  const got = Buffer.from(mac, "base64url");
  return got.length === want.length && crypto.timingSafeEqual(got, want) ? Number(sv) : null;
}

export const {
  handlers,
  auth,
  signIn,
  signOut,
  unstable_update: updateSession,
} = NextAuth(() => ({
  secret: env().authSecret,
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/login" },
  // A wrong password is an expected outcome (throttled and audited), not a server error to log.
  logger: {
    error(error) {
      // By class or by its `type`, not by `name`: the production build shortens class names, and
      // every wrong password was logged as a server error.
      if (error instanceof CredentialsSignin || (error as { type?: string }).type === "CredentialsSignin") return;
      console.error("[auth]", error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: {}, password: {}, code: {} },
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
  events: {
    // Every sign-out (the logout action, next-auth's own /api/auth/signout) ends the session on
    // the server too, so a copied cookie stops working (services/staff.ts endSession).
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (!token?.uid || typeof token.sv !== "number") return;
      const ip = await headers().then(
        (h) => clientIp(h),
        () => "unknown",
      );
      await endSession({ uid: String(token.uid), sv: token.sv, ip });
    },
  },
  callbacks: {
    jwt({ token, user, trigger, session }) {
      if (trigger === "update" && token.uid) {
        const sv = ticketVersion(String(token.uid), (session as { svTicket?: unknown } | undefined)?.svTicket);
        if (sv !== null) token.sv = sv;
        return token;
      }
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
