import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { can, requireCapability } from "@/lib/auth/session";
import { recentCharges } from "@/lib/services/charges";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { CashierScreen } from "@/components/cashier/cashier-screen";
import { LocaleSwitch } from "@/components/locale-switch";
import { LogoutButton } from "@/components/logout-button";
import { navTitle } from "@/lib/i18n/page-title";

export const dynamic = "force-dynamic";
export const generateMetadata = navTitle("cashier");

export default async function CashierPage() {
  const actor = await requireCapability("cashier.use");
  const t = await getTranslations();
  const recent = await recentCharges(actor, 8);
  return (
    <div className="mx-auto grid max-w-6xl gap-6 p-4 lg:grid-cols-[1fr_320px]">
      <section>
        <div className="mb-4 flex items-center justify-between">
          <h1 className="text-2xl font-semibold">{t("cashier.title")}</h1>
          <div className="flex flex-wrap items-center gap-3 text-sm">
            {actor.terminalId ? (
              <Link
                className="text-indigo-600 hover:underline"
                href={`/cashier/display/${actor.terminalId}`}
                target="_blank"
                prefetch={false}
              >
                {t("cashier.openDisplay")}
              </Link>
            ) : null}
            {/* no prefetch: a tablet that never leaves the till would download the overview's scripts for nothing */}
            <Link className="text-slate-600 hover:underline" href="/" prefetch={false}>
              {t("nav.overview")}
            </Link>
            <LocaleSwitch />
            <LogoutButton label={t("app.logout")} />
          </div>
        </div>
        <CashierScreen defaultTerminal={actor.terminalId} terminalLocked={!can(actor.role, "terminals.all")} />
      </section>
      <aside className="space-y-2">
        <h2 className="text-sm font-semibold text-slate-600">{t("cashier.recent")}</h2>
        {recent.length === 0 ? (
          <p className="text-sm text-slate-400">{t("cashier.noRecent")}</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-lg bg-white text-sm shadow-sm" data-testid="recent-charges">
            {recent.map((c) => (
              <li key={c.id} className="flex items-center justify-between px-3 py-2">
                <span>
                  <span className="block font-medium tabular-nums">{formatMoney(c.amount, c.currency)}</span>
                  <span className="text-xs text-slate-500">
                    {t(`channels.${c.channel}` as never)}{" "}
                    {c.timePaid ? `· ${formatShanghai(new Date(c.timePaid))}` : ""}
                  </span>
                </span>
                <span className={c.status === "paid" ? "text-emerald-700" : "text-slate-500"}>
                  {t(`chargeStatus.${c.status}`)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </aside>
    </div>
  );
}
