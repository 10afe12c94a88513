import { getTranslations } from "next-intl/server";
import { StatusPage } from "@/components/ui/status-page";

/** forbidden() (lib/auth/session.ts: a role without the capability): localized, with HTTP 403. */
export default async function Forbidden() {
  const t = await getTranslations("app");
  return (
    <StatusPage
      code={403}
      title={t("forbiddenTitle")}
      body={t("forbiddenBody")}
      back={t("backHome")}
      testId="forbidden"
    />
  );
}
