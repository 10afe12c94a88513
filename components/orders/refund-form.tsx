"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { refundChargeAction, refundOrderAction } from "@/lib/actions/refunds";
import { FUNDING_SOURCES, REFUND_MODES } from "@/lib/pingpp/limits";
import { formatMoney, parseYuanToFen, fenToDecimal } from "@/lib/money";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { Field, InputField, Select, inputClass } from "@/components/ui/field";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useKeyedAction } from "./use-keyed-action";

export interface RefundableCharge {
  id: string;
  channel: string;
  remainder: number;
}

type Input = {
  amount: string;
  description: string;
  chargeId?: string;
  refundMode?: (typeof REFUND_MODES)[number];
  fundingSource?: (typeof FUNDING_SOURCES)[number];
  royaltyUsers?: string;
};

interface RefundFormProps {
  orderId?: string;
  charges: RefundableCharge[];
  currency: string;
}

/**
 * Refund an order (one of its paid charges) or a plain charge: amount up to what is left,
 * a reason, a confirmation showing the amount. The server checks the remainder again.
 *
 * `resetKey` (what is left to refund, how many refunds there are) gives a fresh form once the
 * page shows a refund's effect: empty fields, a new idempotency key. The outcome's message lives
 * outside that fresh form, so it stays on screen when the page refreshes under it (it used to be
 * re-rendered away, e.g. 「已保存为待审批」 on Postgres).
 */
export function RefundForm({ resetKey, ...props }: RefundFormProps & { resetKey: string | number }) {
  const [done, setDone] = useState<string | null>(null);
  return (
    <div className="space-y-2">
      <RefundFields key={resetKey} {...props} onDone={setDone} />
      {done ? (
        <div data-testid="refund-done">
          <Alert tone="success">{done}</Alert>
        </div>
      ) : null}
    </div>
  );
}

function RefundFields({
  orderId,
  charges,
  currency,
  onDone: setDone,
}: RefundFormProps & { onDone: (message: string | null) => void }) {
  const t = useTranslations("refunds");
  const tc = useTranslations("channels");
  const router = useRouter();
  const options = charges.filter((c) => c.remainder > 0);
  const [chargeId, setChargeId] = useState(options[0]?.id ?? "");
  const [input, setInput] = useState<Input | null>(null);
  const [asking, setAsking] = useState(false);
  const action = orderId
    ? (i: Input & { idempotencyKey: string }) => refundOrderAction({ ...i, orderId })
    : (i: Input & { idempotencyKey: string }) => refundChargeAction({ ...i, chargeId: i.chargeId ?? "" });
  const { run, pending, error, fieldErrors, renew } = useKeyedAction(action);
  const charge = options.find((c) => c.id === chargeId);
  if (!charge) return <p className="text-sm text-slate-500">{t("nothingLeft")}</p>;
  const wechat = charge.channel.includes("wx");
  const fen = input ? parseYuanToFen(input.amount) : null;

  return (
    <form
      className="space-y-3 rounded-lg bg-white p-4 shadow-sm"
      data-testid="refund-form"
      onChange={() => {
        if (!pending) renew(); // changed input = a different refund
      }}
      onSubmit={(e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        const s = (k: string) => (typeof fd.get(k) === "string" ? (fd.get(k) as string) : "");
        setDone(null);
        const next: Input = {
          amount: s("amount"),
          description: s("description"),
          chargeId,
          refundMode: orderId ? (s("refundMode") as Input["refundMode"]) : undefined,
          fundingSource: (s("fundingSource") || undefined) as Input["fundingSource"],
          royaltyUsers: orderId ? s("royaltyUsers") || undefined : undefined,
        };
        setInput(next);
        // Nothing to confirm when the input is plainly wrong: the server says why.
        if (parseYuanToFen(next.amount) === null || !next.description.trim()) run(next, () => {});
        else setAsking(true);
      }}
    >
      {options.length > 1 ? (
        <Field label={t("whichCharge")} htmlFor="chargeId">
          <Select id="chargeId" value={chargeId} onChange={(e) => setChargeId(e.target.value)}>
            {options.map((c) => (
              <option key={c.id} value={c.id}>
                {c.id} · {tc(c.channel as never)} · {formatMoney(c.remainder, currency)}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      <p className="text-sm text-slate-600" data-testid="refund-remainder">
        {t("remainder", { amount: formatMoney(charge.remainder, currency) })}
      </p>
      <InputField
        label={t("amount")}
        id="amount"
        name="amount"
        inputMode="decimal"
        autoComplete="off"
        defaultValue={fenToDecimal(charge.remainder).replace(/,/g, "")}
        key={charge.id}
        error={fieldErrors.amount}
      />
      <InputField
        label={t("reason")}
        id="description"
        name="description"
        maxLength={255}
        placeholder={t("reasonPlaceholder")}
        error={fieldErrors.description}
      />
      {orderId ? (
        <Field label={t("refundMode")} htmlFor="refundMode">
          <Select id="refundMode" name="refundMode" defaultValue="to_source">
            {REFUND_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`refundModes.${m}`)}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      {orderId ? (
        <Field label={t("royaltyUsers")} htmlFor="royaltyUsers" error={fieldErrors.royaltyUsers}>
          <textarea
            id="royaltyUsers"
            name="royaltyUsers"
            rows={2}
            placeholder={t("royaltyUsersHint")}
            className={inputClass}
            aria-invalid={!!fieldErrors.royaltyUsers || undefined}
          />
        </Field>
      ) : null}
      {wechat ? (
        <Field label={t("fundingSource")} htmlFor="fundingSource">
          <Select id="fundingSource" name="fundingSource" defaultValue="">
            <option value="">{t("fundingSources.default")}</option>
            {FUNDING_SOURCES.map((f) => (
              <option key={f} value={f}>
                {t(`fundingSources.${f}`)}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      {error && !fieldErrors.amount && !fieldErrors.description && !fieldErrors.royaltyUsers ? (
        <Alert tone="error">{error}</Alert>
      ) : null}
      <Button type="submit" disabled={pending}>
        {pending ? t("submitting") : t("submit")}
      </Button>
      <ConfirmDialog
        open={asking}
        title={t("confirm", { amount: formatMoney(fen ?? 0, currency) })}
        danger
        busy={pending}
        onCancel={() => setAsking(false)}
        onConfirm={() => {
          setAsking(false);
          if (input)
            run(input, (r) => {
              // above the admin's limits: saved for a second person, not sent (issue 17)
              setDone(
                t(r.status === "awaiting_approval" ? "approval.held" : "done", {
                  amount: formatMoney(fen ?? 0, currency),
                }),
              );
              router.refresh();
            });
        }}
      >
        {t("confirmReason", { reason: input?.description ?? "" })}
      </ConfirmDialog>
    </form>
  );
}
