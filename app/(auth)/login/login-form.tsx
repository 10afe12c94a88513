"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { loginAction } from "@/lib/actions/auth";
import { Button } from "@/components/ui/button";
import { InputField } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";

/**
 * E-mail + password; when the account has two-factor sign-in the server answers "codeRequired"
 * and the form asks for the authenticator's 6-digit code (or a recovery code), sending the three
 * together. Nothing of the second step is kept on the server between the two.
 */
export function LoginForm() {
  const t = useTranslations("login");
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const [step, setStep] = useState<"password" | "code">("password");
  const [creds, setCreds] = useState({ email: "", password: "" });
  return (
    <form
      method="post" // before the page's script runs, a submit must never put the password in a URL
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        const sent =
          step === "password"
            ? { email: String(fd.get("email") ?? ""), password: String(fd.get("password") ?? "") }
            : creds;
        setCreds(sent);
        const code = step === "code" ? String(fd.get("code") ?? "") : undefined;
        setError(null);
        start(async () => {
          const res = await loginAction({ ...sent, code });
          if (!res.ok) {
            if (res.code === "codeRequired") return setStep("code");
            if (res.code !== "invalidCode") setStep("password");
            return setError(res.error);
          }
          router.replace("/");
          router.refresh();
        });
      }}
    >
      {step === "password" ? (
        <>
          <InputField
            label={t("email")}
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            autoFocus
            defaultValue={creds.email}
          />
          <InputField
            label={t("password")}
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
          />
        </>
      ) : (
        <>
          <p className="text-sm text-slate-600">{t("codeHint")}</p>
          <InputField
            label={t("code")}
            id="code"
            name="code"
            inputMode="text"
            autoComplete="one-time-code"
            required
            autoFocus
            maxLength={32}
          />
        </>
      )}
      {error ? <Alert tone="error">{error}</Alert> : null}
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? t("submitting") : step === "code" ? t("verify") : t("submit")}
      </Button>
      {step === "code" ? (
        <button
          type="button"
          className="w-full text-sm text-slate-500 underline"
          onClick={() => (setStep("password"), setError(null))}
        >
          {t("back")}
        </button>
      ) : null}
    </form>
  );
}
