import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { can, requireCapability } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { LocaleSwitch } from "@/components/locale-switch";
import { LogoutButton } from "@/components/logout-button";
import { NAV_ITEMS } from "@/components/nav";
import { Providers } from "@/components/providers";
import { NavLinks } from "@/components/nav-links";
import { NavDrawer, NavDrawerProvider, NavMenuButton } from "@/components/nav-drawer";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  // A gated account (admin-set password to change, or an admin without the required 2FA) gets the
  // shell without navigation; every page but /account sends it there (requireCapability).
  const actor = await requireCapability("console.enter", { allowGated: true });
  const t = await getTranslations();
  const mode = env().pingpp.mode;
  const modeLabel = mode === "sandbox" ? t("app.sandbox") : mode === "test" ? t("app.testMode") : t("app.liveMode");
  const modeClass =
    mode === "live"
      ? "bg-emerald-100 text-emerald-800"
      : mode === "test"
        ? "bg-amber-100 text-amber-800"
        : "bg-fuchsia-100 text-fuchsia-800";
  return (
    <NavDrawerProvider>
      <div className="flex min-h-screen">
        <NavDrawer closeLabel={t("app.closeMenu")}>
          <div className="space-y-2 border-b border-slate-200 p-4">
            <p className="font-semibold">{t("app.name")}</p>
            <span
              data-testid="mode-badge"
              className={`inline-block rounded px-2 py-0.5 text-xs font-semibold uppercase ${modeClass}`}
            >
              {modeLabel}
            </span>
          </div>
          <nav className="flex-1 space-y-1 p-2" aria-label="main">
            {actor.gate ? (
              <p className="px-3 py-2 text-sm text-slate-500">{t("account.gateShell")}</p>
            ) : (
              <NavLinks
                loadingLabel={t("app.loading")}
                items={NAV_ITEMS.filter((i) => can(actor.role, i.capability)).map((i) => ({
                  href: i.href,
                  label: t(`nav.${i.key}`),
                }))}
              />
            )}
          </nav>
        </NavDrawer>
        <div className="flex min-w-0 flex-1 flex-col">
          <header
            data-testid="user-header"
            className="flex items-center justify-end gap-2 border-b border-slate-200 bg-white px-3 py-2 text-sm md:gap-4 md:px-6 print:hidden"
          >
            <NavMenuButton label={t("app.menu")} />
            <Link
              href="/account"
              className="truncate hover:underline"
              title={`${actor.email} · ${t("nav.account")}`}
              data-testid="user-name"
            >
              {actor.name}
            </Link>
            <span data-testid="user-role" className="rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
              {t(`roles.${actor.role}`)}
              {actor.terminalId ? ` · ${actor.terminalId}` : ""}
            </span>
            <LocaleSwitch />
            <LogoutButton label={t("app.logout")} />
          </header>
          <main className="min-w-0 flex-1 p-3 md:p-6">
            <Providers>{children}</Providers>
          </main>
        </div>
      </div>
    </NavDrawerProvider>
  );
}
