import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { getSettlement } from "@/lib/services/settlements";
import { isAppError } from "@/lib/services/errors";
import { ObjectEvents } from "@/components/events/object-events";
import { SettlementDetail } from "../_components/settlement-detail";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("settlements");

export default async function SettlementPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireCapability("settlements.manage");
  const t = await getTranslations("settlements");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const view = await getSettlement(id).catch((e: unknown) => (isAppError(e) ? null : Promise.reject(e)));
  if (!view) notFound();
  return (
    <div className="max-w-5xl space-y-4">
      <Link href="/settlements" className="text-sm text-indigo-600 hover:underline">
        ← {t("back")}
      </Link>
      <SettlementDetail initial={view} />
      <ObjectEvents objectId={view.pingppId} role={actor.role} />
    </div>
  );
}
