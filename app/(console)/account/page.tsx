import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { accountStatus } from "@/lib/services/accounts";
import { Alert } from "@/components/ui/alert";
import { ChangePasswordForm } from "./_components/change-password-form";
import { TwoFactorSection } from "./_components/two-factor";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("account");

export const dynamic = "force-dynamic";

/**
 * One's own account: change password, two-factor sign-in. Also where a person is sent first when
 * an admin set their password, or (REQUIRE_2FA_FOR_ADMINS=true) an admin has no two-factor yet.
 */
export default async function AccountPage() {
  const actor = await requireCapability("account.self", { allowGated: true });
  const t = await getTranslations("account");
  const tr = await getTranslations("roles");
  const status = await accountStatus(actor);
  return (
    <div className="max-w-2xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">{t("title")}</h1>
        <p className="text-sm text-slate-500">
          {status.email} · {tr(status.role)}
        </p>
      </div>
      {status.gate === "password" ? <Alert tone="info">{t("gatePassword")}</Alert> : null}
      {status.gate === "twoFactor" ? <Alert tone="info">{t("gateTwoFactor")}</Alert> : null}
      {status.gate !== "twoFactor" ? <ChangePasswordForm required={status.gate === "password"} /> : null}
      {status.gate !== "password" ? (
        <TwoFactorSection
          enabled={status.twoFactorEnabled}
          required={status.twoFactorRequired}
          recoveryCodesLeft={status.recoveryCodesLeft}
          gated={status.gate === "twoFactor"}
        />
      ) : null}
    </div>
  );
}
