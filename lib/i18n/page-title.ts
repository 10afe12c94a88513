import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";

type NavKey =
  | "overview"
  | "cashier"
  | "orders"
  | "refunds"
  | "charges"
  | "shift"
  | "attention"
  | "reconciliation"
  | "events"
  | "staff"
  | "settlements"
  | "redEnvelopes"
  | "audit"
  | "settings"
  | "account";

/**
 * A page's own browser-tab title, its section's name in the sidebar (`nav` catalogue) and, on a
 * detail page, the id it shows: "交易 ch_Hm5u… · Ping++ 商户控制台" (the root layout's template adds
 * the app name). Staff keep many tabs open; each says what it is.
 *   export const generateMetadata = navTitle("charges");
 */
export function navTitle(key: NavKey) {
  return async ({ params }: { params?: Promise<Record<string, string | string[]>> } = {}): Promise<Metadata> => {
    const t = await getTranslations("nav");
    const id = params ? Object.values(await params)[0] : undefined;
    return { title: typeof id === "string" ? `${t(key)} ${decodeURIComponent(id)}` : t(key) };
  };
}
