import { NextResponse, type NextRequest } from "next/server";

/**
 * A first gate only: no session cookie → the login page. Every page, action and route
 * checks the session and role again on the server (lib/auth/session.ts).
 */
export function proxy(req: NextRequest) {
  const hasSession = req.cookies.getAll().some((c) => c.name.includes("authjs.session-token"));
  if (!hasSession) {
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = "";
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = {
  // Everything except login, auth/webhook/health APIs, the customer display and static files.
  matcher: ["/((?!login|api/|cashier/display|_next/|favicon|forbidden).*)"],
};
