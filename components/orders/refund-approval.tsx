"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { approveRefundAction, rejectRefundAction, withdrawRefundAction } from "@/lib/actions/refunds";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { Input } from "@/components/ui/field";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";

type Decision = "approve" | "reject" | "withdraw";

/**
 * Approve / reject (another finance or admin user) or withdraw (the requester) a refund held for
 * approval (issue 17). A confirmation before anything is decided; the server checks who may.
 */
export function RefundApproval({ id, amount, mine }: { id: string; amount: string; mine: boolean }) {
  const t = useTranslations("refunds.approval");
  const router = useRouter();
  const [note, setNote] = useState("");
  const [asking, setAsking] = useState<Decision | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const decide = (d: Decision) =>
    start(async () => {
      setError(null);
      const action = d === "approve" ? approveRefundAction : d === "reject" ? rejectRefundAction : withdrawRefundAction;
      const res = await action({ id, note });
      if (!res.ok) return setError(res.error);
      setDone(t(d === "approve" ? "approved" : d === "reject" ? "rejected" : "withdrawn"));
      router.refresh();
    });
  const confirmTitle =
    asking === "approve"
      ? t("confirmApprove", { amount })
      : asking === "reject"
        ? t("confirmReject", { amount })
        : t("confirmWithdraw", { amount });
  if (done) return <Alert tone="success">{done}</Alert>;
  return (
    <div className="space-y-2" data-testid="refund-approval">
      {mine ? <p className="text-xs text-slate-500">{t("ownHint")}</p> : null}
      <Input
        aria-label={t("note")}
        placeholder={t("notePlaceholder")}
        value={note}
        maxLength={255}
        onChange={(e) => setNote(e.target.value)}
      />
      <div className="flex gap-2">
        {mine ? (
          <Button type="button" variant="secondary" disabled={pending} onClick={() => setAsking("withdraw")}>
            {t("withdraw")}
          </Button>
        ) : (
          <>
            <Button type="button" disabled={pending} onClick={() => setAsking("approve")}>
              {t("approve")}
            </Button>
            <Button type="button" variant="secondary" disabled={pending} onClick={() => setAsking("reject")}>
              {t("reject")}
            </Button>
          </>
        )}
      </div>
      {error ? <Alert tone="error">{error}</Alert> : null}
      <ConfirmDialog
        open={asking !== null}
        title={confirmTitle}
        danger={asking === "approve"}
        busy={pending}
        onCancel={() => setAsking(null)}
        onConfirm={() => {
          const d = asking;
          setAsking(null);
          if (d) decide(d);
        }}
      >
        {note ? `${t("note")}：${note}` : null}
      </ConfirmDialog>
    </div>
  );
}
