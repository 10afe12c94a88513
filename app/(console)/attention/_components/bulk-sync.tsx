"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { syncAttentionKindAction } from "@/lib/actions/attention";
import type { AttentionKind } from "@/lib/validations/attention";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";

/** 「从 Ping++ 同步」 for a whole kind, after a confirmation; reports how many synced and failed. */
export function BulkSyncButton({ kind, count }: { kind: AttentionKind; count: number }) {
  const t = useTranslations("finding.attention");
  const router = useRouter();
  const [busy, start] = useTransition();
  const [open, setOpen] = useState(false);
  const [msg, setMsg] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  return (
    <div className="flex flex-wrap items-center gap-2">
      {msg ? (
        <span
          role="status"
          data-testid="bulk-sync-result"
          className={`text-sm ${msg.tone === "ok" ? "text-emerald-700" : "text-rose-700"}`}
        >
          {msg.text}
        </span>
      ) : null}
      <Button variant="secondary" disabled={busy} onClick={() => setOpen(true)} data-testid={`bulk-sync-${kind}`}>
        {t("syncAll", { count })}
      </Button>
      <ConfirmDialog
        open={open}
        busy={busy}
        title={t("syncAllTitle")}
        confirmLabel={t("syncAllConfirm")}
        onCancel={() => setOpen(false)}
        onConfirm={() =>
          start(async () => {
            const res = await syncAttentionKindAction({ kind });
            setOpen(false);
            setMsg(
              res.ok
                ? {
                    tone: res.data.failed ? "error" : "ok",
                    text: t("syncAllDone", {
                      synced: res.data.synced,
                      failed: res.data.failed,
                      remaining: res.data.remaining,
                    }),
                  }
                : { tone: "error", text: res.error },
            );
            router.refresh();
          })
        }
      >
        <p>{t("syncAllBody", { count: Math.min(count, 200) })}</p>
      </ConfirmDialog>
    </div>
  );
}
