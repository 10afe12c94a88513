import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { batchLines, batchProgress } from "@/lib/services/red-envelope-batches";
import { isAppError } from "@/lib/services/errors";
import { formatMoney } from "@/lib/money";
import { ListTable, Pager } from "@/components/ui/list";
import { BatchPanel } from "../../_components/batch-panel";
import { StatusBadge } from "../../_components/status-badge";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("redEnvelopes");

const PER_PAGE = 100;

export default async function BatchPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ page?: string }>;
}) {
  await requireCapability("redEnvelopes.manage");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const page = z.coerce
    .number()
    .int()
    .min(1)
    .catch(1)
    .parse((await searchParams).page ?? 1);
  const t = await getTranslations("redEnvelopeBatches");
  const tv = await getTranslations("validation");
  const tr = await getTranslations("redEnvelopes");
  // Opening the page of a batch whose worker died (a restart) resumes it.
  const progress = await batchProgress(id).catch((e: unknown) => (isAppError(e) ? null : Promise.reject(e)));
  if (!progress) notFound();
  const lines = await batchLines(id, page, PER_PAGE);
  return (
    <div className="space-y-4">
      <Link href="/red-envelopes/batches" className="text-sm text-indigo-700">
        {t("title")}
      </Link>
      <h1 className="text-2xl font-semibold">{progress.batch.fileName}</h1>
      <BatchPanel initial={progress} />
      {progress.batch.status !== "draft" ? (
        <Link href={`/red-envelopes?batch=${id}`} className="text-sm text-indigo-700">
          {t("viewEnvelopes")}
        </Link>
      ) : null}
      <ListTable
        testId="batch-lines"
        empty={null}
        head={[
          { label: t("line") },
          { label: t("openId") },
          { label: t("amount"), right: true },
          { label: t("wishing") },
          { label: t("result") },
        ]}
      >
        {lines.map((l) => (
          <tr
            key={l.line}
            className={`border-t border-slate-100 ${l.error ? "bg-rose-50" : ""}`}
            data-testid={`batch-line-${l.line}`}
          >
            <td className="px-3 py-2 tabular-nums">{l.line}</td>
            <td className="px-3 py-2 font-mono text-xs">{l.openId}</td>
            <td className="px-3 py-2 text-right tabular-nums">{l.amount === null ? "—" : formatMoney(l.amount)}</td>
            <td className="px-3 py-2">{l.body}</td>
            <td className="px-3 py-2">
              {l.error ? (
                <span className="text-rose-700">{tv.has(l.error) ? tv(l.error) : tv("invalid")}</span>
              ) : l.envelopeId ? (
                <Link href={`/red-envelopes/${l.envelopeId}`} className="space-x-2">
                  <StatusBadge status={l.status ?? "pending"} />
                  {l.failureMsg ? <span className="text-xs text-rose-700">{l.failureMsg}</span> : null}
                </Link>
              ) : progress.batch.status === "draft" ? (
                <span className="text-emerald-700">{t("ok")}</span>
              ) : (
                <StatusBadge status="pending" />
              )}
            </td>
          </tr>
        ))}
      </ListTable>
      <Pager
        page={page}
        pages={Math.ceil(progress.batch.rowCount / PER_PAGE)}
        filters={{}}
        labels={{ prev: tr("prev"), next: tr("next") }}
      />
    </div>
  );
}
