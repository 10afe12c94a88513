import { getTranslations } from "next-intl/server";
import { StatusPage } from "@/components/ui/status-page";

/** Any unknown address or id (notFound()): localized, answered with HTTP 404. */
export default async function NotFound() {
  const t = await getTranslations("finding.notFound");
  return <StatusPage code={404} title={t("title")} body={t("body")} back={t("back")} testId="not-found" />;
}
