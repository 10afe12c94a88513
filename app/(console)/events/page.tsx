import Link from "next/link";
import { z } from "zod";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { EVENT_STATUSES, EVENTS_PER_PAGE, eventTypes, listEvents, objectHref } from "@/lib/services/event-log";
import { formatShanghai, shanghaiDayEnd, shanghaiDayStart } from "@/lib/dates";
import { inputClass } from "@/components/ui/field";
import { filterDay, parseFilters } from "@/lib/validations/dates";
import { DateFilterError } from "@/components/ui/date-filter-error";
import { DayRangeFilter, FilterField, FilterForm, ListTable, Pager, SelectFilter } from "@/components/ui/list";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("events");

const day = filterDay;
const filterSchema = z.object({
  type: z
    .string()
    .max(100)
    .regex(/^[a-z_.]*$/)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  object: z
    .string()
    .max(64)
    .optional()
    .catch(undefined)
    .transform((v) => v?.trim() || undefined),
  status: z.enum(EVENT_STATUSES).optional().catch(undefined),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

export default async function EventsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireCapability("events.read");
  const t = await getTranslations("events");
  const { f, dateError } = parseFilters(filterSchema, await searchParams);
  const [{ rows, total, page }, types] = await Promise.all([
    listEvents({
      type: f.type,
      objectId: f.object,
      status: f.status,
      from: f.from ? shanghaiDayStart(f.from) : undefined,
      to: f.to ? shanghaiDayEnd(f.to) : undefined,
      page: f.page,
    }),
    eventTypes(),
  ]);
  const pages = Math.max(1, Math.ceil(total / EVENTS_PER_PAGE));
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <FilterForm resetHref="/events" labels={{ filter: t("filter"), reset: t("reset") }} className="md:grid-cols-6">
        <SelectFilter
          name="type"
          label={t("type")}
          value={f.type}
          any={t("any")}
          options={types.map((ty) => ({ value: ty, label: ty }))}
        />
        <FilterField label={t("object")}>
          <input name="object" defaultValue={f.object} className={inputClass} placeholder="ch_… / re_…" />
        </FilterField>
        <SelectFilter
          name="status"
          label={t("status")}
          value={f.status}
          any={t("any")}
          options={EVENT_STATUSES.map((s) => ({ value: s, label: t(`statuses.${s}`) }))}
        />
        <DayRangeFilter from={f.from} to={f.to} labels={{ from: t("from"), to: t("to") }} />
      </FilterForm>
      <DateFilterError show={dateError} />
      <p className="text-sm text-slate-500">{t("total", { total })}</p>
      <ListTable
        testId="events-table"
        empty={rows.length === 0 ? t("empty") : null}
        head={[
          { label: t("received") },
          { label: t("type") },
          { label: t("object") },
          { label: t("status") },
          { label: t("count") },
          { label: t("signature") },
        ]}
      >
        {rows.map((e) => {
          const href = objectHref(e.type, e.objectId);
          return (
            <tr key={e.id} className="border-t border-slate-100" data-event-id={e.id}>
              <td className="whitespace-nowrap px-3 py-2">
                <Link href={`/events/${e.id}`} className="text-indigo-700 hover:underline">
                  {formatShanghai(e.firstReceivedAt)}
                </Link>
              </td>
              <td className="px-3 py-2 font-mono text-xs">{e.type}</td>
              <td className="px-3 py-2 font-mono text-xs">
                {href ? (
                  // a route handler that redirects: a full navigation, not a client-side one
                  <a href={href} className="text-indigo-700 hover:underline">
                    {e.objectId}
                  </a>
                ) : (
                  e.objectId
                )}
              </td>
              <td
                className={`px-3 py-2 ${e.status === "failed" ? "text-rose-700" : e.status === "foreign" ? "text-amber-700" : ""}`}
                data-testid="event-status"
              >
                {t(`statuses.${e.status}`)}
              </td>
              <td className="px-3 py-2 tabular-nums">{e.receiveCount}</td>
              <td className="px-3 py-2">{e.signatureVerified ? t("verified") : t("unverified")}</td>
            </tr>
          );
        })}
      </ListTable>
      <Pager page={page} pages={pages} filters={f} labels={{ prev: t("prev"), next: t("next") }} />
    </div>
  );
}
