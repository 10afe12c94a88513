import "server-only";
import { cookies } from "next/headers";
import { LOCALES, type Locale } from "./locales";

/**
 * The one place the locale cookie is written: setLocaleAction (React pages) and /api/locale (the
 * plain pages, lib/html/page.ts). A display preference, not data: allowed without a session.
 * Anything but a known locale is ignored (false).
 */
export async function setLocaleCookie(locale: unknown): Promise<boolean> {
  if (!LOCALES.includes(locale as Locale)) return false;
  (await cookies()).set("locale", locale as string, {
    path: "/",
    sameSite: "lax",
    httpOnly: true,
    maxAge: 365 * 24 * 3600,
  });
  return true;
}
