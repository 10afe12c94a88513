import type { ReactNode } from "react";

const tones: Record<string, string> = {
  created: "bg-amber-100 text-amber-800",
  pending: "bg-amber-100 text-amber-800",
  creating: "bg-slate-100 text-slate-600",
  paid: "bg-emerald-100 text-emerald-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  refunded: "bg-sky-100 text-sky-800",
  partially_refunded: "bg-sky-50 text-sky-800 ring-1 ring-sky-200",
  canceled: "bg-slate-200 text-slate-700",
  failed: "bg-rose-100 text-rose-800",
  awaiting_approval: "bg-violet-100 text-violet-800",
};

export function StatusBadge({ status, children }: { status: string; children: ReactNode }) {
  return (
    <span
      data-testid="status"
      data-status={status}
      className={`inline-block whitespace-nowrap rounded px-2 py-0.5 text-xs font-medium ${tones[status] ?? "bg-slate-100"}`}
    >
      {children}
    </span>
  );
}

/** A label / value grid for detail pages. */
export function Facts({ items }: { items: [ReactNode, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-lg bg-white p-4 text-sm shadow-sm md:grid-cols-3">
      {items.map(([k, v], i) => (
        <div key={i}>
          <dt className="text-slate-500">{k}</dt>
          <dd className="break-all font-medium">{v ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The last raw Ping++ object (finance/admin only). */
export function RawObject({ label, value }: { label: string; value: unknown }) {
  if (!value) return null;
  return (
    <details className="rounded-lg bg-white p-4 shadow-sm">
      <summary className="cursor-pointer text-sm text-slate-600">{label}</summary>
      <pre className="mt-2 max-h-96 overflow-auto text-xs">{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
