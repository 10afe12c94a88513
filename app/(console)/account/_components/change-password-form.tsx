"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { changeOwnPasswordAction } from "@/lib/actions/account";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";

export function ChangePasswordForm({ required }: { required: boolean }) {
  const t = useTranslations("account");
  const router = useRouter();
  const [pending, start] = useTransition();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  return (
    <section className="rounded-lg bg-white p-5 shadow-sm">
      <h2 className="mb-1 text-lg font-semibold">{t("changePassword")}</h2>
      <p className="mb-4 text-sm text-slate-500">{t("passwordRules")}</p>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const fd = new FormData(form);
          setErrors({});
          setMessage(null);
          start(async () => {
            const res = await changeOwnPasswordAction({
              current: String(fd.get("current") ?? ""),
              next: String(fd.get("next") ?? ""),
              confirm: String(fd.get("confirm") ?? ""),
            });
            if (!res.ok) {
              setErrors(res.fieldErrors ?? {});
              setMessage({ tone: "error", text: res.error });
              return;
            }
            form.reset();
            setMessage({ tone: "success", text: t("passwordChanged") });
            if (required) router.replace("/");
            router.refresh();
          });
        }}
      >
        <Field label={t("currentPassword")} htmlFor="current-password" error={errors.current}>
          <Input
            id="current-password"
            name="current"
            type="password"
            autoComplete="current-password"
            required
            invalid={!!errors.current}
          />
        </Field>
        <Field label={t("newPassword")} htmlFor="new-password" error={errors.next}>
          <Input
            id="new-password"
            name="next"
            type="password"
            autoComplete="new-password"
            required
            invalid={!!errors.next}
          />
        </Field>
        <Field label={t("confirmPassword")} htmlFor="confirm-password" error={errors.confirm}>
          <Input
            id="confirm-password"
            name="confirm"
            type="password"
            autoComplete="new-password"
            required
            invalid={!!errors.confirm}
          />
        </Field>
        {message && (message.tone === "success" || !Object.keys(errors).length) ? (
          <Alert tone={message.tone}>{message.text}</Alert>
        ) : null}
        <Button type="submit" disabled={pending}>
          {pending ? t("saving") : t("changePasswordSubmit")}
        </Button>
      </form>
    </section>
  );
}
