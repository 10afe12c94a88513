"use server";
import { authedAction } from "./safe-action";
import { FINANCE_ROLES } from "../auth/session";
import { refreshRefund, refundCharge, refundOrder } from "../services/refunds";
import { refundChargeSchema, refundIdSchema, refundOrderSchema } from "../validations/refunds";
import type { RefundRow } from "../db/schema";

/** What a form needs back: never the Ping++ object. */
const summary = (r: RefundRow) => ({ id: r.id, pingppId: r.pingppId, status: r.status, amount: r.amount });

export const refundOrderAction = authedAction(FINANCE_ROLES, refundOrderSchema, async (input, actor) => summary(await refundOrder(actor, input)), { audit: "refund.create" });

export const refundChargeAction = authedAction(FINANCE_ROLES, refundChargeSchema, async (input, actor) => summary(await refundCharge(actor, input)), { audit: "refund.create" });

export const refreshRefundAction = authedAction(FINANCE_ROLES, refundIdSchema, async ({ id }, actor) => summary(await refreshRefund(actor, id)));
