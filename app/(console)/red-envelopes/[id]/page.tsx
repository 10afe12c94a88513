import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { redEnvelopeDetail } from "@/lib/services/red-envelopes";
import { isAppError } from "@/lib/services/errors";
import { ObjectEvents } from "@/components/events/object-events";
import { EnvelopeDetail } from "../_components/envelope-detail";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("redEnvelopes");

export default async function RedEnvelopePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireCapability("redEnvelopes.manage");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const t = await getTranslations("redEnvelopes");
  const detail = await redEnvelopeDetail(id).catch((e: unknown) => (isAppError(e) ? null : Promise.reject(e)));
  if (!detail) notFound();
  return (
    <div className="space-y-4">
      <Link href="/red-envelopes" className="text-sm text-indigo-700">
        {t("back")}
      </Link>
      <h1 className="text-2xl font-semibold">{t("detail")}</h1>
      <EnvelopeDetail initial={detail} />
      <ObjectEvents objectId={detail.envelope.pingppId} role={actor.role} />
    </div>
  );
}
