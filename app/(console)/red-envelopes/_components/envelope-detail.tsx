"use client";
import { useState, useTransition } from "react";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { refreshRedEnvelopeAction } from "@/lib/actions/red-envelopes";
import type { RedEnvelopeView, TimelineEntry } from "@/lib/services/red-envelopes";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { StatusBadge } from "./status-badge";
import { usePolled } from "./use-polled";

type Detail = { envelope: RedEnvelopeView; timeline: TimelineEntry[] };
const FINAL = ["received", "failed", "refund"];

/** The envelope, polled every few seconds until final (webhooks move it), with a manual refresh. */
export function EnvelopeDetail({ initial }: { initial: Detail }) {
  const t = useTranslations("redEnvelopes");
  const [busy, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const q = usePolled(`/api/red-envelopes/${initial.envelope.id}/status`, initial, (d) =>
    FINAL.includes(d.envelope.status),
  );
  const { envelope: e, timeline } = q.data;
  // [label, value, monospace]
  const rows: [string, string, boolean?][] = [
    [t("amount"), formatMoney(e.amount)],
    [t("recipient"), e.recipient, true],
    [t("sendName"), e.sendName],
    [t("subject"), e.subject],
    [t("body"), e.body],
    [t("description"), e.description],
    [t("scene"), e.sceneId ?? t("noScene")],
    [t("orderNo"), e.orderNo, true],
    [t("pingppId"), e.pingppId ?? "—", true],
  ];
  if (e.failureMsg) rows.push([t("failureMsg"), e.failureMsg]);
  if (e.receivedAt) rows.push([t("receivedAt"), formatShanghai(new Date(e.receivedAt))]);

  return (
    <div className="grid gap-6 md:grid-cols-2">
      <section className="space-y-3 rounded-lg bg-white p-5 shadow-sm">
        <div className="flex items-center justify-between">
          <span className="text-3xl font-semibold tabular-nums">{formatMoney(e.amount)}</span>
          <StatusBadge status={e.status} />
        </div>
        <dl className="grid grid-cols-3 gap-x-3 gap-y-2 text-sm">
          {rows.map(([k, v, mono]) => (
            <div key={k} className="contents">
              <dt className="text-slate-500">{k}</dt>
              <dd className={`col-span-2 break-all ${mono ? "font-mono" : ""}`}>{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="space-y-3 rounded-lg bg-white p-5 shadow-sm">
        <h2 className="font-semibold">{t("timeline")}</h2>
        <ol className="space-y-2 border-l-2 border-slate-200 pl-4 text-sm" data-testid="timeline">
          {timeline.map((s, i) => (
            <li key={`${s.status}-${i}`} className="space-x-2">
              <StatusBadge status={s.status} />
              <span className="tabular-nums">{formatShanghai(new Date(s.at))}</span>
              {s.eventId ? (
                <Link
                  href={`/events/${encodeURIComponent(s.eventId)}`}
                  className="text-xs text-indigo-700 hover:underline"
                >
                  {t("fromWebhook", { id: s.eventId })}
                </Link>
              ) : (
                <span className="text-xs text-slate-400">{t("fromConsole")}</span>
              )}
            </li>
          ))}
        </ol>
        {e.pingppId && !FINAL.includes(e.status) ? (
          <div className="space-y-2">
            <Button
              variant="secondary"
              disabled={busy}
              onClick={() =>
                start(async () => {
                  setError(null);
                  const res = await refreshRedEnvelopeAction({ id: e.id });
                  if (!res.ok) setError(res.error);
                  await q.refetch();
                })
              }
            >
              {busy ? t("refreshing") : t("refresh")}
            </Button>
            <p className="text-xs text-slate-500">{t("refreshHint")}</p>
          </div>
        ) : null}
        {error ? <Alert tone="error">{error}</Alert> : null}
      </section>
    </div>
  );
}
