"use client";
import { useTranslations } from "next-intl";
import { QrCode } from "./qr-code";
import { formatMoney } from "@/lib/money";
import { useTerminalCharge } from "./use-charge-status";

export function CustomerDisplay({ terminal }: { terminal: string }) {
  const t = useTranslations("display");
  const { data } = useTerminalCharge(terminal);
  const c = data?.charge ?? null;
  const shell = "flex min-h-screen flex-col items-center justify-center gap-8 p-8 text-center";
  if (!c) {
    return (
      <main className={`${shell} bg-slate-900 text-white`} data-testid="display" data-status="idle">
        <p className="text-6xl font-semibold">{t("welcome")}</p>
        <p className="text-slate-400">{t("terminal", { terminal })}</p>
      </main>
    );
  }
  if (c.status === "paid") {
    return (
      <main className={`${shell} bg-emerald-500 text-white`} data-testid="display" data-status="paid">
        <p className="text-7xl font-bold">{t("paid")}</p>
        <p className="text-5xl tabular-nums">{formatMoney(c.amount, c.currency)}</p>
      </main>
    );
  }
  if (c.status !== "pending") {
    return (
      <main className={`${shell} bg-slate-800 text-white`} data-testid="display" data-status={c.status}>
        <p className="text-5xl">{t("ended")}</p>
      </main>
    );
  }
  return (
    <main className={`${shell} bg-white`} data-testid="display" data-status="pending">
      <p className="text-2xl text-slate-500">{t("amount")}</p>
      <p className="text-7xl font-bold tabular-nums">{formatMoney(c.amount, c.currency)}</p>
      {c.qrPayload ? <QrCode value={c.qrPayload} size={360} marginSize={2} /> : null}
      {c.failureMsg ? (
        <p className="text-3xl font-semibold text-rose-600" data-testid="display-attempt-failed">
          {t("attemptFailed")}
        </p>
      ) : null}
      <p className="text-3xl text-slate-700">{t("scan")}</p>
    </main>
  );
}
