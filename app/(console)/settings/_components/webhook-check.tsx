"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { checkWebhookAction } from "@/lib/actions/settings";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";

export function WebhookCheck({ sandbox }: { sandbox: boolean }) {
  const t = useTranslations("settings");
  const [pending, start] = useTransition();
  const [msg, setMsg] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  return (
    <section className="space-y-3 rounded-lg bg-white p-5 shadow-sm">
      <h2 className="font-semibold">{t("checkTitle")}</h2>
      <p className="text-sm text-slate-600">{sandbox ? t("checkSandbox") : t("checkLive")}</p>
      <Button
        disabled={pending}
        onClick={() =>
          start(async () => {
            setMsg(null);
            const res = await checkWebhookAction({});
            if (!res.ok) return setMsg({ tone: "error", text: res.error });
            const r = res.data;
            setMsg(
              r.ok
                ? {
                    tone: "success",
                    text:
                      r.kind === "signed-roundtrip"
                        ? t("checkOkSigned", { id: r.eventId, ms: r.ms })
                        : t("checkOkUnsigned", { ms: r.ms }),
                  }
                : { tone: "error", text: t(`checkFail.${r.step}`, { detail: r.detail }) },
            );
          })
        }
      >
        {pending ? t("checking") : t("check")}
      </Button>
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
    </section>
  );
}
