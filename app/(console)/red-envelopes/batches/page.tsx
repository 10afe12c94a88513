import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requireCapability } from "@/lib/auth/session";
import { listBatches } from "@/lib/services/red-envelope-batches";
import { formatShanghai } from "@/lib/dates";
import { formatMoney } from "@/lib/money";
import { ListTable, Pager } from "@/components/ui/list";
import { redEnvelopeBatchListSchema } from "@/lib/validations/red-envelopes";
import { BatchUploadForm } from "../_components/batch-upload-form";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("redEnvelopes");

export default async function BatchesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireCapability("redEnvelopes.manage");
  const t = await getTranslations("redEnvelopeBatches");
  const tr = await getTranslations("redEnvelopes");
  const f = redEnvelopeBatchListSchema.parse(await searchParams);
  const { rows: batches, count, page, perPage } = await listBatches(f);
  return (
    <div className="space-y-6">
      <Link href="/red-envelopes" className="text-sm text-indigo-700">
        {tr("back")}
      </Link>
      <h1 className="text-2xl font-semibold">{t("title")}</h1>
      <BatchUploadForm />
      <section className="space-y-2">
        <div className="flex items-baseline justify-between gap-3">
          <h2 className="font-semibold">{t("recent")}</h2>
          <span className="text-sm text-slate-600" data-testid="batches-count">
            {t("count", { count })}
          </span>
        </div>
        <ListTable
          testId="batches-table"
          empty={batches.length === 0 ? t("none") : null}
          head={[
            { label: t("createdAt") },
            { label: t("fileName") },
            { label: t("rows"), right: true },
            { label: t("invalid"), right: true },
            { label: t("total"), right: true },
            { label: tr("status") },
          ]}
        >
          {batches.map((b) => (
            <tr key={b.id} className="border-t border-slate-100">
              <td className="whitespace-nowrap px-3 py-2">{formatShanghai(new Date(b.createdAt))}</td>
              <td className="px-3 py-2">
                <Link href={`/red-envelopes/batches/${b.id}`} className="text-indigo-700">
                  {b.fileName}
                </Link>
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{b.rowCount}</td>
              <td className="px-3 py-2 text-right tabular-nums">{b.invalidCount}</td>
              <td className="px-3 py-2 text-right tabular-nums">{formatMoney(b.totalAmount)}</td>
              <td className="px-3 py-2">{t(`status.${b.status}`)}</td>
            </tr>
          ))}
        </ListTable>
        <Pager
          page={page}
          pages={Math.ceil(count / perPage)}
          filters={{}}
          labels={{ prev: tr("prev"), next: tr("next") }}
        />
      </section>
    </div>
  );
}
