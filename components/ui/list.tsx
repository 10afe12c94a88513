import Link from "next/link";
import type { ReactNode } from "react";
import { inputClass } from "./field";

/**
 * The pieces of a list page (filters in the query string, page paging, totals, empty
 * state): a GET filter form, its fields, the table frame and the pager. Server-renderable.
 */

/** Filters as a GET form: fields, then "filter" and "clear" (a link back to the bare list). */
export function FilterForm({
  resetHref,
  labels,
  className,
  children,
}: {
  resetHref: string;
  labels: { filter: string; reset: string };
  className: string;
  children: ReactNode;
}) {
  return (
    <form className={`grid grid-cols-2 gap-3 rounded-lg bg-white p-4 shadow-sm md:items-end ${className}`} method="get">
      {children}
      <div className="flex gap-2">
        <button className="rounded-md bg-indigo-600 px-3 py-2 text-sm text-white">{labels.filter}</button>
        <Link href={resetHref} className="rounded-md border border-slate-300 px-3 py-2 text-sm">
          {labels.reset}
        </Link>
      </div>
    </form>
  );
}

export function FilterField({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <label className="text-sm">
      {label}
      {children}
    </label>
  );
}

export function SelectFilter({
  name,
  label,
  value,
  any,
  options,
}: {
  name: string;
  label: ReactNode;
  value?: string;
  any: string;
  options: { value: string; label: string }[];
}) {
  return (
    <FilterField label={label}>
      <select name={name} defaultValue={value ?? ""} className={inputClass}>
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FilterField>
  );
}

/** `from` / `to` days (yyyy-mm-dd, Asia/Shanghai). */
export function DayRangeFilter({
  from,
  to,
  labels,
}: {
  from?: string;
  to?: string;
  labels: { from: string; to: string };
}) {
  return (
    <>
      <FilterField label={labels.from}>
        <input type="date" name="from" defaultValue={from} className={inputClass} />
      </FilterField>
      <FilterField label={labels.to}>
        <input type="date" name="to" defaultValue={to} className={inputClass} />
      </FilterField>
    </>
  );
}

/** A table of rows, or the empty state when there are none. `head`: column labels (`right` for amounts). */
export function ListTable({
  testId,
  head,
  empty,
  children,
}: {
  testId: string;
  head: { label?: ReactNode; right?: boolean }[];
  empty: ReactNode | null;
  children: ReactNode;
}) {
  if (empty) return <p className="rounded-lg bg-white p-6 text-center text-slate-500 shadow-sm">{empty}</p>;
  return (
    <div className="overflow-x-auto rounded-lg bg-white shadow-sm">
      <table className="min-w-full text-sm" data-testid={testId}>
        <thead className="bg-slate-100 text-left text-slate-600">
          <tr>
            {head.map((h, i) => (
              <th key={i} className={`px-3 py-2 ${h.right ? "text-right" : ""}`}>
                {h.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

const pagerLink = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-indigo-700 hover:bg-slate-50";
const pagerOff = "rounded-md border border-slate-200 px-3 py-1.5 text-slate-400";

/** A pager button: a link, or a greyed label when there is no such page (the layout never jumps). */
function PagerLink({
  href,
  rel,
  children,
}: {
  href: string | null;
  rel: "prev" | "next" | "first";
  children: ReactNode;
}) {
  return href ? (
    <Link href={href} rel={rel === "first" ? undefined : rel} className={pagerLink} data-testid={`pager-${rel}`}>
      {children}
    </Link>
  ) : (
    <span aria-disabled="true" className={pagerOff} data-testid={`pager-${rel}-off`}>
      {children}
    </span>
  );
}

function filtersQuery(
  filters: Record<string, string | number | undefined | null>,
  over: Record<string, string | number | undefined>,
  drop: string[],
) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filters, ...over }))
    if (v !== undefined && v !== null && v !== "" && !drop.includes(k)) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "?";
}

/** Page paging: keeps the filters, changes `page`. Nothing for a single page. */
export function Pager({
  page,
  pages,
  filters,
  labels,
}: {
  page: number;
  pages: number;
  filters: Record<string, string | number | undefined>;
  labels: { prev: string; next: string };
}) {
  if (pages <= 1) return null;
  const href = (p: number) => filtersQuery(filters, { page: p }, []);
  return (
    <nav className="flex items-center gap-3 text-sm" aria-label="pagination" data-testid="pager">
      <PagerLink href={page > 1 ? href(page - 1) : null} rel="prev">
        {labels.prev}
      </PagerLink>
      <span className="tabular-nums" data-testid="pager-position">
        {page} / {pages}
      </span>
      <PagerLink href={page < pages ? href(page + 1) : null} rel="next">
        {labels.next}
      </PagerLink>
    </nav>
  );
}

/**
 * Keyset paging (no page numbers: constant cost at any depth): `cursor` = after that row, `before` =
 * before it. "First" when there is a previous page. Keeps the filters.
 */
export function CursorPager({
  filters,
  nextCursor,
  prevCursor,
  labels,
}: {
  filters: Record<string, string | number | undefined | null>;
  nextCursor: string | null;
  prevCursor: string | null;
  labels: { first: string; prev: string; next: string };
}) {
  if (!nextCursor && !prevCursor) return null;
  const drop = ["cursor", "before", "page"];
  return (
    <nav className="flex items-center gap-3 text-sm" aria-label="pagination" data-testid="pager">
      <PagerLink href={prevCursor ? filtersQuery(filters, {}, drop) : null} rel="first">
        {labels.first}
      </PagerLink>
      <PagerLink
        href={prevCursor ? filtersQuery(filters, { before: prevCursor }, ["cursor", "page"]) : null}
        rel="prev"
      >
        {labels.prev}
      </PagerLink>
      <PagerLink
        href={nextCursor ? filtersQuery(filters, { cursor: nextCursor }, ["before", "page"]) : null}
        rel="next"
      >
        {labels.next}
      </PagerLink>
    </nav>
  );
}
