import "server-only";
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

/** Carries why a login failed to the login action ("invalid" | "throttled"). */
export class LoginRefused extends CredentialsSignin {
  constructor(public readonly reason: "invalid" | "throttled") {
    super();
    this.code = reason;
  }
}


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
  events: {
    // Every sign-out (the logout action, next-auth's own /api/auth/signout) ends the session on
    // the server too, so a copied cookie stops working (services/staff.ts endSession).
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (!token?.uid || typeof token.sv !== "number") return;
      const ip = await headers().then((h) => clientIp(h), () => "unknown");
      await endSession({ uid: String(token.uid), sv: token.sv, ip });
    },
  },
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
