"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { changeOwnPasswordAction } from "@/lib/actions/account";
import { Button } from "@/components/ui/button";
import { InputField } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";

/** The three password inputs: name (as the action takes it), element id, label key, autocomplete hint. */
const PASSWORD_FIELDS = [
  { name: "current", id: "current-password", label: "currentPassword", autoComplete: "current-password" },
  { name: "next", id: "new-password", label: "newPassword", autoComplete: "new-password" },
  { name: "confirm", id: "confirm-password", label: "confirmPassword", autoComplete: "new-password" },
] as const;

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
        {PASSWORD_FIELDS.map((f) => (
          <InputField
            key={f.name}
            label={t(f.label)}
            id={f.id}
            name={f.name}
            type="password"
            autoComplete={f.autoComplete}
            required
            error={errors[f.name]}
          />
        ))}
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
