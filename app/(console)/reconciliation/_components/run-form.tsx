"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { runReconciliationAction } from "@/lib/actions/reconciliation";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { inputClass } from "@/components/ui/field";

export function RunForm({ defaultDay, maxDay }: { defaultDay: string; maxDay: string }) {
  const t = useTranslations("reconciliation");
  const router = useRouter();
  const [day, setDay] = useState(defaultDay);
  const [busy, start] = useTransition();
  const [msg, setMsg] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  return (
    <form
      className="flex flex-wrap items-end gap-3 rounded-lg bg-white p-4 shadow-sm"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => {
          const res = await runReconciliationAction({ day });
          if (!res.ok) return setMsg({ tone: "error", text: res.error });
          setMsg({ tone: "success", text: t("started", { differences: res.data.differences }) });
          router.push(`/reconciliation/${res.data.id}`);
        });
      }}
    >
      <label className="space-y-1 text-sm">
        <span className="block">{t("day")}</span>
        <input
          type="date"
          name="day"
          className={inputClass}
          value={day}
          max={maxDay}
          onChange={(e) => setDay(e.target.value)}
          required
        />
      </label>
      <Button type="submit" disabled={busy}>
        {busy ? t("running") : t("run")}
      </Button>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
    </form>
  );
}
