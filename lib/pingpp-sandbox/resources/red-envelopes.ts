// Red envelopes (红包). Test-mode quirk: each retrieve advances sending → sent → received and fires the event.
import { z } from "zod";
import { publicView, type Engine } from "../engine";
import { listEnvelope } from "../list";
import type { Router } from "../router";
import type { Json, RedEnvelope } from "../types";
import { badRequest, byteLength, newId, newTransactionNo, notFound, qString, validate } from "../util";
import { metadataSchema, positiveFen } from "./common";

const bytes = (param: string, max: number, min = 1) =>
  z
    .string()
    .refine((s) => byteLength(s) >= min, `${param} 不能为空 (${param} must not be empty)`)
    .refine((s) => byteLength(s) <= max, `${param} 不能超过 ${max} 字节 (${param}: at most ${max} bytes)`);

const createSchema = z.object({
  app: z.object({ id: z.string().min(1) }),
  channel: z.literal("wx_pub", { error: "红包只支持 wx_pub 渠道 (channel must be wx_pub)" }),
  order_no: z.string().regex(/^\d{1,28}$/, "order_no 必须是 1-28 位数字 (order_no: 1-28 digits)"),
  amount: positiveFen("amount"),
  currency: z.literal("cny", { error: "currency 只支持 cny (currency must be cny)" }),
  recipient: z.string().min(1).max(128),
  subject: bytes("subject", 32),
  body: bytes("body", 128),
  description: bytes("description", 255, 0).optional(),
  extra: z.looseObject({
    send_name: bytes("extra[send_name]", 32),
    scene_id: z
      .string()
      .regex(/^PRODUCT_[1-8]$/, "scene_id 只能是 PRODUCT_1 到 PRODUCT_8 (scene_id must be PRODUCT_1..PRODUCT_8)")
      .optional(),
  }),
  metadata: metadataSchema.optional(),
});

export const renderRedEnvelope = (r: RedEnvelope) => publicView(r);

function getEnvelope(e: Engine, id: string): RedEnvelope {
  const r = e.s.redEnvelopes[id];
  if (!r) throw notFound("red_envelope", id);
  return r;
}

/** sending → sent (fires red_envelope.sent) */
export function markSent(e: Engine, r: RedEnvelope, request: string | null): void {
  if (r.status !== "sending") throw badRequest(`红包状态为 ${r.status} (Red envelope is ${r.status})`);
  r.status = "sent";
  r.transaction_no = newTransactionNo().slice(0, 28);
  e.emit("red_envelope.sent", renderRedEnvelope(r), request);
  // unclaimed for 24 h (time-scaled): the money goes back to the merchant
  e.addJob("red_envelope.refund", r.id, UNCLAIMED_REFUND_MS * e.cfg.timeScale);
}

/** How long a sent envelope waits for its recipient before WeChat refunds it. */
export const UNCLAIMED_REFUND_MS = 24 * 3600 * 1000;

/**
 * sent → refunding → refund, with `refunded` set (Ping++ documents no event for it). A
 * received (or failed) envelope is left alone. The console sees it on its next retrieve.
 */
export function refundUnclaimed(e: Engine, r: RedEnvelope): void {
  if (r.status !== "sent") throw badRequest(`红包状态为 ${r.status}，无法退回 (Red envelope is ${r.status})`);
  r.status = "refund"; // through "refunding", which no retrieve of the sandbox can observe
  r.refunded = e.now();
  e.save();
}

/** sent → received (fires red_envelope.received); a `sending` one is sent first */
export function markReceived(e: Engine, r: RedEnvelope, request: string | null): void {
  if (r.status === "sending") markSent(e, r, request);
  if (r.status !== "sent") throw badRequest(`红包状态为 ${r.status}，无法领取 (Red envelope is ${r.status})`);
  r.status = "received";
  r.received = e.now();
  e.emit("red_envelope.received", renderRedEnvelope(r), request);
}

export function markFailed(e: Engine, r: RedEnvelope, message?: string): void {
  if (r.status !== "sending") throw badRequest(`红包状态为 ${r.status}，无法置为失败 (Red envelope is ${r.status})`);
  r.status = "failed";
  r.failure_msg = message ?? "发放失败：用户未关注公众号 (Sending failed)";
  e.save();
}

export function registerRedEnvelopes(r: Router, e: Engine): void {
  e.onJob("red_envelope.refund", (id) => {
    const env = e.s.redEnvelopes[id];
    if (env?.status === "sent") refundUnclaimed(e, env);
  });
  e.addFinder((id) => (e.s.redEnvelopes[id] ? renderRedEnvelope(e.s.redEnvelopes[id]) : undefined));

  r.post("/v1/red_envelopes", (req) => {
    const p = validate(createSchema, req.body);
    e.checkApp(p.app.id, "app[id]");
    const scene = p.extra.scene_id;
    if (!scene && (p.amount < 100 || p.amount > 20_000)) {
      throw badRequest(
        "红包金额须在 100 到 20000 分之间；超出范围需设置 extra[scene_id] (amount must be 100-20000 fen unless extra[scene_id] is set)",
        "amount",
      );
    }
    if (p.amount > 499_900)
      throw badRequest("红包金额不能超过 499900 分 (amount must not exceed 499900 fen)", "amount");
    if (Object.values(e.s.redEnvelopes).some((x) => x.app === p.app.id && x.order_no === p.order_no)) {
      throw badRequest(`订单号 order_no 已被使用: ${p.order_no} (order_no has already been used)`, "order_no");
    }
    const extra: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.extra))
      if (v !== undefined && v !== null) extra[k] = typeof v === "string" ? v : JSON.stringify(v);
    const env: RedEnvelope = {
      id: newId("red_"),
      object: "red_envelope",
      created: e.now(),
      received: null,
      refunded: null,
      livemode: false,
      status: "sending",
      app: p.app.id,
      channel: p.channel,
      order_no: p.order_no,
      transaction_no: null,
      amount: p.amount,
      amount_settle: p.amount,
      currency: p.currency,
      recipient: p.recipient,
      subject: p.subject,
      body: p.body,
      description: p.description ?? "",
      failure_msg: null,
      extra,
      metadata: (p.metadata ?? {}) as Record<string, Json>,
    };
    e.s.redEnvelopes[env.id] = env;
    e.save();
    return renderRedEnvelope(env);
  });

  r.get("/v1/red_envelopes/:id", (req) => {
    const env = getEnvelope(e, req.params.id ?? "");
    // test-mode: the state refreshes (and the webhook fires) only when retrieved
    if (env.status === "sending") markSent(e, env, req.requestId);
    else if (env.status === "sent") markReceived(e, env, req.requestId);
    return renderRedEnvelope(env);
  });

  r.get("/v1/red_envelopes", (req) => {
    const app = req.query.app;
    const appId = app && typeof app === "object" && !Array.isArray(app) ? app.id : qString(req.query, "app");
    return listEnvelope(Object.values(e.s.redEnvelopes), {
      url: "/v1/red_envelopes",
      style: "cursor",
      query: req.query,
      filter: (x) => appId === undefined || x.app === appId,
      render: renderRedEnvelope,
    });
  });
}
