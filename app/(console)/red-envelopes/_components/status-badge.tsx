import { useTranslations } from "next-intl";

const TONES: Record<string, string> = {
  received: "bg-emerald-100 text-emerald-800",
  sent: "bg-sky-100 text-sky-800",
  failed: "bg-rose-100 text-rose-800",
  refund: "bg-slate-200 text-slate-700",
  refunding: "bg-amber-100 text-amber-800",
};

/** A red envelope's status (or "pending" for a batch row not sent yet). */
export function StatusBadge({ status }: { status: string }) {
  const t = useTranslations("redEnvelopeStatus");
  return (
    <span
      data-testid="envelope-status"
      className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${TONES[status] ?? "bg-indigo-50 text-indigo-800"}`}
    >
      {t(status)}
    </span>
  );
}
