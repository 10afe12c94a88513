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
      {/* for the staff, out of the customer's way: language and sign-out, small in a corner */}
      <div className="fixed bottom-2 right-2 flex items-center gap-1 text-xs opacity-40 focus-within:opacity-100 hover:opacity-100 print:hidden" data-testid="display-controls">
        <LocaleSwitch />
        <LogoutButton label={t("logout")} />
      </div>
    </>
  );
}
