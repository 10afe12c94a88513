"use server";
import { setLocaleCookie } from "../i18n/locale-cookie";
import type { Locale } from "../i18n/locales";

/** A display preference, not data: allowed without a session (the login page has the switch too). */
export async function setLocaleAction(locale: Locale): Promise<void> {
  await setLocaleCookie(locale);
}
