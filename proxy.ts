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
  // Everything except login, the APIs (each checks its own session or signature) and static files.
  matcher: ["/((?!login|api/|_next/|favicon|forbidden).*)"],
};
