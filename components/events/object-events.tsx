import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { can } from "@/lib/auth/policy";
import { objectEvents } from "@/lib/services/event-log";
import type { StaffRole } from "@/lib/db/schema";
import { formatShanghai } from "@/lib/dates";
import { ListTable } from "@/components/ui/list";

/**
 * The Ping++ events stored for one object (its Ping++ id), newest first, on that object's detail
 * page. Each links to the event in the event log — only for the roles that may open the event log
 * (the raw JSON stays there); others see the same list without links.
 */
export async function ObjectEvents({ objectId, role }: { objectId: string | null; role: StaffRole }) {
  const t = await getTranslations("events");
  const rows = await objectEvents(objectId);
  const linked = can(role, "events.read");
  return (
    <section className="space-y-2" data-testid="object-events">
      <div className="flex items-baseline gap-3">
        <h2 className="font-semibold">{t("ofObject.title")}</h2>
        {linked && objectId && rows.length > 0 ? (
          <Link
            href={`/events?object=${encodeURIComponent(objectId)}`}
            className="text-sm text-indigo-700 hover:underline"
          >
            {t("ofObject.all")}
          </Link>
        ) : null}
      </div>
      <ListTable
        testId="object-events-table"
        empty={rows.length === 0 ? t("ofObject.empty") : null}
        head={[
          { label: t("type") },
          { label: t("received") },
          { label: t("count"), right: true },
          { label: t("status") },
        ]}
      >
        {rows.map((e) => (
          <tr key={e.id} className="border-t border-slate-100" data-event-id={e.id}>
            <td className="px-3 py-2 font-mono text-xs">
              {linked ? (
                <Link href={`/events/${encodeURIComponent(e.id)}`} className="text-indigo-700 hover:underline">
                  {e.type}
                </Link>
              ) : (
                e.type
              )}
            </td>
            <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatShanghai(e.firstReceivedAt)}</td>
            <td className="px-3 py-2 text-right tabular-nums">{e.receiveCount}</td>
            <td
              className={`px-3 py-2 ${e.status === "failed" ? "text-rose-700" : e.status === "foreign" ? "text-amber-700" : ""}`}
            >
              {t(`statuses.${e.status}`)}
            </td>
          </tr>
        ))}
      </ListTable>
    </section>
  );
}
