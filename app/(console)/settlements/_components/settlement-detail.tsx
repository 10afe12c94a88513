"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { cancelSettlementAction, confirmSettlementAction } from "@/lib/actions/settlements";
import type { SettlementView } from "@/lib/services/settlement-view";
import { getJson } from "@/components/cashier/use-charge-status";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { StatusBadge } from "./status-badge";
import { TransactionsTable } from "./transactions-table";

type Action = "confirm" | "cancel";
const ACTIONS = { confirm: confirmSettlementAction, cancel: cancelSettlementAction } as const;

/**
 * A settlement, its outcome per transaction, and confirm/cancel while it awaits confirmation. Polls while Ping++
 * settles.
 */
export function SettlementDetail({ initial }: { initial: SettlementView }) {
  const t = useTranslations("settlements");
  const ts = useTranslations("settlementStatus");
  const tm = useTranslations("royaltyMethods");
  const qc = useQueryClient();
  const router = useRouter();
  const queryKey = ["settlement", initial.id];
  const { data: s } = useQuery({
    queryKey,
    queryFn: () => getJson<SettlementView>(`/api/settlements/${initial.id}`, () => router.replace("/login")),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.status === "pending" ? 2000 : false),
    retry: false,
  });
  const [asking, setAsking] = useState<Action | null>(null);
  const [busy, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const amount = formatMoney(s.amount);

  const run = (action: Action) => {
    setAsking(null);
    setError(null);
    start(async () => {
      const res = await ACTIONS[action]({ id: s.id });
      if (!res.ok) {
        setError(res.error);
        await qc.invalidateQueries({ queryKey }); // a refusal may have taught us the real status
        return;
      }
      qc.setQueryData(queryKey, res.data);
    });
  };

  const outcomes = [
    ["total", s.amount, s.count],
    ["succeeded", s.amountSucceeded, s.countSucceeded],
    ["failed", s.amountFailed, s.countFailed],
    ["canceled", s.amountCanceled, s.countCanceled],
  ] as const;
  const facts = [
    ["id", s.pingppId],
    ["method", tm.has(s.method) ? tm(s.method) : s.method],
    ["payerApp", s.payerApp],
    ["recipientApp", s.recipientApp ?? "—"],
    ["created", formatShanghai(new Date(s.createdAt))],
    ["finished", s.timeFinished ? formatShanghai(new Date(s.timeFinished)) : "—"],
    ["fee", formatMoney(s.fee)],
  ] as const;

  return (
    <div className="space-y-5" data-testid="settlement-detail" data-status={s.status}>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">
          {t("detailTitle")} · <span className="tabular-nums">{amount}</span>
        </h1>
        <StatusBadge status={s.status} label={ts(s.status)} />
      </div>

      <dl className="grid grid-cols-2 gap-3 rounded-lg bg-white p-4 text-sm shadow-sm md:grid-cols-4">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt className="text-slate-500">{t(k)}</dt>
            <dd className="break-all">{v}</dd>
          </div>
        ))}
      </dl>

      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="settlement-outcomes">
        {outcomes.map(([k, a, n]) => (
          <div key={k} className="rounded-lg bg-white p-4 shadow-sm" data-testid={`outcome-${k}`}>
            <dt className="text-sm text-slate-500">{t(k)}</dt>
            <dd className="text-lg font-semibold tabular-nums">
              {t("amountCount", { amount: formatMoney(a), count: n })}
            </dd>
          </div>
        ))}
      </dl>

      {s.status === "created" ? <Alert>{t("createdNote")}</Alert> : null}
      {s.status === "pending" ? <Alert>{t("pendingNote")}</Alert> : null}
      {s.status === "failed" || s.status === "partially_succeeded" ? (
        <Alert tone="error">{t("returnedNote", { amount: formatMoney(s.amountFailed), count: s.countFailed })}</Alert>
      ) : null}
      {s.status === "canceled" ? <Alert>{t("canceledNote")}</Alert> : null}
      {error ? <Alert tone="error">{error}</Alert> : null}

      {s.status === "created" ? (
        <div className="flex gap-3">
          <Button onClick={() => setAsking("confirm")} disabled={busy}>
            {busy ? t("confirming") : t("confirm")}
          </Button>
          <Button variant="secondary" onClick={() => setAsking("cancel")} disabled={busy}>
            {t("cancel")}
          </Button>
        </div>
      ) : null}

      <section className="space-y-2 rounded-lg bg-white p-4 shadow-sm">
        <h2 className="text-lg font-semibold">{t("transactions")}</h2>
        <TransactionsTable rows={s.transactions} withStatus />
      </section>

      <ConfirmDialog
        open={asking !== null}
        danger={asking === "cancel"}
        busy={busy}
        title={asking ? t(asking) : ""}
        onCancel={() => setAsking(null)}
        onConfirm={() => asking && run(asking)}
      >
        {asking === "confirm" ? t("confirmBody", { amount, count: s.count }) : t("cancelBody", { amount })}
      </ConfirmDialog>
    </div>
  );
}
