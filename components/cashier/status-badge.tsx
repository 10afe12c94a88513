const tones: Record<string, string> = {
  paid: "bg-emerald-100 text-emerald-800",
  pending: "bg-amber-100 text-amber-800",
  failed: "bg-rose-100 text-rose-800",
  expired: "bg-slate-200 text-slate-700",
  reversed: "bg-slate-200 text-slate-700",
};

export function StatusBadge({ status, label }: { status: string; label: string }) {
  return (
    <span
      data-status={status}
      className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${tones[status] ?? "bg-slate-100 text-slate-700"}`}
    >
      {label}
    </span>
  );
}
