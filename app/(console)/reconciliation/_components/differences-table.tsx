"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { fixDifferenceAction, noteDifferenceAction } from "@/lib/actions/reconciliation";
import { formatMoney } from "@/lib/money";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { ListTable } from "@/components/ui/list";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { NoteField } from "@/components/ui/field";

export interface DifferenceItem {
  id: string;
  kind: "missing_here" | "missing_there" | "status" | "amount" | "amount_refunded";
  objectType: "charge" | "refund";
  pingppId: string | null;
  currency: string;
  ours: string | null;
  theirs: string | null;
  amount: number;
  resolution: "fixed" | "noted" | null;
  note: string | null;
}

export function DifferencesTable({ items }: { items: DifferenceItem[] }) {
  const t = useTranslations("reconciliation");
  const router = useRouter();
  const [busy, start] = useTransition();
  const [msg, setMsg] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [fixing, setFixing] = useState<DifferenceItem | null>(null);
  const [noting, setNoting] = useState<DifferenceItem | null>(null);
  const [note, setNote] = useState("");
  return (
    <div className="space-y-3">
      {msg ? <Alert tone={msg.tone}>{msg.text}</Alert> : null}
      <ListTable
        testId="reconciliation-differences"
        empty={null}
        head={[
          { label: t("kind") },
          { label: t("object") },
          { label: t("ours") },
          { label: t("theirs") },
          { label: t("amount"), right: true },
          { label: t("resolution") },
          {},
        ]}
      >
        {items.map((d) => (
          <tr
            key={d.id}
            className="border-t border-slate-100 align-top"
            data-kind={d.kind}
            data-object={d.pingppId ?? ""}
          >
            <td className="px-3 py-2">{t(`kinds.${d.kind}`)}</td>
            <td className="px-3 py-2">
              {t(`objectTypes.${d.objectType}`)} <span className="font-mono text-xs">{d.pingppId}</span>
            </td>
            <td className="px-3 py-2">{d.ours ?? "—"}</td>
            <td className="px-3 py-2">{d.theirs ?? "—"}</td>
            <td className="px-3 py-2 text-right tabular-nums">{formatMoney(d.amount, d.currency)}</td>
            <td className="px-3 py-2">
              {d.resolution ? `${t(`resolutions.${d.resolution}`)}${d.note ? `: ${d.note}` : ""}` : ""}
            </td>
            <td className="space-x-2 whitespace-nowrap px-3 py-2">
              {d.resolution ? null : (
                <>
                  {d.kind === "missing_there" ? null : (
                    <Button variant="secondary" disabled={busy} onClick={() => setFixing(d)}>
                      {t("fix")}
                    </Button>
                  )}
                  <Button variant="ghost" disabled={busy} onClick={() => (setNoting(d), setNote(""))}>
                    {t("note")}
                  </Button>
                </>
              )}
            </td>
          </tr>
        ))}
      </ListTable>
      <ConfirmDialog
        open={!!fixing}
        busy={busy}
        title={t("fix")}
        confirmLabel={t("fix")}
        onCancel={() => setFixing(null)}
        onConfirm={() => {
          const d = fixing;
          if (!d) return;
          start(async () => {
            const res = await fixDifferenceAction({ id: d.id });
            setFixing(null);
            setMsg(res.ok ? { tone: "success", text: t("fixed") } : { tone: "error", text: res.error });
            router.refresh();
          });
        }}
      >
        <p>{t("fixConfirm")}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={!!noting}
        busy={busy}
        title={t("note")}
        confirmLabel={t("noteSave")}
        onCancel={() => setNoting(null)}
        onConfirm={() => {
          const d = noting;
          if (!d) return;
          start(async () => {
            const res = await noteDifferenceAction({ id: d.id, note });
            if (!res.ok) return setMsg({ tone: "error", text: res.error });
            setNoting(null);
            setMsg({ tone: "success", text: t("noted") });
            router.refresh();
          });
        }}
      >
        <NoteField label={t("notePlaceholder")} value={note} onChange={setNote} />
      </ConfirmDialog>
    </div>
  );
}
