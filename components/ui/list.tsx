import Link from "next/link";
import type { ReactNode } from "react";
import { inputClass } from "./field";

/**
 * The pieces of a list page (DESIGN: filters in the query string, page paging, totals, empty
 * state): a GET filter form, its fields, the table frame and the pager. Server-renderable.
 */

/** Filters as a GET form: fields, then "filter" and "clear" (a link back to the bare list). */
export function FilterForm({ resetHref, labels, className, children }: { resetHref: string; labels: { filter: string; reset: string }; className: string; children: ReactNode }) {
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

export function SelectFilter({ name, label, value, any, options }: { name: string; label: ReactNode; value?: string; any: string; options: { value: string; label: string }[] }) {
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
export function DayRangeFilter({ from, to, labels }: { from?: string; to?: string; labels: { from: string; to: string } }) {
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
export function ListTable({ testId, head, empty, children }: { testId: string; head: { label?: ReactNode; right?: boolean }[]; empty: ReactNode | null; children: ReactNode }) {
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

/** Page paging: keeps the filters, changes `page`. Nothing for a single page. */
export function Pager({ page, pages, filters, labels }: { page: number; pages: number; filters: Record<string, string | number | undefined>; labels: { prev: string; next: string } }) {
  if (pages <= 1) return null;
  const href = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== "" && k !== "page") q.set(k, String(v));
    q.set("page", String(p));
    return `?${q}`;
  };
  return (
    <nav className="flex gap-3 text-sm">
      {page > 1 ? <Link href={href(page - 1)}>{labels.prev}</Link> : null}
      <span>
        {page} / {pages}
      </span>
      {page < pages ? <Link href={href(page + 1)}>{labels.next}</Link> : null}
    </nav>
  );
}
