"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { createChargeAction } from "@/lib/actions/charges";
import { createOrderChargeAction } from "@/lib/actions/orders";
import { CHANNEL_FIELDS } from "@/lib/validations/charge-fields";
import { QR_CHANNELS, type QrChannel } from "@/lib/pingpp/channels";
import type { ChargeView } from "@/lib/services/charge-view";
import { Button } from "@/components/ui/button";
import { Field, Input, InputField, Select } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { useIdempotencyKey } from "@/components/use-idempotency-key";

/** `terminalLocked`: a cashier charges on their own terminal only (the service refuses any other). */
export function ChargeForm({
  defaultTerminal,
  terminalLocked = false,
  onSubmitting,
  onCreated,
}: {
  defaultTerminal: string | null;
  terminalLocked?: boolean;
  /** Called as a charge is sent (the screen starts loading its live panel meanwhile). */
  onSubmitting?: () => void;
  onCreated: (c: ChargeView) => void;
}) {
  const t = useTranslations("cashier");
  const tc = useTranslations("channels");
  const [channel, setChannel] = useState<QrChannel>("alipay_qr");
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  // One key per intended charge: a double click or a retry re-sends the same key.
  const { key, renew: renewKey, afterError } = useIdempotencyKey();
  const fields = CHANNEL_FIELDS[channel];
  const usd = channel.startsWith("cb_");

  return (
    <form
      className="space-y-5"
      onChange={() => {
        if (!pending) renewKey(); // changed input = a different charge
      }}
      onSubmit={(e) => {
        e.preventDefault();
        if (pending) return;
        const fd = new FormData(e.currentTarget);
        const s = (k: string) => {
          const v = fd.get(k);
          return typeof v === "string" ? v : undefined;
        };
        setError(null);
        setFieldErrors({});
        onSubmitting?.();
        start(async () => {
          // Order mode: a Ping++ order paid by this QR (POST /orders, then /pay); same panel after.
          const orderMode = fd.get("orderMode") === "on";
          const create = orderMode
            ? (i: Parameters<typeof createChargeAction>[0]) => createOrderChargeAction({ ...i, uid: s("uid") })
            : createChargeAction;
          const res = await create({
            idempotencyKey: key.current,
            amount: s("amount") ?? "",
            channel,
            subject: s("subject") ?? "",
            body: s("body") ?? "",
            terminalId: s("terminalId"),
            productId: s("productId"),
            goodsName: s("goodsName"),
            goodsNum: s("goodsNum"),
            payChannel: (s("payChannel") || undefined) as "alipay" | "wx" | "bfb" | undefined,
            scanCode: s("scanCode"),
            resultUrl: s("resultUrl"),
          });
          if (!res.ok) {
            setError(res.error);
            setFieldErrors(res.fieldErrors ?? {});
            afterError(res.code);
            return;
          }
          renewKey();
          onCreated(res.data);
        });
      }}
    >
      <Field label={usd ? t("amountUsd") : t("amount")} htmlFor="amount" error={fieldErrors.amount}>
        <div className="relative">
          <span className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-2xl text-slate-400">
            {usd ? "US$" : "¥"}
          </span>
          <input
            id="amount"
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            autoFocus
            required
            placeholder="0.00"
            aria-invalid={!!fieldErrors.amount || undefined}
            className={`block w-full rounded-md border border-slate-300 py-3 pr-3 text-3xl font-semibold tabular-nums ${usd ? "pl-16" : "pl-10"}`}
          />
        </div>
      </Field>
      {usd ? <p className="text-sm text-amber-700">{t("currencyUsd")}</p> : null}

      <Field label={t("channel")} htmlFor="channel">
        <Select id="channel" name="channel" value={channel} onChange={(e) => setChannel(e.target.value as QrChannel)}>
          {QR_CHANNELS.map((c) => (
            <option key={c} value={c}>
              {tc(c)}
            </option>
          ))}
        </Select>
      </Field>

      {fields.includes("productId") ? (
        <InputField
          label={t("productId")}
          id="productId"
          name="productId"
          defaultValue="SKU-001"
          error={fieldErrors.productId}
        />
      ) : null}
      {fields.includes("goods") ? (
        <div className="grid grid-cols-3 gap-3">
          <div className="col-span-2">
            <InputField label={t("goodsName")} id="goodsName" name="goodsName" error={fieldErrors.goodsName} />
          </div>
          <InputField
            label={t("goodsNum")}
            id="goodsNum"
            name="goodsNum"
            inputMode="numeric"
            defaultValue="1"
            error={fieldErrors.goodsNum}
          />
        </div>
      ) : null}
      {fields.includes("payChannel") ? (
        <Field label={t("payChannel")} htmlFor="payChannel">
          <Select id="payChannel" name="payChannel" defaultValue="alipay">
            {(["alipay", "wx", "bfb"] as const).map((p) => (
              <option key={p} value={p}>
                {t(`payChannels.${p}`)}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      {fields.includes("resultUrl") ? (
        <InputField
          label={t("resultUrl")}
          id="resultUrl"
          name="resultUrl"
          type="url"
          defaultValue={typeof window === "undefined" ? "" : `${window.location.origin}/paid`}
          error={fieldErrors.resultUrl}
        />
      ) : null}

      <Field
        label={fields.includes("terminalId") ? t("terminalIsv") : t("terminal")}
        htmlFor="terminalId"
        error={fieldErrors.terminalId}
      >
        <Input
          id="terminalId"
          name="terminalId"
          defaultValue={defaultTerminal ?? ""}
          readOnly={terminalLocked}
          invalid={!!fieldErrors.terminalId}
        />
        {terminalLocked ? <p className="mt-1 text-xs text-slate-500">{t("terminalOwn")}</p> : null}
      </Field>

      <OrderModeFields />

      <details className="rounded-md border border-slate-200 bg-white p-3">
        <summary className="cursor-pointer text-sm text-slate-600">{t("more")}</summary>
        <div className="mt-3 space-y-3">
          <InputField
            label={t("subject")}
            id="subject"
            name="subject"
            defaultValue={t("defaultSubject")}
            maxLength={32}
            error={fieldErrors.subject}
          />
          <InputField
            label={t("body")}
            id="body"
            name="body"
            defaultValue={t("defaultBody")}
            maxLength={128}
            error={fieldErrors.body}
          />
        </div>
      </details>

      {fields.includes("scanCode") ? (
        <Field label={t("scanCode")} htmlFor="scanCode" error={fieldErrors.scanCode}>
          {/* A keyboard-wedge scanner types the code and presses Enter, which submits the form. */}
          <Input
            id="scanCode"
            name="scanCode"
            autoComplete="off"
            placeholder={t("scanHint")}
            invalid={!!fieldErrors.scanCode}
          />
        </Field>
      ) : null}

      {error ? <Alert tone="error">{error}</Alert> : null}
      <Button type="submit" className="w-full py-3 text-lg" disabled={pending}>
        {pending ? t("creating") : fields.includes("scanCode") ? t("charge") : t("create")}
      </Button>
    </form>
  );
}

/** The "order mode" toggle: create a Ping++ order and pay it with this QR (issue: orders). */
function OrderModeFields() {
  const t = useTranslations("orders");
  const [on, setOn] = useState(false);
  return (
    <div className="space-y-2 rounded-md border border-slate-200 bg-white p-3">
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          name="orderMode"
          checked={on}
          onChange={(e) => setOn(e.target.checked)}
          data-testid="order-mode"
        />
        {t("orderMode")}
      </label>
      {on ? <InputField label={t("uidLabel")} id="uid" name="uid" autoComplete="off" maxLength={64} /> : null}
    </div>
  );
}
