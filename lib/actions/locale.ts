"use server";
import { cookies } from "next/headers";
import { LOCALES, type Locale } from "../i18n/locales";

/** A display preference, not data: allowed without a session (the login page has the switch too). */
export async function setLocaleAction(locale: Locale): Promise<void> {
  if (!LOCALES.includes(locale)) return;
  (await cookies()).set("locale", locale, { path: "/", sameSite: "lax", httpOnly: true, maxAge: 365 * 24 * 3600 });
}
