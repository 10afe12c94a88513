import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import {
  ATTENTION_KINDS,
  ATTENTION_PREVIEW,
  attentionCounts,
  attentionPreview,
  listAttentionKind,
  type AttentionKind,
} from "@/lib/services/attention";
import { attentionFilterSchema } from "@/lib/validations/attention";
import { Pager } from "@/components/ui/list";
import { AttentionTable } from "./_components/attention-table";
import { BulkSyncButton } from "./_components/bulk-sync";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("attention");

/** Kinds with nothing at Ping++ to sync (resolved with a note, or decided on their own page). */
const NOT_SYNCABLE: readonly AttentionKind[] = ["eventForeign", "refundAwaitingApproval"];

export default async function AttentionPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireCapability("attention.manage");
  const t = await getTranslations("attention");
  const tf = await getTranslations("finding.attention");
  const f = attentionFilterSchema.parse(await searchParams);
  const counts = await attentionCounts();
  const chip = (href: string, label: string, count: number, current: boolean, testId: string) => (
    <Link
      key={testId}
      href={href}
      aria-current={current ? "page" : undefined}
      data-testid={testId}
      className={`rounded-full border px-3 py-1 text-sm ${current ? "border-indigo-600 bg-indigo-50 font-semibold text-indigo-700" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
    >
      {label} <span className="tabular-nums">{count.toLocaleString()}</span>
    </Link>
  );
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <p className="text-sm text-slate-600">{t("intro")}</p>
      <nav className="flex flex-wrap gap-2" aria-label={tf("filter")} data-testid="attention-kinds">
        {chip("/attention", tf("all"), counts.total, !f.kind, "attention-kind-all")}
        {ATTENTION_KINDS.filter((k) => counts.byKind[k] > 0 || k === f.kind).map((k) =>
          chip(`/attention?kind=${k}`, t(`kinds.${k}`), counts.byKind[k], f.kind === k, `attention-kind-${k}`),
        )}
      </nav>
      {f.kind ? (
        <KindPage kind={f.kind} page={f.page ?? 1} syncable={!NOT_SYNCABLE.includes(f.kind)} />
      ) : counts.total === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 shadow-sm">{t("empty")}</p>
      ) : (
        <Groups counts={counts.byKind} />
      )}
    </div>
  );
}

/** Every kind that has items: its count, its newest few, and a link to all of them. */
async function Groups({ counts }: { counts: Record<AttentionKind, number> }) {
  const t = await getTranslations("attention");
  const tf = await getTranslations("finding.attention");
  const preview = await attentionPreview(ATTENTION_PREVIEW);
  return (
    <div className="space-y-6">
      {ATTENTION_KINDS.filter((k) => counts[k] > 0).map((k) => (
        <section key={k} className="space-y-2" data-testid={`attention-group-${k}`}>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <h2 className="text-lg font-semibold">
              {t(`kinds.${k}`)}{" "}
              <span className="text-slate-500 tabular-nums" data-testid="attention-group-count">
                {tf("count", { count: counts[k] })}
              </span>
            </h2>
            {NOT_SYNCABLE.includes(k) ? null : <BulkSyncButton kind={k} count={counts[k]} />}
          </div>
          <AttentionTable items={preview[k]} />
          {counts[k] > preview[k].length ? (
            <Link
              href={`/attention?kind=${k}`}
              className="text-sm text-indigo-700 hover:underline"
              data-testid="attention-group-all"
            >
              {tf("showAll", { count: counts[k] })}
            </Link>
          ) : null}
        </section>
      ))}
    </div>
  );
}

/** One kind on its own, paged: every item is reachable. */
async function KindPage({ kind, page, syncable }: { kind: AttentionKind; page: number; syncable: boolean }) {
  const t = await getTranslations("attention");
  const tf = await getTranslations("finding.attention");
  const { items, total, pages } = await listAttentionKind(kind, page);
  return (
    <section className="space-y-3" data-testid={`attention-group-${kind}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-slate-600" data-testid="list-count">
          {tf("count", { count: total })}
        </p>
        {syncable && total > 0 ? <BulkSyncButton kind={kind} count={total} /> : null}
      </div>
      {items.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 shadow-sm">{t("empty")}</p>
      ) : (
        <AttentionTable items={items} />
      )}
      <Pager page={page} pages={pages} filters={{ kind }} labels={{ prev: tf("prev"), next: tf("next") }} />
    </section>
  );
}
