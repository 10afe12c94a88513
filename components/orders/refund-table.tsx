import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { RefundRow } from "@/lib/db/schema";
import { formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { ListTable } from "@/components/ui/list";
import { StatusBadge } from "./list-parts";
import { RefundApproval } from "./refund-approval";

/**
 * The refunds of one order or charge (server component). `viewer`: a finance or admin user, who
 * gets approve / reject (or, for their own, withdraw) on refunds awaiting approval.
 */
export async function RefundTable({
  rows,
  link,
  viewer,
}: {
  rows: RefundRow[];
  link: boolean;
  viewer?: { id: string };
}) {
  const t = await getTranslations();
  return (
    <ListTable
      testId="order-refunds"
      empty={rows.length === 0 ? t("orders.noRefunds") : null}
      head={[
        { label: t("refunds.created") },
        { label: t("refunds.id") },
        { label: t("refunds.amount"), right: true },
        { label: t("refunds.reason") },
        { label: t("refunds.status") },
        { label: t("refunds.failure") },
      ]}
    >
      {rows.map((r) => (
        <tr key={r.id} className="border-t border-slate-100">
          <td className="whitespace-nowrap px-3 py-2">{formatShanghai(r.createdAt)}</td>
          <td className="px-3 py-2 font-mono text-xs">
            {link ? (
              <Link className="text-indigo-600 hover:underline" href={`/refunds/${r.id}`}>
                {r.pingppId ?? r.id}
              </Link>
            ) : (
              r.pingppId
            )}
          </td>
          <td className="px-3 py-2 text-right tabular-nums">{formatMoney(r.amount, r.currency)}</td>
          <td className="px-3 py-2">{r.description}</td>
          <td className="px-3 py-2">
            <StatusBadge status={r.status}>{t(`refundStatus.${r.status}`)}</StatusBadge>
          </td>
          <td className="px-3 py-2 text-rose-700">
            {r.failureMsg}
            {viewer && r.status === "awaiting_approval" ? (
              <RefundApproval id={r.id} amount={formatMoney(r.amount, r.currency)} mine={r.createdBy === viewer.id} />
            ) : null}
          </td>
        </tr>
      ))}
    </ListTable>
  );
}
