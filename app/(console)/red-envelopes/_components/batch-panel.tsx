"use client";
import { useEffect, useRef, useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { deleteBatchAction, startBatchAction } from "@/lib/actions/red-envelopes";
import type { BatchProgress } from "@/lib/services/red-envelope-batches";
import { formatMoney } from "@/lib/money";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { StatusBadge } from "./status-badge";
import { usePolled } from "./use-polled";

/** The dry-run verdict and the start button of a draft; the live progress of a sending batch. */
export function BatchPanel({ initial }: { initial: BatchProgress }) {
  const t = useTranslations("redEnvelopeBatches");
  const tr = useTranslations("redEnvelopes");
  const router = useRouter();
  const [busy, start] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState(false);
  const q = usePolled(
    `/api/red-envelopes/batches/${initial.batch.id}/status`,
    initial,
    (d) => d.batch.status === "done",
    started || initial.batch.status === "sending",
  );
  const { batch: b, counts, done, sentAmount } = q.data;
  const valid = b.rowCount - b.invalidCount;
  const overBudget = b.totalAmount > b.budget;
  // Each poll re-renders the server-side rows table too, so every row's outcome shows as it comes.
  const mounted = useRef(false);
  useEffect(() => {
    if (mounted.current) router.refresh();
    mounted.current = true;
  }, [q.dataUpdatedAt, router]);

  return (
    <section className="space-y-4 rounded-lg bg-white p-5 shadow-sm" data-testid="batch-panel">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="font-semibold">{t("dryRun")}</h2>
        <span className="rounded bg-slate-100 px-2 py-0.5 text-xs" data-testid="batch-status">
          {t(`status.${b.status}`)}
        </span>
      </div>
      <p data-testid="batch-summary">{t("summary", { rows: b.rowCount, valid, invalid: b.invalidCount })}</p>
      <p className={overBudget ? "font-semibold text-rose-700" : "font-semibold"} data-testid="batch-total">
        {t("totalVsBudget", { total: formatMoney(b.totalAmount), budget: formatMoney(b.budget) })}
        {overBudget ? ` · ${t("overBudget")}` : null}
      </p>
      <p className="text-sm text-slate-600">
        {t("texts")}
        {b.sendName} · {b.subject} · {b.body} · {b.description}
        {b.sceneId ? ` · ${b.sceneId}` : null}
      </p>
      {b.status === "draft" ? (
        <>
          {b.invalidCount > 0 ? (
            <Alert tone="error">{tr("errors.batchInvalidRows", { invalid: b.invalidCount })}</Alert>
          ) : null}
          <div className="flex flex-wrap gap-3">
            <Button
              disabled={busy || b.invalidCount > 0 || overBudget || valid === 0}
              onClick={() => setConfirming(true)}
            >
              {busy ? t("starting") : t("start")}
            </Button>
            <Button variant="secondary" disabled={busy} onClick={() => setDeleting(true)}>
              {t("delete")}
            </Button>
          </div>
        </>
      ) : (
        <div className="space-y-2" data-testid="batch-progress">
          <div className="h-3 overflow-hidden rounded bg-slate-100">
            <div
              className="h-full bg-indigo-500 transition-all"
              style={{ width: `${valid ? (100 * done) / valid : 0}%` }}
            />
          </div>
          <p className="text-sm">
            {t("progress", { done, count: valid })} · {t("sentAmount", { amount: formatMoney(sentAmount) })}
          </p>
          <div className="flex flex-wrap gap-3 text-sm">
            {Object.entries(counts).map(([status, n]) => (
              <span key={status}>
                <StatusBadge status={status} /> {n}
              </span>
            ))}
          </div>
          <p className="text-xs text-slate-500">{t("rateNote")}</p>
        </div>
      )}
      {error ? <Alert tone="error">{error}</Alert> : null}
      <ConfirmDialog
        open={confirming}
        title={t("confirmTitle")}
        confirmLabel={t("start")}
        busy={busy}
        onCancel={() => setConfirming(false)}
        onConfirm={() =>
          start(async () => {
            setError(null);
            const res = await startBatchAction({ id: b.id });
            setConfirming(false);
            if (!res.ok) return setError(res.error);
            q.refetch();
            setStarted(true);
          })
        }
      >
        {t("confirmStart", { count: valid, total: formatMoney(b.totalAmount) })}
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting}
        title={t("deleteTitle")}
        confirmLabel={t("delete")}
        danger
        busy={busy}
        onCancel={() => setDeleting(false)}
        onConfirm={() =>
          start(async () => {
            setError(null);
            const res = await deleteBatchAction({ id: b.id });
            setDeleting(false);
            if (!res.ok) {
              // e.g. someone started it meanwhile: show what it is now
              setError(res.error);
              q.refetch();
              return setStarted(true);
            }
            router.push("/red-envelopes/batches");
          })
        }
      >
        {t("confirmDelete", { fileName: b.fileName, rows: b.rowCount })}
      </ConfirmDialog>
    </section>
  );
}
