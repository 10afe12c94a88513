"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { createStaffAction } from "@/lib/actions/staff";
import { ROLES } from "@/lib/validations/roles";
import { Button } from "@/components/ui/button";
import { Field, InputField, Select } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";
import { OneTimeSecret } from "./one-time-secret";

export function AddStaffForm() {
  const t = useTranslations("staff");
  const tr = useTranslations("roles");
  const [pending, start] = useTransition();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ email: string; password?: string } | null>(null);
  return (
    <section className="rounded-lg bg-white p-5 shadow-sm">
      <h2 className="mb-4 text-lg font-semibold">{t("add")}</h2>
      <form
        className="grid grid-cols-1 gap-4 md:grid-cols-5 md:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const fd = new FormData(form);
          setError(null);
          setErrors({});
          setCreated(null);
          start(async () => {
            const res = await createStaffAction({
              email: String(fd.get("email") ?? ""),
              name: String(fd.get("name") ?? ""),
              role: String(fd.get("role")) as (typeof ROLES)[number],
              terminalId: String(fd.get("terminalId") ?? ""),
              password: String(fd.get("password") ?? ""),
            });
            if (!res.ok) {
              setError(res.error);
              setErrors(res.fieldErrors ?? {});
              return;
            }
            setCreated({ email: res.data.email, password: res.data.generatedPassword });
            form.reset();
          });
        }}
      >
        <InputField label={t("email")} id="new-email" name="email" type="email" required error={errors.email} />
        <InputField label={t("name")} id="new-name" name="name" required error={errors.name} />
        <Field label={t("role")} htmlFor="new-role">
          <Select id="new-role" name="role" defaultValue="cashier">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {tr(r)}
              </option>
            ))}
          </Select>
        </Field>
        <InputField
          label={t("terminal")}
          id="new-terminal"
          name="terminalId"
          placeholder={t("terminalPlaceholder")}
          error={errors.terminalId}
        />
        <InputField
          label={t("password")}
          id="new-password"
          name="password"
          type="password"
          autoComplete="new-password"
          error={errors.password}
        />
        <div className="md:col-span-5">
          <Button type="submit" disabled={pending}>
            {pending ? t("creating") : t("create")}
          </Button>
        </div>
      </form>
      <div className="mt-4 space-y-2">
        {error && !Object.keys(errors).length ? <Alert tone="error">{error}</Alert> : null}
        {created ? (
          <Alert tone="success">
            {t("created", { email: created.email })}
            {created.password ? <OneTimeSecret label={t("generatedPassword")} value={created.password} /> : null}
          </Alert>
        ) : null}
      </div>
    </section>
  );
}
