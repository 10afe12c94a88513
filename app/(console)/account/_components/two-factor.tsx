"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { QRCodeSVG } from "qrcode.react";
import { confirmTwoFactorAction, disableTwoFactorAction, startTwoFactorAction } from "@/lib/actions/account";
import { Button } from "@/components/ui/button";
import { InputField } from "@/components/ui/field";
import { Alert } from "@/components/ui/alert";

/**
 * Two-factor sign-in: enroll (QR + the secret as text, confirmed with a code; the secret is shown
 * only during enrollment), the recovery codes once, and turning it off (password asked again).
 */
export function TwoFactorSection({
  enabled,
  required,
  recoveryCodesLeft,
  gated,
}: {
  enabled: boolean;
  required: boolean;
  recoveryCodesLeft: number;
  gated: boolean;
}) {
  const t = useTranslations("account");
  const router = useRouter();
  const [pending, start] = useTransition();
  const [enrolling, setEnrolling] = useState<{ secret: string; uri: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  return (
    <section className="space-y-4 rounded-lg bg-white p-5 shadow-sm" data-testid="two-factor">
      <div>
        <h2 className="text-lg font-semibold">{t("twoFactor")}</h2>
        <p className="text-sm text-slate-500">{t("twoFactorHelp")}</p>
      </div>
      {error ? <Alert tone="error">{error}</Alert> : null}

      {codes ? (
        <div className="space-y-3">
          <Alert tone="success">{t("twoFactorOn")}</Alert>
          <p className="text-sm font-medium">{t("recoveryCodesOnce")}</p>
          <ul data-testid="recovery-codes" className="grid grid-cols-2 gap-1 rounded bg-slate-50 p-3 font-mono text-sm">
            {codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <div className="flex gap-2">
            <Button variant="secondary" type="button" onClick={() => navigator.clipboard?.writeText(codes.join("\n"))}>
              {t("copyCodes")}
            </Button>
            <Button
              type="button"
              onClick={() => {
                setCodes(null);
                if (gated) router.replace("/");
                router.refresh();
              }}
            >
              {t("savedCodes")}
            </Button>
          </div>
        </div>
      ) : enabled ? (
        <div className="space-y-3">
          <p className="text-sm">
            <span className="rounded bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-800">
              {t("statusOn")}
            </span>{" "}
            {t("recoveryLeft", { n: recoveryCodesLeft })}
          </p>
          {required ? (
            <p className="text-sm text-slate-500">{t("requiredForAdmins")}</p>
          ) : (
            <form
              className="flex flex-wrap items-end gap-2"
              onSubmit={(e) => {
                e.preventDefault();
                const password = String(new FormData(e.currentTarget).get("password") ?? "");
                setError(null);
                start(async () => {
                  const res = await disableTwoFactorAction({ password });
                  if (!res.ok) return setError(res.error);
                  router.refresh();
                });
              }}
            >
              <InputField
                label={t("passwordToDisable")}
                id="disable-password"
                name="password"
                type="password"
                autoComplete="current-password"
                required
              />
              <Button variant="danger" type="submit" disabled={pending}>
                {t("disable")}
              </Button>
            </form>
          )}
        </div>
      ) : enrolling ? (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            const code = String(new FormData(e.currentTarget).get("code") ?? "");
            setError(null);
            start(async () => {
              const res = await confirmTwoFactorAction({ code });
              if (!res.ok) return setError(res.error);
              setEnrolling(null);
              setCodes(res.data.recoveryCodes);
            });
          }}
        >
          <ol className="list-decimal space-y-3 pl-5 text-sm">
            <li>
              {t("scan")}
              <div className="mt-2 inline-block rounded bg-white p-2 ring-1 ring-slate-200">
                <QRCodeSVG value={enrolling.uri} size={176} title={t("qrTitle")} />
              </div>
              <p className="mt-1">
                {t("orEnter")}{" "}
                <code data-testid="totp-secret" className="break-all rounded bg-slate-100 px-1 font-mono">
                  {enrolling.secret}
                </code>
              </p>
            </li>
            <li>{t("enterCode")}</li>
          </ol>
          <InputField
            label={t("code")}
            id="totp-code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\d{6}"
            maxLength={6}
            required
          />
          <div className="flex gap-2">
            <Button type="submit" disabled={pending}>
              {t("confirmEnable")}
            </Button>
            <Button variant="secondary" type="button" onClick={() => setEnrolling(null)}>
              {t("cancel")}
            </Button>
          </div>
        </form>
      ) : (
        <div className="space-y-2">
          <p className="text-sm">
            <span className="rounded bg-slate-100 px-2 py-0.5 text-xs font-semibold text-slate-700">
              {t("statusOff")}
            </span>
          </p>
          <Button
            type="button"
            disabled={pending}
            onClick={() => {
              setError(null);
              start(async () => {
                const res = await startTwoFactorAction({});
                if (!res.ok) return setError(res.error);
                setEnrolling(res.data);
              });
            }}
          >
            {t("enable")}
          </Button>
        </div>
      )}
    </section>
  );
}
