// Charge refunds: created `pending`, completed `succeeded` by a delayed job that fires `refund.succeeded`.
import { z } from "zod";
import { publicView, type Engine } from "../engine";
import { listEnvelope } from "../list";
import type { Router } from "../router";
import type { Charge, Json, Refund } from "../types";
import { badRequest, newId, newTransactionNo, notFound, validate } from "../util";
import { chars, metadataSchema, positiveFen } from "./common";
import { getCharge } from "./charges";
import { FUNDING_SOURCES, isWechatChannel } from "../../pingpp/limits";

export const renderRefund = (re: Refund) => publicView(re);

const createSchema = z.object({
  amount: positiveFen("amount").optional(),
  description: chars("description", 255),
  metadata: metadataSchema.optional(),
  funding_source: z
    .enum(FUNDING_SOURCES, {
      error: `funding_source 只能是 ${FUNDING_SOURCES.join(" 或 ")} (funding_source must be ${FUNDING_SOURCES.join(" or ")})`,
    })
    .optional(),
});

export interface RefundInput {
  amount?: number;
  description: string;
  metadata?: Record<string, unknown>;
  funding_source?: string;
  orderId?: string;
}

/** amount − sum of refunds that have not failed */
export function refundable(e: Engine, ch: Charge): number {
  const used = Object.values(e.s.refunds)
    .filter((r) => r.charge === ch.id && r.status !== "failed")
    .reduce((n, r) => n + r.amount, 0);
  return ch.amount - used;
}

/** `funding_source` is a WeChat Pay refund option: refused for a charge of any other channel. */
export function checkFundingSource(ch: Charge, fundingSource: string | undefined): void {
  if (fundingSource !== undefined && !isWechatChannel(ch.channel)) {
    throw badRequest(
      `funding_source 仅适用于微信支付渠道，${ch.channel} 不支持 (funding_source applies to WeChat channels only, not ${ch.channel})`,
      "funding_source",
    );
  }
}

export function createRefund(e: Engine, ch: Charge, input: RefundInput, request: string | null): Refund {
  checkFundingSource(ch, input.funding_source);
  if (!ch.paid)
    throw badRequest(
      "Charge 未支付，无法退款 (Charge is not paid, nothing to refund)",
      undefined,
      "charge_unexpected_status",
    );
  const left = refundable(e, ch);
  if (left <= 0)
    throw badRequest(
      "Charge 已全额退款 (Charge has already been fully refunded)",
      "amount",
      "refund_unexpected_status",
    );
  const amount = input.amount ?? left;
  if (amount > left) {
    throw badRequest(
      `退款金额 ${amount} 超过可退金额 ${left} (Refund amount exceeds the refundable amount ${left})`,
      "amount",
    );
  }
  const id = newId("re_");
  const re: Refund = {
    id,
    object: "refund",
    order_no: id.slice(3),
    amount,
    created: e.now(),
    livemode: false,
    succeed: false,
    status: "pending",
    time_succeed: null,
    description: input.description,
    failure_code: null,
    failure_msg: null,
    metadata: (input.metadata ?? {}) as Record<string, Json>,
    charge: ch.id,
    charge_order_no: ch.order_no,
    transaction_no: null,
    funding_source: input.funding_source ?? null,
    extra: {},
  };
  if (request) re._request = request;
  e.s.refunds[id] = re;
  ch.refunded = true;
  const order = e.s.orders[input.orderId ?? ch._order ?? ""];
  if (order) {
    re._order = order.id;
    order.refunded = true;
    order.status = "refunded";
  }
  e.addJob("refund.succeed", id, e.cfg.refundDelayMs);
  e.save();
  return re;
}

function completeRefund(e: Engine, id: string): void {
  const re = e.s.refunds[id];
  const ch = re ? e.s.charges[re.charge] : undefined;
  if (!re || !ch || re.status !== "pending") return;
  re.status = "succeeded";
  re.succeed = true;
  re.time_succeed = e.now();
  re.transaction_no = newTransactionNo();
  ch.amount_refunded += re.amount;
  e.emit("refund.succeeded", renderRefund(re), re._request ?? null);
  for (const l of e.refundSucceeded) l(re, re._request ?? null);
}

export function registerRefunds(r: Router, e: Engine): void {
  e.onJob("refund.succeed", (id) => completeRefund(e, id));
  e.addFinder((id) => (e.s.refunds[id] ? renderRefund(e.s.refunds[id]) : undefined));

  r.post("/v1/charges/:id/refunds", (req) => {
    const ch = getCharge(e, req.params.id ?? "");
    const p = validate(createSchema, req.body);
    return renderRefund(createRefund(e, ch, p, req.requestId));
  });

  // Simulation: the channel refuses a pending refund (no event: Ping++ documents no refund.failed).
  r.post("/_sim/refunds/:id/fail", (req) => {
    const re = e.s.refunds[req.params.id ?? ""];
    if (!re) throw notFound("refund", req.params.id ?? "");
    if (re.status !== "pending") throw badRequest(`退款状态为 ${re.status} (Refund is ${re.status})`);
    re.status = "failed";
    re.failure_code = typeof req.body.code === "string" ? req.body.code : "REFUND_FAILED";
    re.failure_msg =
      typeof req.body.message === "string"
        ? req.body.message
        : "退款失败：原支付账户已注销 (Refund failed: the paying account is closed)";
    e.save();
    return renderRefund(re);
  });

  r.get("/v1/charges/:id/refunds", (req) => {
    const ch = getCharge(e, req.params.id ?? "");
    return listEnvelope(Object.values(e.s.refunds), {
      url: `/v1/charges/${ch.id}/refunds`,
      style: "cursor",
      query: req.query,
      filter: (x) => x.charge === ch.id,
      render: renderRefund,
    });
  });

  r.get("/v1/charges/:id/refunds/:re", (req) => {
    const ch = getCharge(e, req.params.id ?? "");
    const re = e.s.refunds[req.params.re ?? ""];
    if (!re || re.charge !== ch.id) throw notFound("refund", req.params.re ?? "");
    return renderRefund(re);
  });
}
