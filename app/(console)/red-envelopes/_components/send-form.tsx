"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { sendRedEnvelopeAction } from "@/lib/actions/red-envelopes";
import { checkSend } from "@/lib/validations/red-envelope-fields";
import type { SendRedEnvelopeInput } from "@/lib/validations/red-envelopes";
import { formatMoney } from "@/lib/money";
import { Button } from "@/components/ui/button";
import { InputField } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useIdempotencyKey } from "@/components/use-idempotency-key";
import { EnvelopeTextFields } from "./envelope-text-fields";

export function SendForm() {
  const t = useTranslations("redEnvelopes");
  const tv = useTranslations("validation");
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [confirm, setConfirm] = useState<{ input: SendRedEnvelopeInput; amount: number } | null>(null);
  // One key per intended envelope: a double click or a retry re-sends the same key.
  const { key, renew: renewKey, afterError } = useIdempotencyKey();

  const send = (input: SendRedEnvelopeInput) =>
    start(async () => {
      setError(null);
      setFieldErrors({});
      const res = await sendRedEnvelopeAction(input);
      setConfirm(null);
      if (!res.ok) {
        setError(res.error);
        setFieldErrors(res.fieldErrors ?? {});
        afterError(res.code);
        return;
      }
      router.push(`/red-envelopes/${res.data.id}`);
    });

  return (
    <form
      className="max-w-xl space-y-4 rounded-lg bg-white p-5 shadow-sm"
      onChange={() => {
        if (!pending) renewKey(); // changed input = a different envelope
      }}
      onSubmit={(e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        const s = (k: string) => String(fd.get(k) ?? "");
        const input = {
          idempotencyKey: key.current,
          recipient: s("recipient"),
          amount: s("amount"),
          sceneId: s("sceneId") as SendRedEnvelopeInput["sceneId"],
          sendName: s("sendName"),
          subject: s("subject"),
          body: s("body"),
          description: s("description"),
        };
        // The rules the action's schema applies, checked here first (without zod): byte limits and
        // amount range show at once, and the dialog shows the fen the server will send.
        const checked = checkSend(input);
        setError(null);
        setFieldErrors(
          checked.ok
            ? {}
            : Object.fromEntries(
                Object.entries(checked.errors).map(([k, m]) => [k, tv.has(m) ? tv(m) : tv("invalid")]),
              ),
        );
        if (checked.ok) setConfirm({ input, amount: checked.fen });
      }}
    >
      <InputField
        label={t("recipient")}
        id="recipient"
        name="recipient"
        required
        autoComplete="off"
        error={fieldErrors.recipient}
      />
      <InputField
        label={t("amount")}
        id="amount"
        name="amount"
        inputMode="decimal"
        required
        placeholder={t("amountHint")}
        error={fieldErrors.amount}
      />
      <EnvelopeTextFields fieldErrors={fieldErrors} />
      {error ? <Alert tone="error">{error}</Alert> : null}
      <Button type="submit" disabled={pending}>
        {pending ? t("sending") : t("submit")}
      </Button>
      <ConfirmDialog
        open={!!confirm}
        title={t("confirmTitle")}
        confirmLabel={t("confirm")}
        busy={pending}
        onCancel={() => setConfirm(null)}
        onConfirm={() => confirm && send(confirm.input)}
      >
        {confirm ? t("confirmSend", { amount: formatMoney(confirm.amount), recipient: confirm.input.recipient }) : null}
      </ConfirmDialog>
    </form>
  );
}
