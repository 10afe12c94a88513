const TONES: Record<string, string> = {
  created: "bg-amber-100 text-amber-800",
  pending: "bg-sky-100 text-sky-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  partially_succeeded: "bg-orange-100 text-orange-800",
  failed: "bg-rose-100 text-rose-800",
  canceled: "bg-slate-200 text-slate-700",
};

/** A settlement's or a royalty transaction's status, coloured by outcome. */
export function StatusBadge({ status, label }: { status: string; label: string }) {
  return (
    <span
      data-status={status}
      className={`inline-block whitespace-nowrap rounded px-2 py-0.5 text-xs font-medium ${TONES[status] ?? "bg-slate-100 text-slate-700"}`}
    >
      {label}
    </span>
  );
}
