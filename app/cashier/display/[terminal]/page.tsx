import { forbidden, notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { can, requireCapability } from "@/lib/auth/session";
import { CustomerDisplay } from "@/components/cashier/customer-display";
import { LocaleSwitch } from "@/components/locale-switch";
import { LogoutButton } from "@/components/logout-button";

/** Customer-facing screen of one terminal: amount + QR + status of whatever is live there. */
export default async function DisplayPage({ params }: { params: Promise<{ terminal: string }> }) {
  const actor = await requireCapability("cashier.use");
  const { terminal } = await params;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(terminal)) notFound();
  if (!can(actor.role, "terminals.all") && actor.terminalId !== terminal) forbidden();
  const t = await getTranslations("app");
  return (
    <>
      <CustomerDisplay terminal={terminal} />
      {/*
         for the staff, out of the customer's way: language and sign-out, small in a corner (not dimmed: dimmed text
         fails contrast, e2e/a11y.spec.ts)
      */}
      <div
        className="fixed bottom-2 right-2 flex items-center gap-1 rounded bg-white/95 text-xs shadow-sm print:hidden"
        data-testid="display-controls"
      >
        <LocaleSwitch />
        <LogoutButton label={t("logout")} />
      </div>
    </>
  );
}
