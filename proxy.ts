import { NextResponse, type NextRequest } from "next/server";

/** Pages anyone may open: the login form, the "not allowed" page and the customer's payment result (/paid/{id}). */
const PUBLIC_PAGES = /^\/(login|forbidden|paid)(\/|$)/;

/**
 * The Content-Security-Policy of every page: scripts only with this response's nonce (Next.js
 * puts it on its own scripts; 'strict-dynamic' lets those load their chunks), no eval in
 * production (React's development build needs it for its stack traces), no plugins, no
 * framing by anyone (money actions must not be clickjacked), forms and fetches to ourselves.
 * Inline style attributes stay allowed (charts and the QR set sizes that way; no script runs).
 */
export function contentSecurityPolicy(nonce: string, dev = process.env.NODE_ENV !== "production"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * A first gate only: no session cookie → the login page. Every page, action and route
 * checks the session and role again on the server (lib/auth/session.ts). Also gives every
 * page its CSP nonce.
 */
export function proxy(req: NextRequest) {
  const hasSession = req.cookies.getAll().some((c) => c.name.includes("authjs.session-token"));
  if (!hasSession && !PUBLIC_PAGES.test(req.nextUrl.pathname)) {
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = "";
    return NextResponse.redirect(url);
  }
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp); // Next.js reads the nonce from here
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return res;
}

export const config = {
  // Every page; not the APIs (each checks its own session or signature; JSON needs no script
  // policy) nor static files.
  matcher: ["/((?!api/|_next/|favicon).*)"],
};
