"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { assignTerminalAction, changeRoleAction, resetPasswordAction, setDisabledAction } from "@/lib/actions/staff";
import { resetTwoFactorAction } from "@/lib/actions/account";
import { ROLES } from "@/lib/validations/roles";
import type { ActionResult } from "@/lib/actions/result";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { ListTable } from "@/components/ui/list";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { inputClass } from "@/components/ui/field";
import { OneTimeSecret } from "./one-time-secret";

export interface StaffRow {
  id: string;
  email: string;
  name: string;
  role: (typeof ROLES)[number];
  terminalId: string | null;
  disabled: boolean;
  twoFactor: boolean;
}

/** Every change that ends someone's sessions or weakens their sign-in is confirmed first. */
type Pending =
  | { kind: "disable" | "reset" | "reset2fa"; row: StaffRow }
  | { kind: "role"; row: StaffRow; role: StaffRow["role"] }
  | null;

export function StaffTable({ rows, selfId }: { rows: StaffRow[]; selfId: string }) {
  const t = useTranslations("staff");
  const tr = useTranslations("roles");
  const router = useRouter();
  const [busy, start] = useTransition();
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string; secret?: string } | null>(null);
  const [confirm, setConfirm] = useState<Pending>(null);

  const run = <T,>(fn: () => Promise<ActionResult<T>>, onOk?: (data: T) => void) =>
    start(async () => {
      const res = await fn();
      if (!res.ok) setMessage({ tone: "error", text: res.error });
      else {
        setMessage({ tone: "success", text: t("saved") });
        onOk?.(res.data);
      }
      router.refresh();
    });

  if (rows.length === 0) return <p className="text-slate-500">{t("empty")}</p>;
  return (
    <section className="space-y-3">
      {message ? (
        <Alert tone={message.tone}>
          {message.text}
          {message.secret ? <OneTimeSecret label="" value={message.secret} /> : null}
        </Alert>
      ) : null}
      <ListTable
        testId="staff-table"
        empty={null}
        head={[
          { label: t("email") },
          { label: t("name") },
          { label: t("role") },
          { label: t("terminal") },
          { label: t("status") },
          { label: t("twoFactor") },
          { label: t("actions") },
        ]}
      >
        {rows.map((row) => (
          <tr key={row.id} data-testid={`staff-row-${row.email}`} className="border-t border-slate-100">
            <td className="px-3 py-2">
              {row.email}
              {row.id === selfId ? t("you") : ""}
            </td>
            <td className="px-3 py-2">{row.name}</td>
            <td className="px-3 py-2">
              <select
                aria-label={t("changeRole")}
                className={inputClass}
                value={row.role}
                disabled={busy}
                onChange={(e) => setConfirm({ kind: "role", row, role: e.target.value as StaffRow["role"] })}
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {tr(r)}
                  </option>
                ))}
              </select>
            </td>
            <td className="px-3 py-2">
              <form
                className="flex gap-2"
                onSubmit={(e) => {
                  e.preventDefault();
                  const v = String(new FormData(e.currentTarget).get("terminalId") ?? "");
                  run(() => assignTerminalAction({ id: row.id, terminalId: v }));
                }}
              >
                <input
                  name="terminalId"
                  aria-label={t("assignTerminal")}
                  defaultValue={row.terminalId ?? ""}
                  placeholder={t("terminalPlaceholder")}
                  className={`${inputClass} w-24`}
                />
                <Button variant="secondary" type="submit" disabled={busy}>
                  {t("save")}
                </Button>
              </form>
            </td>
            <td className="px-3 py-2">
              <span className={row.disabled ? "text-rose-600" : "text-emerald-700"}>
                {row.disabled ? t("disabled") : t("active")}
              </span>
            </td>
            <td className="px-3 py-2" data-testid="staff-2fa">
              {row.twoFactor ? t("twoFactorOn") : <span className="text-slate-500">{t("twoFactorOff")}</span>}
            </td>
            <td className="space-x-2 whitespace-nowrap px-3 py-2">
              {row.disabled ? (
                <Button
                  variant="secondary"
                  disabled={busy}
                  onClick={() => run(() => setDisabledAction({ id: row.id, disabled: false }))}
                >
                  {t("enable")}
                </Button>
              ) : (
                <Button
                  variant="secondary"
                  disabled={busy || row.id === selfId}
                  onClick={() => setConfirm({ kind: "disable", row })}
                >
                  {t("disable")}
                </Button>
              )}
              <Button variant="secondary" disabled={busy} onClick={() => setConfirm({ kind: "reset", row })}>
                {t("resetPassword")}
              </Button>
              {row.twoFactor ? (
                <Button variant="secondary" disabled={busy} onClick={() => setConfirm({ kind: "reset2fa", row })}>
                  {t("reset2fa")}
                </Button>
              ) : null}
            </td>
          </tr>
        ))}
      </ListTable>
      <ConfirmDialog
        open={!!confirm}
        busy={busy}
        danger={confirm?.kind !== "role"}
        title={
          confirm?.kind === "disable"
            ? t("disable")
            : confirm?.kind === "role"
              ? t("confirmRoleTitle")
              : confirm?.kind === "reset2fa"
                ? t("reset2fa")
                : t("resetPassword")
        }
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          const c = confirm;
          if (!c) return;
          setConfirm(null);
          if (c.kind === "disable") run(() => setDisabledAction({ id: c.row.id, disabled: true }));
          else if (c.kind === "role") run(() => changeRoleAction({ id: c.row.id, role: c.role }));
          else if (c.kind === "reset2fa") run(() => resetTwoFactorAction({ id: c.row.id }));
          else
            start(async () => {
              const res = await resetPasswordAction({ id: c.row.id });
              setMessage(
                res.ok
                  ? { tone: "success", text: t("newPassword", { email: c.row.email }), secret: res.data.password }
                  : { tone: "error", text: res.error },
              );
            });
        }}
      >
        {confirm?.kind === "disable"
          ? t("confirmDisable", { email: confirm.row.email })
          : confirm?.kind === "role"
            ? t("confirmRole", { email: confirm.row.email, from: tr(confirm.row.role), to: tr(confirm.role) })
            : confirm?.kind === "reset2fa"
              ? t("confirmReset2fa", { email: confirm.row.email })
              : confirm
                ? t("confirmReset", { email: confirm.row.email })
                : null}
      </ConfirmDialog>
    </section>
  );
}
