import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { paymentResult } from "@/lib/services/charges";
import { formatMoney } from "@/lib/money";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("finding.paid");
  return { title: t("title"), robots: { index: false, follow: false } };
}

/**
 * Where isv_wap sends the customer after paying (the cashier form's default result URL): public,
 * no session; only the payment's status and amount, nothing of the shop's staff or data. The id
 * is our charge's random UUID, so another charge cannot be guessed from it.
 */
export default async function PaidPage({ params }: { params: Promise<{ chargeId: string }> }) {
  const { chargeId } = await params;
  const result = await paymentResult(chargeId);
  if (!result) notFound();
  const t = await getTranslations("finding.paid");
  const tone =
    result.status === "paid" ? "text-emerald-700" : result.status === "pending" ? "text-amber-700" : "text-slate-600";
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-50 p-4">
      <div
        className="w-full max-w-sm space-y-4 rounded-xl bg-white p-8 text-center shadow"
        data-testid="payment-result"
        data-status={result.status}
      >
        <h1 className={`text-2xl font-semibold ${tone}`}>{t(result.status)}</h1>
        <p className="text-sm text-slate-500">{t("amount")}</p>
        <p className="text-3xl font-semibold tabular-nums" data-testid="payment-amount">
          {formatMoney(result.amount, result.currency)}
        </p>
        <p className="text-xs text-slate-400">{t("hint")}</p>
      </div>
    </main>
  );
}
