"use client";
import { useEffect, useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { QrCode } from "./qr-code";
import { useQueryClient } from "@tanstack/react-query";
import { reverseChargeAction } from "@/lib/actions/charges";
import { formatMoney } from "@/lib/money";
import type { ChargeView } from "@/lib/services/charge-view";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useChargeStatus } from "./use-charge-status";
import { useCountdown } from "./countdown";

/** Seconds the success state stays before a fresh charge form. */
export const PAID_HOLD_SECONDS = 5;

export function ChargePanel({ initial, onDone }: { initial: ChargeView; onDone: () => void }) {
  const t = useTranslations("cashier");
  const tc = useTranslations("channels");
  const ts = useTranslations("chargeStatus");
  const qc = useQueryClient();
  const { data: c } = useChargeStatus(initial);
  const countdown = useCountdown(c.timeExpire);
  const [confirm, setConfirm] = useState(false);
  const [busy, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [hold, setHold] = useState(PAID_HOLD_SECONDS);
  const amount = formatMoney(c.amount, c.currency);

  useEffect(() => {
    if (c.status !== "paid") return;
    const id = setInterval(() => setHold((h) => h - 1), 1000);
    return () => clearInterval(id);
  }, [c.status]);
  useEffect(() => {
    if (hold <= 0) onDone();
  }, [hold, onDone]);

  if (c.status === "paid") {
    return (
      <div
        data-testid="charge-status"
        data-status="paid"
        data-charge-id={c.chargeId ?? ""}
        className="flex flex-col items-center gap-4 rounded-2xl bg-emerald-500 p-10 text-center text-white shadow-lg"
        role="status"
      >
        <svg aria-hidden viewBox="0 0 24 24" className="h-24 w-24" fill="none" stroke="currentColor" strokeWidth={3}>
          <path d="M5 13l4 4L19 7" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <p className="text-4xl font-bold">{t("paid")}</p>
        <p className="text-3xl tabular-nums">{t("paidAmount", { amount })}</p>
        <p className="text-sm opacity-80">{tc(c.channel)}</p>
        <Button variant="secondary" onClick={onDone}>
          {t("newCharge")} · {t("backSoon", { seconds: Math.max(hold, 0) })}
        </Button>
      </div>
    );
  }

  if (c.status !== "pending") {
    const tone =
      c.status === "failed"
        ? "bg-rose-50 text-rose-800 border-rose-200"
        : "bg-slate-100 text-slate-700 border-slate-200";
    return (
      <div
        data-testid="charge-status"
        data-status={c.status}
        data-charge-id={c.chargeId ?? ""}
        className={`space-y-4 rounded-2xl border p-10 text-center ${tone}`}
        role="status"
      >
        <p className="text-3xl font-semibold">{ts(c.status)}</p>
        <p className="text-2xl tabular-nums">{amount}</p>
        {c.failureMsg ? <p>{c.failureMsg}</p> : null}
        <Button onClick={onDone}>{t("newCharge")}</Button>
      </div>
    );
  }

  const isLink = c.channel === "isv_wap";
  return (
    <div
      data-testid="charge-status"
      data-status="pending"
      data-charge-id={c.chargeId ?? ""}
      className="space-y-5 rounded-2xl bg-white p-8 text-center shadow"
    >
      <p className="text-lg text-slate-600">{t("scanToPay")}</p>
      <p className="text-5xl font-bold tabular-nums" data-testid="charge-amount">
        {amount}
      </p>
      <p className="text-sm text-slate-500">{tc(c.channel)}</p>
      {c.qrPayload ? (
        <div className="flex justify-center">
          <QrCode
            value={c.qrPayload}
            size={280}
            marginSize={2}
            data-testid="charge-qr"
            data-payload={c.qrPayload}
            title={c.qrPayload}
          />
        </div>
      ) : null}
      {isLink && c.qrPayload ? (
        <div className="flex items-center justify-center gap-2 text-sm">
          <span className="text-slate-500">{t("payLink")}</span>
          <input
            readOnly
            value={c.qrPayload}
            className="w-64 rounded border border-slate-300 px-2 py-1 font-mono text-xs"
            onFocus={(e) => e.currentTarget.select()}
          />
          <Button variant="secondary" type="button" onClick={() => navigator.clipboard?.writeText(c.qrPayload ?? "")}>
            {t("copy")}
          </Button>
        </div>
      ) : null}
      <p
        className={`text-lg tabular-nums ${countdown.over ? "text-rose-600" : "text-slate-700"}`}
        data-testid="charge-countdown"
      >
        {countdown.over ? `${t("expired")} · ${t("checking")}` : t("expiresIn", { time: countdown.text })}
      </p>
      <p className="inline-flex items-center gap-2 rounded-full bg-amber-100 px-3 py-1 text-sm text-amber-800">
        <span className="h-2 w-2 animate-pulse rounded-full bg-amber-500" /> {ts("pending")}
      </p>
      {c.failureMsg ? (
        // A failed attempt does not end the charge: the same QR can still be paid (and is still followed).
        <div
          data-testid="charge-attempt-failed"
          role="alert"
          className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-rose-800"
        >
          <p className="font-semibold">{t("attemptFailed")}</p>
          <p className="text-sm">{t("attemptFailedReason", { reason: c.failureMsg })}</p>
        </div>
      ) : null}
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div className="flex justify-center gap-3">
        {c.reversible ? (
          <Button variant="secondary" onClick={() => setConfirm(true)} disabled={busy}>
            {busy ? t("reversing") : t("reverse")}
          </Button>
        ) : (
          <p className="text-sm text-slate-500">{t("notReversible", { channel: tc(c.channel) })}</p>
        )}
      </div>
      <ConfirmDialog
        open={confirm}
        danger
        busy={busy}
        title={t("reverse")}
        onCancel={() => setConfirm(false)}
        onConfirm={() => {
          setConfirm(false);
          setError(null);
          start(async () => {
            const res = await reverseChargeAction({ id: c.id });
            if (!res.ok) return setError(res.error);
            qc.setQueryData(["charge-status", c.id], res.data);
          });
        }}
      >
        {t("confirmReverse", { amount })}
      </ConfirmDialog>
    </div>
  );
}
