// Charges: create (QR channels), retrieve, list, reverse; paying is done by the simulator (or isv_scan at once).
import { z } from "zod";
import { publicView, type Engine } from "../engine";
import { embeddedList, listEnvelope } from "../list";
import type { Router } from "../router";
import type { Charge, Json, Order } from "../types";
import {
  badRequest,
  channelError,
  newId,
  newTransactionNo,
  notFound,
  qBool,
  qString,
  randomDigits,
  validate,
  type Query,
} from "../util";
import { chars, metadataSchema, positiveFen } from "./common";
import { ISV_TERMINAL_ID_MAX, ISV_TERMINAL_ID_PATTERN, SCAN_CODE_MAX } from "../../pingpp/limits";
import { renderRefund } from "./refunds";

/** The SDK's limits (lib/pingpp/limits.ts, shared with the client and the cashier form). */
const terminalId = z
  .string()
  .regex(
    ISV_TERMINAL_ID_PATTERN,
    `terminal_id 必须是 1-${ISV_TERMINAL_ID_MAX} 位英文或数字 (terminal_id: 1-${ISV_TERMINAL_ID_MAX} letters or digits)`,
  );
const scanCode = chars("scan_code", SCAN_CODE_MAX);
const goodsList = z
  .array(z.looseObject({ goods_name: z.string().min(1), goods_num: z.union([z.string(), z.number()]) }))
  .min(1);
const payChannel = z.enum(["alipay", "wx", "bfb"], {
  error: "pay_channel 只能是 alipay、wx 或 bfb (pay_channel must be alipay, wx or bfb)",
});

interface ChannelRule {
  extra: z.ZodType;
  /** may be reversed (撤销) while unpaid (API.md §2.1) */
  reversible: boolean;
  /** may be reversed even when paid, on the day it was paid, unless it pays an Order (API.md §2.1: isv_*) */
  reversibleWhenPaid?: boolean;
  /** default lifetime, seconds */
  ttl: number;
}

const DAY = 86_400;
/** Two unix times on the same calendar day in China (UTC+8, no DST). */
const sameShanghaiDay = (a: number | null, b: number) =>
  a !== null && Math.floor((a + 8 * 3600) / DAY) === Math.floor((b + 8 * 3600) / DAY);

export const CHANNELS: Record<string, ChannelRule> = {
  alipay_qr: { extra: z.looseObject({}), reversible: true, ttl: DAY },
  wx_pub_qr: {
    extra: z.looseObject({
      product_id: z.string().min(1).max(32),
      limit_pay: z.literal("no_credit").optional(),
      goods_tag: z.string().optional(),
    }),
    reversible: true,
    ttl: 2 * 3600,
  },
  cb_alipay_qr: { extra: z.looseObject({}), reversible: false, ttl: DAY },
  cb_wx_pub_qr: {
    extra: z.looseObject({
      product_id: z.string().min(1).max(32),
      goods_list: goodsList,
      limit_pay: z.literal("no_credit").optional(),
    }),
    reversible: false,
    ttl: 2 * 3600,
  },
  upacp_qr: { extra: z.looseObject({ result_url: z.string().optional() }), reversible: false, ttl: DAY },
  ccb_qr: { extra: z.looseObject({ pos_id: z.string().optional() }), reversible: false, ttl: DAY },
  isv_qr: {
    extra: z.looseObject({ terminal_id: terminalId, pay_channel: payChannel }),
    reversible: true,
    reversibleWhenPaid: true,
    ttl: DAY,
  },
  isv_scan: {
    extra: z.looseObject({ terminal_id: terminalId, scan_code: scanCode, goods_list: goodsList.optional() }),
    reversible: true,
    reversibleWhenPaid: true,
    ttl: DAY,
  },
  isv_wap: {
    extra: z.looseObject({ terminal_id: terminalId, pay_channel: payChannel, result_url: z.string().min(1) }),
    reversible: true,
    reversibleWhenPaid: true,
    ttl: DAY,
  },
};

const channelSchema = z.string().refine((c) => c in CHANNELS, {
  error: `不支持的支付渠道，可用: ${Object.keys(CHANNELS).join(", ")} (Unsupported channel)`,
});

const createSchema = z.object({
  order_no: z
    .string()
    .regex(/^[0-9a-zA-Z]{1,64}$/, "order_no 只能由 1-64 位字母和数字组成 (order_no: 1-64 alphanumerics)"),
  app: z.object({ id: z.string().min(1) }),
  channel: channelSchema,
  amount: positiveFen("amount"),
  currency: z.string().regex(/^[a-z]{3}$/, "currency 无效 (Invalid currency)"),
  client_ip: z.string().min(1).max(64),
  subject: chars("subject", 32),
  body: chars("body", 128),
  extra: z.record(z.string(), z.unknown()).optional(),
  time_expire: z.number().int().optional(),
  metadata: metadataSchema.optional(),
  description: chars("description", 255, 0).nullable().optional(),
});

export type ChargeInput = {
  order_no: string;
  app: string;
  channel: string;
  amount: number;
  currency: string;
  client_ip: string;
  subject: string;
  body: string;
  extra?: Record<string, unknown>;
  time_expire?: number;
  metadata?: Record<string, unknown>;
  description?: string | null;
};

export function renderCharge(e: Engine, ch: Charge): Record<string, unknown> {
  const refunds = Object.values(e.s.refunds).filter((r) => r.charge === ch.id);
  return { ...publicView(ch), refunds: embeddedList(`/v1/charges/${ch.id}/refunds`, refunds, renderRefund) };
}

/** `expand[]=app` (or `expand=app`) turns `app` into an object. */
function expandApp(query: Query, obj: Record<string, unknown>): Record<string, unknown> {
  const ex = query.expand;
  const wants = ex === "app" || (Array.isArray(ex) && ex.includes("app"));
  return wants ? { ...obj, app: { id: obj.app, object: "app", livemode: false, display_name: "Ping++ Sandbox" } } : obj;
}

export function getCharge(e: Engine, id: string): Charge {
  const ch = e.s.charges[id];
  if (!ch) throw notFound("charge", id);
  return ch;
}

/** Validate channel rules and create a charge (also used by `POST /orders/{id}/pay`). */
export function createCharge(e: Engine, input: ChargeInput, request: string | null, order?: Order): Charge {
  const rule = CHANNELS[input.channel];
  if (!rule) throw badRequest(`不支持的支付渠道: ${input.channel} (Unsupported channel)`, "channel");
  const extra = validate(z.object({ extra: rule.extra }), { extra: input.extra ?? {} }).extra as Record<string, Json>;
  if (input.channel.startsWith("cb_") ? false : input.currency !== "cny") {
    throw badRequest(`该渠道只支持人民币 cny (Channel ${input.channel} only supports cny)`, "currency");
  }
  const now = e.now();
  if (input.time_expire !== undefined && (input.time_expire < now + 60 || input.time_expire > now + 15 * DAY)) {
    throw badRequest(
      "time_expire 必须在 1 分钟到 15 天之后 (time_expire must be 1 minute to 15 days from now)",
      "time_expire",
    );
  }
  const id = newId("ch_");
  const scan = input.channel === "isv_scan";
  if (scan && String(extra.scan_code).toLowerCase().startsWith("fail")) {
    throw channelError(
      "支付失败：付款码无效或用户余额不足 (Payment failed: invalid scan code or insufficient balance)",
      "channel_request_error",
    );
  }
  const ch: Charge = {
    id,
    object: "charge",
    created: now,
    livemode: false,
    paid: false,
    refunded: false,
    reversed: false,
    app: input.app,
    channel: input.channel,
    order_no: input.order_no,
    client_ip: input.client_ip,
    amount: input.amount,
    amount_settle: input.amount,
    currency: input.currency,
    subject: input.subject,
    body: input.body,
    extra,
    time_paid: null,
    time_expire: input.time_expire ?? now + rule.ttl,
    time_settle: null,
    transaction_no: null,
    amount_refunded: 0,
    failure_code: null,
    failure_msg: null,
    metadata: (input.metadata ?? {}) as Record<string, Json>,
    credential: scan ? {} : { object: "credential", [input.channel]: `${e.cfg.publicUrl()}/pay/${id}` },
    description: input.description ?? null,
  };
  if (order) ch._order = order.id;
  e.s.charges[id] = ch;
  if (scan) {
    const code = String(extra.scan_code);
    payCharge(e, ch, request, { pay_channel: code.startsWith("28") ? "alipay" : "wx" });
  }
  e.save();
  return ch;
}

/** Why a charge cannot be paid now, or null. */
export function payRefusal(e: Engine, ch: Charge): string | null {
  if (ch.paid) return "Charge 已支付 (Charge already paid)";
  if (ch.reversed) return "Charge 已撤销，无法支付 (Charge has been reversed)";
  if (ch.time_expire < e.now()) return "Charge 已过期，无法支付 (Charge has expired)";
  // An order's charge expires with its order (and one made before that rule, too).
  const o = ch._order ? e.s.orders[ch._order] : undefined;
  if (o && (o._expired || (o.status === "created" && !o.paid && o.time_expire < e.now())))
    return "订单已过期，无法支付 (The order has expired)";
  return null;
}

/** Mark paid and fire `charge.succeeded` (and, through listeners, `order.succeeded`). */
export function payCharge(e: Engine, ch: Charge, request: string | null, extra: Record<string, Json> = {}): void {
  const why = payRefusal(e, ch);
  if (why) throw badRequest(why, undefined, "charge_unexpected_status");
  ch.paid = true;
  ch.time_paid = e.now();
  ch.transaction_no = newTransactionNo();
  ch.failure_code = null;
  ch.failure_msg = null;
  ch.extra = {
    ...ch.extra,
    buyer_account:
      ch.channel.includes("wx") || extra.pay_channel === "wx"
        ? "o9zpMs" + randomDigits(22)
        : "133****" + randomDigits(4),
    ...(ch.channel.startsWith("isv_") ? { channel_discount: 0, merchant_discount: 0 } : {}),
    ...extra,
  };
  ch.credential = {};
  e.emit("charge.succeeded", renderCharge(e, ch), request);
  for (const l of e.chargePaid) l(ch, request);
  e.save();
}

export function registerCharges(r: Router, e: Engine): void {
  e.addFinder((id) => (e.s.charges[id] ? renderCharge(e, e.s.charges[id]) : undefined));

  r.post("/v1/charges", (req) => {
    const p = validate(createSchema, req.body);
    e.checkApp(p.app.id, "app[id]");
    const same = Object.values(e.s.charges).find((c) => c.app === p.app.id && c.order_no === p.order_no && !c._order);
    if (same) {
      const identical =
        same.channel === p.channel && same.amount === p.amount && same.subject === p.subject && same.body === p.body;
      if (identical && e.now() - same.created <= 60) return renderCharge(e, same);
      throw badRequest(`订单号 order_no 已被使用: ${p.order_no} (order_no has already been used)`, "order_no");
    }
    const ch = createCharge(e, { ...p, app: p.app.id }, req.requestId);
    return renderCharge(e, ch);
  });

  r.get("/v1/charges/:id", (req) => expandApp(req.query, renderCharge(e, getCharge(e, req.params.id ?? ""))));

  r.get("/v1/charges", (req) => {
    const app = req.query.app;
    const appId = app && typeof app === "object" && !Array.isArray(app) ? app.id : undefined;
    if (typeof appId !== "string" || !appId) {
      throw badRequest("缺少参数: app[id] (Please pass app[id] as a query parameter)", "app[id]");
    }
    const channel = qString(req.query, "channel");
    const paid = qBool(req.query, "paid");
    const refunded = qBool(req.query, "refunded");
    const reversed = qBool(req.query, "reversed");
    return listEnvelope(Object.values(e.s.charges), {
      url: "/v1/charges",
      style: "cursor",
      query: req.query,
      filter: (c) =>
        c.app === appId &&
        (channel === undefined || c.channel === channel) &&
        (paid === undefined || c.paid === paid) &&
        (refunded === undefined || c.refunded === refunded) &&
        (reversed === undefined || c.reversed === reversed),
      render: (c) => expandApp(req.query, renderCharge(e, c)),
    });
  });

  r.post("/v1/charges/:id/reverse", (req) => {
    const ch = getCharge(e, req.params.id ?? "");
    if (ch.reversed) return renderCharge(e, ch);
    if (!CHANNELS[ch.channel]?.reversible) {
      throw badRequest(
        `渠道 ${ch.channel} 不支持撤销 (Charges of channel ${ch.channel} cannot be reversed)`,
        undefined,
        "charge_unexpected_status",
      );
    }
    if (
      ch.paid &&
      !(CHANNELS[ch.channel]?.reversibleWhenPaid && !ch._order && sameShanghaiDay(ch.time_paid, e.now()))
    ) {
      throw badRequest(
        "Charge 已支付，不能撤销，请使用退款 (A paid charge cannot be reversed; refund it instead)",
        undefined,
        "charge_unexpected_status",
      );
    }
    ch.reversed = true;
    ch.credential = {};
    e.save();
    return renderCharge(e, ch);
  });
}
