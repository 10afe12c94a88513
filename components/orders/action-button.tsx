"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import type { ActionResult } from "@/lib/actions/result";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useKeyedAction } from "./use-keyed-action";

/**
 * A button that runs one server action (sync, refresh, cancel, refund the excess), optionally
 * behind a confirmation dialog, then shows the outcome and refreshes the page. Labels are
 * message keys; `done` is filled with the action's result.
 */
export function ActionButton<I extends object, R extends object>({
  action,
  input,
  label,
  busyLabel,
  done,
  confirm,
  variant = "secondary",
  testId,
}: {
  action: (input: I & { idempotencyKey: string }) => Promise<ActionResult<R>>;
  input: I;
  label: string;
  busyLabel: string;
  done?: string;
  confirm?: { title: string; body?: string; danger?: boolean };
  variant?: "primary" | "secondary" | "danger";
  testId?: string;
}) {
  const t = useTranslations();
  const router = useRouter();
  const { run, pending, error } = useKeyedAction(action);
  const [asking, setAsking] = useState(false);
  const [ok, setOk] = useState<string | null>(null);
  const go = () => {
    setAsking(false);
    run(input, (data) => {
      setOk(done ? t(done as never, data as never) : null);
      router.refresh();
    });
  };
  return (
    <div className="space-y-2">
      <Button
        type="button"
        variant={variant}
        disabled={pending}
        data-testid={testId}
        onClick={() => (confirm ? setAsking(true) : go())}
      >
        {pending ? busyLabel : label}
      </Button>
      {confirm ? (
        <ConfirmDialog
          open={asking}
          title={confirm.title}
          danger={confirm.danger}
          busy={pending}
          onConfirm={go}
          onCancel={() => setAsking(false)}
        >
          {confirm.body}
        </ConfirmDialog>
      ) : null}
      {error ? <Alert tone="error">{error}</Alert> : null}
      {ok ? <Alert tone="success">{ok}</Alert> : null}
    </div>
  );
}
