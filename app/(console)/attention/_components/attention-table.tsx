"use client";
import { useState, useTransition } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { resolveAttentionAction, syncAttentionAction } from "@/lib/actions/attention";
import type { AttentionItem } from "@/lib/services/attention";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { ListTable } from "@/components/ui/list";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { NoteField } from "@/components/ui/field";

export function AttentionTable({ items }: { items: AttentionItem[] }) {
  const t = useTranslations("attention");
  const router = useRouter();
  const [busy, start] = useTransition();
  const [msg, setMsg] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [resolving, setResolving] = useState<AttentionItem | null>(null);
  const [note, setNote] = useState("");
  return (
    <div className="space-y-3">
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
      <ListTable
        testId="attention-table"
        empty={null}
        head={[
          { label: t("kind") },
          { label: t("object") },
          { label: t("amount"), right: true },
          { label: t("since") },
          { label: t("detail") },
          { label: t("actions") },
        ]}
      >
        {items.map((i) => (
          <tr
            key={`${i.kind}:${i.objectId}`}
            className="border-t border-slate-100 align-top"
            data-kind={i.kind}
            data-object={i.label}
          >
            <td className="px-3 py-2">{t(`kinds.${i.kind}`)}</td>
            <td className="px-3 py-2 font-mono text-xs">
              {i.href ? (
                <Link className="text-indigo-700 hover:underline" href={i.href}>
                  {i.label}
                </Link>
              ) : (
                i.label
              )}
            </td>
            <td className="px-3 py-2 text-right tabular-nums">
              {i.amount !== null ? formatMoney(i.amount, i.currency ?? "cny") : ""}
            </td>
            <td className="whitespace-nowrap px-3 py-2">{formatShanghai(new Date(i.since))}</td>
            <td className="px-3 py-2">{i.detail}</td>
            <td className="space-x-2 whitespace-nowrap px-3 py-2">
              {/* an event that is not ours is never applied: nothing to sync, only to resolve */}
              {i.kind === "eventForeign" || i.kind === "refundAwaitingApproval" ? null : (
                <Button
                  variant="secondary"
                  disabled={busy}
                  onClick={() =>
                    start(async () => {
                      const res = await syncAttentionAction({ kind: i.kind, objectId: i.objectId });
                      setMsg(
                        !res.ok
                          ? { tone: "error", text: res.error }
                          : res.data?.eventStatus === "failed"
                            ? {
                                tone: "error",
                                text: t("stillFailed", { label: i.label, result: res.data.result ?? "" }),
                              }
                            : { tone: "success", text: t("synced", { label: i.label }) },
                      );
                      router.refresh();
                    })
                  }
                >
                  {i.kind === "eventFailed" ? t("applyAgain") : t("sync")}
                </Button>
              )}
              {i.kind === "refundAwaitingApproval" ? (
                // decided on its page (approve / reject), never marked handled from here
                <Link href={i.href ?? `/refunds/${i.objectId}`} className="text-indigo-600 hover:underline">
                  {t("review")}
                </Link>
              ) : (
                <Button variant="ghost" disabled={busy} onClick={() => (setResolving(i), setNote(""))}>
                  {t("resolve")}
                </Button>
              )}
            </td>
          </tr>
        ))}
      </ListTable>
      <ConfirmDialog
        open={!!resolving}
        busy={busy}
        title={t("resolveTitle")}
        confirmLabel={t("resolve")}
        onCancel={() => setResolving(null)}
        onConfirm={() => {
          const item = resolving;
          if (!item) return;
          start(async () => {
            const res = await resolveAttentionAction({ kind: item.kind, objectId: item.objectId, note });
            if (!res.ok) return setMsg({ tone: "error", text: res.error });
            setResolving(null);
            setMsg({ tone: "success", text: t("resolved", { label: item.label }) });
            router.refresh();
          });
        }}
      >
        <NoteField label={t("note")} value={note} onChange={setNote} />
      </ConfirmDialog>
    </div>
  );
}
