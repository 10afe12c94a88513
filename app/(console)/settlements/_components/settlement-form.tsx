"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { createSettlementAction, previewSettlementAction } from "@/lib/actions/settlements";
import { ROYALTY_METHODS } from "@/lib/pingpp/limits";
import type { SettlementParamsInput } from "@/lib/validations/settlements";
import type { SettlementPreview } from "@/lib/services/settlement-view";
import { formatMoney } from "@/lib/money";
import { Button } from "@/components/ui/button";
import { Field, Input, InputField, Select, inputClass } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useIdempotencyKey } from "@/components/use-idempotency-key";
import { TransactionsTable } from "./transactions-table";

const TEXT_FIELDS = ["recipientApp", "sourceUser", "sourceNo", "minAmount"] as const;

/**
 * Preview (is_preview: nothing is created), then create exactly what was previewed. Any change
 * to the conditions voids the preview and the idempotency key: it would be another settlement.
 */
export function SettlementForm({ defaultPayerApp }: { defaultPayerApp: string }) {
  const t = useTranslations("settlements");
  const tm = useTranslations("royaltyMethods");
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [previewed, setPreviewed] = useState<{ values: SettlementParamsInput; preview: SettlementPreview } | null>(
    null,
  );
  const [confirm, setConfirm] = useState(false);
  const { key, renew, afterError } = useIdempotencyKey();

  const fail = (res: { error: string; code?: string; fieldErrors?: Record<string, string> }) => {
    setError(res.error);
    setFieldErrors(res.fieldErrors ?? {});
    afterError(res.code);
  };

  const create = () => {
    if (!previewed) return;
    setConfirm(false);
    setError(null);
    start(async () => {
      const res = await createSettlementAction({ ...previewed.values, idempotencyKey: key.current });
      if (!res.ok) return fail(res);
      router.push(`/settlements/${res.data.id}`);
    });
  };

  return (
    <div className="space-y-6">
      <form
        className="grid gap-4 rounded-lg bg-white p-5 shadow-sm md:grid-cols-2"
        onChange={() => {
          if (pending) return;
          setPreviewed(null); // changed conditions = another settlement
          renew();
        }}
        onSubmit={(e) => {
          e.preventDefault();
          if (pending) return;
          const fd = new FormData(e.currentTarget);
          const s = (k: string) => String(fd.get(k) ?? "");
          const values: SettlementParamsInput = {
            payerApp: s("payerApp"),
            method: s("method") as SettlementParamsInput["method"],
            from: s("from"),
            to: s("to"),
            metadata: s("metadata"),
            ...Object.fromEntries(TEXT_FIELDS.map((k) => [k, s(k)])),
          };
          setError(null);
          setFieldErrors({});
          start(async () => {
            const res = await previewSettlementAction(values);
            if (!res.ok) return fail(res);
            setPreviewed({ values, preview: res.data });
          });
        }}
      >
        <InputField
          label={t("payerApp")}
          id="payerApp"
          name="payerApp"
          defaultValue={defaultPayerApp}
          required
          error={fieldErrors.payerApp}
        />
        <Field label={t("method")} htmlFor="method" error={fieldErrors.method}>
          <Select id="method" name="method" defaultValue="balance">
            {ROYALTY_METHODS.map((m) => (
              <option key={m} value={m}>
                {tm(m)}
              </option>
            ))}
          </Select>
        </Field>
        <InputField label={t("royaltyFrom")} id="from" name="from" type="date" error={fieldErrors.from} />
        <InputField label={t("royaltyTo")} id="to" name="to" type="date" error={fieldErrors.to} />
        {TEXT_FIELDS.map((k) => (
          <Field key={k} label={t("optionalLabel", { label: t(k) })} htmlFor={k} error={fieldErrors[k]}>
            <Input
              id={k}
              name={k}
              inputMode={k === "minAmount" ? "decimal" : undefined}
              autoComplete="off"
              invalid={!!fieldErrors[k]}
            />
          </Field>
        ))}
        <div className="md:col-span-2">
          <Field label={t("metadata")} htmlFor="metadata" error={fieldErrors.metadata}>
            <textarea
              id="metadata"
              name="metadata"
              rows={3}
              className={inputClass}
              placeholder="batch=2026-11"
              aria-invalid={!!fieldErrors.metadata || undefined}
            />
          </Field>
        </div>
        <div className="flex items-center gap-3 md:col-span-2">
          <Button type="submit" variant={previewed ? "secondary" : "primary"} disabled={pending}>
            {pending && !previewed ? t("previewing") : t("preview")}
          </Button>
          <p className="text-sm text-slate-500">{t("previewNote")}</p>
        </div>
      </form>

      {error ? <Alert tone="error">{error}</Alert> : null}

      {previewed ? (
        <section className="space-y-3 rounded-lg bg-white p-5 shadow-sm" data-testid="settlement-preview">
          <h2 className="text-lg font-semibold">{t("previewTitle")}</h2>
          <dl className="grid grid-cols-3 gap-3 text-sm">
            {(
              [
                ["amount", formatMoney(previewed.preview.amount)],
                ["count", previewed.preview.count],
                ["fee", formatMoney(previewed.preview.fee)],
              ] as const
            ).map(([k, v]) => (
              <div key={k}>
                <dt className="text-slate-500">{t(k)}</dt>
                <dd className="text-xl font-semibold tabular-nums" data-testid={`preview-${k}`}>
                  {v}
                </dd>
              </div>
            ))}
          </dl>
          <TransactionsTable rows={previewed.preview.transactions} />
          <Button onClick={() => setConfirm(true)} disabled={pending}>
            {pending ? t("creating") : t("create")}
          </Button>
        </section>
      ) : null}

      <ConfirmDialog
        open={confirm}
        busy={pending}
        title={t("create")}
        onCancel={() => setConfirm(false)}
        onConfirm={create}
      >
        {previewed
          ? t("confirmCreate", { count: previewed.preview.count, amount: formatMoney(previewed.preview.amount) })
          : null}
      </ConfirmDialog>
    </div>
  );
}
