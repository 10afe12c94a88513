import type { Metadata } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("app");
  // each page's own title (a page's `metadata.title`) reads "交易 · Ping++ 商户控制台"
  return { title: { default: t("name"), template: `%s · ${t("name")}` }, applicationName: t("name") };
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const locale = await getLocale();
  return (
    <html lang={locale}>
      <body className="min-h-screen font-sans">
        {/* TanStack Query's provider lives in the layouts whose pages poll ((console), cashier), not on /login */}
        <NextIntlClientProvider>{children}</NextIntlClientProvider>
      </body>
    </html>
  );
}
