"use client";
import { useTranslations } from "next-intl";
import type { SettlementTransactionView } from "@/lib/services/settlement-view";
import { formatMoney } from "@/lib/money";
import { ListTable } from "@/components/ui/list";
import { StatusBadge } from "./status-badge";

/** Royalty transactions (分润明细): a preview's payouts, or a settlement's with status and failure message. */
export function TransactionsTable({
  rows,
  withStatus = false,
}: {
  rows: SettlementTransactionView[];
  withStatus?: boolean;
}) {
  const t = useTranslations("settlements");
  const ts = useTranslations("royaltyTransactionStatus");
  const head = [{ label: t("settleAccount") }, { label: t("sourceUser") }, { label: t("amount"), right: true }];
  return (
    <ListTable
      testId="royalty-transactions"
      empty={rows.length === 0 ? t("noTransactions") : null}
      head={withStatus ? [...head, { label: t("status") }, { label: t("failureMsg") }] : head}
    >
      {rows.map((r, i) => (
        <tr key={r.id ?? i} className="border-t border-slate-100" data-testid="royalty-transaction">
          <td className="px-3 py-2 font-mono text-xs">{r.settleAccount}</td>
          <td className="px-3 py-2">{r.sourceUser}</td>
          <td className="px-3 py-2 text-right tabular-nums">{formatMoney(r.amount)}</td>
          {withStatus ? (
            <>
              <td className="px-3 py-2">
                <StatusBadge status={r.status} label={ts(r.status)} />
              </td>
              <td className="px-3 py-2 text-rose-700">{r.failureMsg}</td>
            </>
          ) : null}
        </tr>
      ))}
    </ListTable>
  );
}
