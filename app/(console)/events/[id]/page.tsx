import Link from "next/link";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { getEvent, objectHref } from "@/lib/services/event-log";
import { isAppError } from "@/lib/services/errors";
import { formatShanghai } from "@/lib/dates";
import { ApplyAgain } from "./_components/apply-again";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("events");

export default async function EventPage({ params }: { params: Promise<{ id: string }> }) {
  await requireCapability("events.read");
  const { id } = await params;
  const t = await getTranslations("events");
  const e = await getEvent(id).catch((err) => {
    if (isAppError(err)) notFound();
    throw err;
  });
  const href = objectHref(e.type, e.objectId);
  const rows: [string, React.ReactNode][] = [
    [t("id"), <code key="id">{e.id}</code>],
    [t("type"), <code key="t">{e.type}</code>],
    [
      t("object"),
      href ? (
        <a key="o" href={href} className="text-indigo-700 hover:underline">
          {e.objectId}
        </a>
      ) : (
        (e.objectId ?? "—")
      ),
    ],
    [t("created"), formatShanghai(e.createdAt)],
    [t("received"), formatShanghai(e.firstReceivedAt)],
    [t("lastReceived"), formatShanghai(e.lastReceivedAt)],
    [t("count"), e.receiveCount],
    [t("signature"), e.signatureVerified ? t("verified") : t("unverified")],
    [
      t("status"),
      <span key="s" data-testid="event-status">
        {t(`statuses.${e.status}`)}
      </span>,
    ],
    [t("result"), e.result ?? "—"],
  ];
  return (
    <div className="space-y-6">
      <Link href="/events" className="text-sm text-indigo-700 hover:underline">
        ← {t("back")}
      </Link>
      <h1 className="text-2xl font-semibold">{t("detail")}</h1>
      <dl className="grid grid-cols-[140px_1fr] gap-x-4 gap-y-2 rounded-lg bg-white p-5 text-sm shadow-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="break-all">{v}</dd>
          </div>
        ))}
      </dl>
      {e.status === "failed" ? <ApplyAgain id={e.id} /> : null}
      <section className="rounded-lg bg-white p-4 shadow-sm">
        <h2 className="mb-2 font-semibold">{t("raw")}</h2>
        <pre className="overflow-x-auto text-xs">{JSON.stringify(e.payload, null, 2)}</pre>
      </section>
    </div>
  );
}
