import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getTranslations } from "next-intl/server";
import { can, requireCapability } from "@/lib/auth/session";
import { getOrder } from "@/lib/services/orders";
import { isAppError } from "@/lib/services/errors";
import { cancelOrderAction, refreshOrderAction } from "@/lib/actions/orders";
import { refundOrderAction } from "@/lib/actions/refunds";
import { fenToDecimal, formatMoney } from "@/lib/money";
import { formatShanghai } from "@/lib/dates";
import { Alert } from "@/components/ui/alert";
import { ActionButton } from "@/components/orders/action-button";
import { RefundForm } from "@/components/orders/refund-form";
import { Facts, RawObject, StatusBadge } from "@/components/orders/list-parts";
import { RefundTable } from "@/components/orders/refund-table";
import { ListTable } from "@/components/ui/list";
import { AutoRefresh } from "@/components/orders/auto-refresh";
import { ObjectEvents } from "@/components/events/object-events";
import { RefundedAmount, RefundStateBadges } from "@/components/ui/refund-state";
import { navTitle } from "@/lib/i18n/page-title";

export const generateMetadata = navTitle("orders");

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireCapability("orders.read");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const t = await getTranslations();
  const d = await getOrder(actor, id).catch((e) => {
    if (isAppError(e)) notFound();
    throw e;
  });
  const { row, anomaly } = d;
  const money = (fen: number) => formatMoney(fen, row.currency);
  const may = {
    refund: can(actor.role, "refunds.create"),
    manage: can(actor.role, "orders.manage"),
    refunds: can(actor.role, "refunds.read"),
    decide: can(actor.role, "refunds.decide"),
    raw: can(actor.role, "objects.raw"),
  };
  const excessCharge = [...d.charges].sort((a, b) => b.remainder - a.remainder)[0];
  return (
    <div className="space-y-5">
      <AutoRefresh active={d.refunds.some((r) => r.status === "pending" || r.status === "creating")} />
      <Link href="/orders" className="text-sm text-indigo-600 hover:underline">
        ← {t("orders.back")}
      </Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{t("orders.detail")}</h1>
        <span className="font-mono text-sm" data-testid="order-id">
          {row.pingppId}
        </span>
        <StatusBadge status={d.shownStatus}>{t(`orderStatus.${d.shownStatus}`)}</StatusBadge>
        <RefundStateBadges refund={d.refund} currency={row.currency} testId="order-refund-state" pendingOnly />
      </div>

      {anomaly ? (
        <div
          data-testid="order-anomaly"
          className="space-y-2 rounded-lg border border-rose-200 bg-rose-50 p-4 text-rose-900"
        >
          <p className="font-semibold">{t(`orders.anomaly.${anomaly.kind}`)}</p>
          <p>{t("orders.anomaly.excess", { amount: money(anomaly.excess) })}</p>
          {may.refund ? (
            <ActionButton
              action={refundOrderAction}
              input={{
                orderId: row.id,
                chargeId: excessCharge?.id,
                amount: fenToDecimal(Math.min(anomaly.excess, excessCharge?.remainder ?? 0)).replace(/,/g, ""),
                description: t(
                  anomaly.kind === "paidTwice"
                    ? "orders.anomaly.reasonPaidTwice"
                    : "orders.anomaly.reasonPaidAfterCancel",
                ),
              }}
              label={t("orders.anomaly.refundExcess", {
                amount: money(Math.min(anomaly.excess, excessCharge?.remainder ?? 0)),
              })}
              busyLabel={t("refunds.submitting")}
              confirm={{
                title: t("orders.anomaly.confirm", {
                  amount: money(Math.min(anomaly.excess, excessCharge?.remainder ?? 0)),
                }),
                danger: true,
              }}
              variant="danger"
              testId="refund-excess"
            />
          ) : null}
        </div>
      ) : null}

      {may.manage ? (
        <div className="flex flex-wrap gap-3">
          {row.status === "created" && !row.paid ? (
            <ActionButton
              action={cancelOrderAction}
              input={{ id: row.id }}
              label={t("orders.cancel")}
              busyLabel={t("orders.canceling")}
              done="orders.canceledOk"
              confirm={{
                title: t("orders.cancel"),
                body: t("orders.confirmCancel", { amount: money(row.actualAmount) }),
                danger: true,
              }}
              variant="danger"
              testId="cancel-order"
            />
          ) : null}
          <ActionButton
            action={refreshOrderAction}
            input={{ id: row.id }}
            label={t("orders.refresh")}
            busyLabel={t("orders.syncing")}
            done="orders.refreshed"
          />
        </div>
      ) : (
        <Alert>{t("orders.readOnly")}</Alert>
      )}

      <Facts
        items={[
          [t("orders.merchantOrderNo"), row.merchantOrderNo],
          [t("orders.uid"), row.uid],
          [t("orders.channel"), row.channel ? t(`channels.${row.channel}` as never) : null],
          [t("orders.amount"), money(row.amount)],
          [t("orders.actualAmount"), money(row.actualAmount)],
          [
            t("orders.amountPaid"),
            <span key="p" data-testid="amount-paid">
              {money(row.amountPaid)}
            </span>,
          ],
          [
            t("orders.amountRefunded"),
            <RefundedAmount key="r" refund={d.refund} currency={row.currency} testId="amount-refunded" />,
          ],
          [t("orders.subject"), row.subject],
          [t("orders.body"), row.body],
          [t("orders.terminal"), row.terminalId],
          [t("orders.created"), formatShanghai(row.createdAt)],
          [t("orders.timePaid"), row.timePaid ? formatShanghai(row.timePaid) : null],
          [t("orders.timeExpire"), row.timeExpire ? formatShanghai(row.timeExpire) : null],
        ]}
      />

      <section className="space-y-2">
        <h2 className="font-semibold">{t("orders.charges")}</h2>
        <ListTable
          testId="order-charges"
          empty={d.charges.length === 0 ? t("orders.noCharges") : null}
          head={[
            { label: t("orders.chargeId") },
            { label: t("orders.channel") },
            { label: t("orders.amount"), right: true },
            { label: t("orders.timePaid") },
            { label: t("orders.amountRefunded"), right: true },
            { label: t("orders.remainder"), right: true },
          ]}
        >
          {d.charges.map((c) => (
            <tr key={c.id} className="border-t border-slate-100">
              <td className="px-3 py-2 font-mono text-xs">{c.id}</td>
              <td className="px-3 py-2">{t(`channels.${c.channel}` as never)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{money(c.amount)}</td>
              <td className="px-3 py-2">{c.timePaid ? formatShanghai(c.timePaid) : t("chargeStatus.pending")}</td>
              <td className="px-3 py-2 text-right tabular-nums">
                <RefundedAmount refund={c.refund} currency={c.currency} />
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{money(c.remainder)}</td>
            </tr>
          ))}
        </ListTable>
      </section>

      {may.refund && d.refundable > 0 ? (
        <section className="space-y-2">
          <h2 className="font-semibold">{t("refunds.new")}</h2>
          <RefundForm
            resetKey={`${d.refundable}-${d.refunds.length}`}
            orderId={row.id}
            charges={d.charges.map((c) => ({ id: c.id, channel: c.channel, remainder: c.remainder }))}
            currency={row.currency}
          />
        </section>
      ) : null}

      <section className="space-y-2">
        <h2 className="font-semibold">{t("orders.refunds")}</h2>
        <RefundTable rows={d.refunds} link={may.refunds} viewer={may.decide ? { id: actor.id } : undefined} />
      </section>

      <section className="space-y-2">
        <h2 className="font-semibold">{t("orders.timeline")}</h2>
        <ol className="space-y-1 rounded-lg bg-white p-4 text-sm shadow-sm" data-testid="order-timeline">
          {d.timeline.map((e, i) => (
            <li key={i}>
              <span className="tabular-nums text-slate-500">{formatShanghai(e.at)}</span> ·{" "}
              {t(`orders.events.${e.what}` as never)}
              {e.detail ? <span className="font-mono text-xs text-slate-500"> {e.detail}</span> : null}
            </li>
          ))}
        </ol>
      </section>

      <ObjectEvents objectId={row.pingppId} role={actor.role} />

      {may.raw ? <RawObject label={t("orders.raw")} value={row.raw} /> : null}
    </div>
  );
}
