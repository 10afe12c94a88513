"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { setRefundApprovalAction } from "@/lib/actions/settings";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { InputField } from "@/components/ui/field";

/** 设置 → 退款审批: the per-refund threshold and the per-person daily limit, in yuan; empty = off (issue 17). */
export function RefundApprovalForm({ threshold, dayLimit }: { threshold: string; dayLimit: string }) {
  const t = useTranslations("settings.approval");
  const [pending, start] = useTransition();
  const [msg, setMsg] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  return (
    <form
      className="space-y-3 rounded-lg bg-white p-5 shadow-sm"
      data-testid="refund-approval-settings"
      onSubmit={(e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        start(async () => {
          setMsg(null);
          const res = await setRefundApprovalAction({
            threshold: String(form.get("threshold") ?? ""),
            dayLimit: String(form.get("dayLimit") ?? ""),
          });
          setFieldErrors(res.ok ? {} : (res.fieldErrors ?? {}));
          setMsg(res.ok ? { tone: "success", text: t("saved") } : { tone: "error", text: res.error });
        });
      }}
    >
      <h2 className="font-semibold">{t("title")}</h2>
      <p className="text-sm text-slate-600">{t("help")}</p>
      {(
        [
          ["threshold", threshold],
          ["dayLimit", dayLimit],
        ] as const
      ).map(([name, value]) => (
        <InputField
          key={name}
          label={t(name)}
          id={name}
          name={name}
          inputMode="decimal"
          defaultValue={value}
          placeholder={t("off")}
          error={fieldErrors[name]}
        />
      ))}
      <Button type="submit" disabled={pending}>
        {t("save")}
      </Button>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
    </form>
  );
}
