"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { applyAgainAction } from "@/lib/actions/events";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";

export function ApplyAgain({ id }: { id: string }) {
  const t = useTranslations("events");
  const router = useRouter();
  const [pending, start] = useTransition();
  const [msg, setMsg] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  return (
    <div className="space-y-2">
      <Button
        disabled={pending}
        onClick={() =>
          start(async () => {
            const res = await applyAgainAction({ id });
            setMsg(
              res.ok
                ? {
                    tone: res.data.status === "failed" || res.data.status === "foreign" ? "error" : "success",
                    text: `${t(`statuses.${res.data.status}`)}: ${res.data.result ?? ""}`,
                  }
                : { tone: "error", text: res.error },
            );
            router.refresh();
          })
        }
      >
        {pending ? t("applying") : t("applyAgain")}
      </Button>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
    </div>
  );
}
