import { cookies } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { LOCALES, DEFAULT_LOCALE, type Locale } from "./locales";

/**
 * One catalogue file per capability and locale (messages/<locale>/<file>.json), merged.
 * A capability adds its file name here; shared sections ("errors", "validation", "nav") merge.
 */
export const CATALOGUES = [
  "core",
  "cashier",
  "settlements",
  "red-envelopes",
  "orders",
  "operations",
  "money",
  "reconciliation",
  "finding",
  "account",
] as const;

type Messages = Record<string, unknown>;

function merge(into: Messages, from: Messages): Messages {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    into[k] =
      cur && typeof cur === "object" && v && typeof v === "object" ? merge({ ...(cur as Messages) }, v as Messages) : v;
  }
  return into;
}

export async function loadMessages(locale: Locale): Promise<Messages> {
  const parts = await Promise.all(
    CATALOGUES.map((c) => import(`./messages/${locale}/${c}.json`).then((m) => m.default as Messages)),
  );
  return parts.reduce((acc, p) => merge(acc, p), {} as Messages);
}

export default getRequestConfig(async () => {
  const fromCookie = (await cookies()).get("locale")?.value;
  const locale: Locale = LOCALES.includes(fromCookie as Locale) ? (fromCookie as Locale) : DEFAULT_LOCALE;
  return { locale, messages: await loadMessages(locale), timeZone: "Asia/Shanghai" };
});
