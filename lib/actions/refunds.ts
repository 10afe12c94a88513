"use server";
import { authedAction } from "./safe-action";
import {
  approveRefund,
  refreshRefund,
  refundCharge,
  refundOrder,
  rejectRefund,
  withdrawRefund,
} from "../services/refunds";
import { refundDecisionSchema, refundWithdrawSchema } from "../validations/refund-approval";
import { refundChargeSchema, refundIdSchema, refundOrderSchema } from "../validations/refunds";
import type { RefundRow } from "../db/schema";

/** What a form needs back: never the Ping++ object. */
const summary = (r: RefundRow) => ({ id: r.id, pingppId: r.pingppId, status: r.status, amount: r.amount });

export const refundOrderAction = authedAction(
  "refunds.create",
  refundOrderSchema,
  async (input, actor) => summary(await refundOrder(actor, input)),
  { audit: "refund.create" },
);

export const refundChargeAction = authedAction(
  "refunds.create",
  refundChargeSchema,
  async (input, actor) => summary(await refundCharge(actor, input)),
  { audit: "refund.create" },
);

export const refreshRefundAction = authedAction("refunds.create", refundIdSchema, async ({ id }, actor) =>
  summary(await refreshRefund(actor, id)),
);

// Approval (issue 17): the service refuses the requester, and audits every attempt.
export const approveRefundAction = authedAction(
  "refunds.decide",
  refundDecisionSchema,
  async ({ id, note }, actor) => summary(await approveRefund(actor, id, note)),
  { audit: "refund.approve" },
);

export const rejectRefundAction = authedAction(
  "refunds.decide",
  refundDecisionSchema,
  async ({ id, note }, actor) => summary(await rejectRefund(actor, id, note)),
  { audit: "refund.reject" },
);

export const withdrawRefundAction = authedAction(
  "refunds.decide",
  refundWithdrawSchema,
  async ({ id, note }, actor) => summary(await withdrawRefund(actor, id, note)),
  { audit: "refund.withdraw" },
);
