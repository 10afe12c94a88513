// Simulation controls under /_sim (not part of Ping++'s API) and the phone-friendly pay page.
import { z } from "zod";
import type { Engine } from "./engine";
import { getCharge, payCharge, payRefusal, renderCharge } from "./resources/charges";
import { cancelOrder, payOrder, renderOrder } from "./resources/orders";
import { markFailed, markReceived, refundUnclaimed, renderRedEnvelope } from "./resources/red-envelopes";
import { addRoyalty } from "./resources/royalties";
import { escapeHtml, formatAmount } from "./dashboard";
import { Reply, type Req, type Router } from "./router";
import { badRequest, notFound, qString, validate } from "./util";

export type FaultMode = "500" | "502_html" | "channel_error" | "timeout";

export interface SimControls {
  setFault(mode: FaultMode | null, count: number): void;
  setWebhookUrl(url: string): void;
  webhookUrl(): string | undefined;
}

const isForm = (req: Req) => String(req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded");

/** The phone-sized "scan to pay" page: `GET /pay/{id}` (what QR credentials encode), alias `GET /_sim/pay/{id}`. */
function payPage(e: Engine, id: string): string {
  const ch = e.s.charges[id];
  const body = (inner: string) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Ping++ 沙箱支付 / Sandbox payment</title>
<style>
body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;background:#f4f5f7;margin:0;padding:24px;color:#222}
.card{max-width:420px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 2px 8px rgba(0,0,0,.08);text-align:center}
.badge{display:inline-block;background:#f59e0b;color:#fff;border-radius:4px;padding:2px 8px;font-size:12px}
.amount{font-size:40px;font-weight:600;margin:16px 0}
.muted{color:#666;font-size:14px;word-break:break-all}
button{width:100%;padding:14px;border:0;border-radius:8px;font-size:18px;margin-top:16px;cursor:pointer}
.pay{background:#16a34a;color:#fff}.fail{background:#e5e7eb;color:#333;font-size:14px;padding:10px}
.ok{color:#16a34a;font-size:22px;margin-top:16px}.bad{color:#dc2626;font-size:18px;margin-top:16px}
</style></head><body><div class="card"><span class="badge">沙箱 SANDBOX</span>${inner}</div></body></html>`;
  if (!ch) return body(`<p class="bad">找不到该支付 / Charge not found</p><p class="muted">${escapeHtml(id)}</p>`);
  const head = `<div class="amount">${escapeHtml(formatAmount(ch.amount, ch.currency))}</div>
<p>${escapeHtml(ch.subject)}</p><p class="muted">${escapeHtml(ch.body)}</p>
<p class="muted">渠道 Channel: ${escapeHtml(ch.channel)} · 订单号 ${escapeHtml(ch.order_no)}</p>`;
  if (ch.paid) return body(`${head}<p class="ok">✓ 支付成功 / Paid</p>`);
  const why = payRefusal(e, ch);
  if (why) return body(`${head}<p class="bad">${escapeHtml(why)}</p>`);
  const failNote = ch.failure_msg ? `<p class="bad">${escapeHtml(ch.failure_msg)}</p>` : "";
  const action = `/_sim/charges/${encodeURIComponent(ch.id)}`;
  return body(`${head}${failNote}
<form method="post" action="${action}/pay"><button class="pay" type="submit">确认支付 / Pay</button></form>
<form method="post" action="${action}/fail"><button class="fail" type="submit">模拟支付失败 / Fail</button></form>`);
}

const outcomeSchema = z.object({
  status: z.enum(["succeeded", "partially_succeeded", "failed"]),
  fail_count: z.coerce.number().int().positive().optional(),
});
const royaltiesSchema = z.object({
  royalties: z
    .array(
      z.object({
        amount: z.coerce.number().int().positive(),
        source_user: z.string().min(1),
        source_no: z.string().optional(),
        /** unix seconds; default now (to test a created-time selection) */
        created: z.coerce.number().int().positive().optional(),
      }),
    )
    .optional(),
  amount: z.coerce.number().int().positive().optional(),
  source_user: z.string().optional(),
  count: z.coerce.number().int().min(1).max(100).optional(),
});
const faultSchema = z.object({
  mode: z.enum(["500", "502_html", "channel_error", "timeout", "none"]),
  count: z.coerce.number().int().min(0).max(1000).optional(),
});

export function registerSim(r: Router, e: Engine, c: SimControls): void {
  const charge = (req: Req) => getCharge(e, req.params.id ?? "");
  const order = (req: Req) => {
    const o = e.s.orders[req.params.id ?? ""];
    if (!o) throw notFound("order", req.params.id ?? "");
    return o;
  };
  const envelope = (req: Req) => {
    const x = e.s.redEnvelopes[req.params.id ?? ""];
    if (!x) throw notFound("red_envelope", req.params.id ?? "");
    return x;
  };

  r.get("/_sim", () => ({
    object: "sandbox",
    app_id: e.cfg.appId,
    webhook_url: c.webhookUrl() ?? null,
    controls: [
      "POST /_sim/charges/{id}/pay|fail|expire",
      "POST /_sim/orders/{id}/pay_twice|pay_after_cancel",
      "POST /_sim/red_envelopes/{id}/receive|fail|refund",
      "POST /_sim/royalty_settlements/next_outcome {status, fail_count?}",
      "GET|POST /_sim/royalties",
      "POST /_sim/faults {mode: 500|502_html|channel_error|timeout|none, count?}",
      "GET /_sim/deliveries, POST /_sim/webhooks/redeliver {event_id?}",
      "GET|POST /_sim/config {webhookUrl}",
      "POST /_sim/events {type, object_id}",
      "POST /_sim/jobs/run",
      "POST /_sim/charges/{id}/pay {lose_webhook?: true}: paid, its webhook never delivered",
      "GET /pay/{chargeId} (alias GET /_sim/pay/{chargeId})",
      "GET / (HTML dashboard)",
    ],
  }));

  const servePayPage = (req: Req) =>
    Reply.html(payPage(e, req.params.id ?? ""), e.s.charges[req.params.id ?? ""] ? 200 : 404);
  r.get("/pay/:id", servePayPage);
  r.get("/_sim/pay/:id", servePayPage);

  r.post("/_sim/charges/:id/pay", (req) => {
    const ch = charge(req);
    if (isForm(req)) {
      if (!payRefusal(e, ch)) payCharge(e, ch, null);
      return Reply.redirect(`/pay/${encodeURIComponent(ch.id)}`);
    }
    // `lose_webhook: true`: the charge is paid at Ping++ but its webhook never reaches the console
    // (the event exists, no delivery is made), as when every retry was lost: what 对账 must find.
    if (req.body.lose_webhook === true) {
      e.loseWebhooks = true;
      try {
        payCharge(e, ch, null);
      } finally {
        e.loseWebhooks = false;
      }
    } else payCharge(e, ch, null);
    return renderCharge(e, ch);
  });

  // A failed payment attempt (as Ping++ records one): the charge stays open, and the customer may
  // scan the same QR again and pay until it expires (payCharge clears the failure fields).
  r.post("/_sim/charges/:id/fail", (req) => {
    const ch = charge(req);
    const closed = payRefusal(e, ch);
    if (closed) throw badRequest(closed, undefined, "charge_unexpected_status");
    ch.failure_code = typeof req.body.code === "string" ? req.body.code : "USER_PAY_FAIL";
    ch.failure_msg = typeof req.body.message === "string" ? req.body.message : "用户支付失败 (Payment failed)";
    e.save();
    return isForm(req) ? Reply.redirect(`/pay/${encodeURIComponent(ch.id)}`) : renderCharge(e, ch);
  });

  r.post("/_sim/charges/:id/expire", (req) => {
    const ch = charge(req);
    if (ch.paid) throw badRequest("Charge 已支付 (Charge already paid)");
    ch.time_expire = e.now() - 1;
    e.save();
    return renderCharge(e, ch);
  });

  r.post("/_sim/orders/:id/pay_twice", (req) => {
    const o = order(req);
    const a = payOrder(e, o, { channel: "alipay_qr" }, null);
    const b = payOrder(e, o, { channel: "wx_pub_qr", extra: { product_id: "sandbox" } }, null, true);
    payCharge(e, a, null);
    payCharge(e, b, null);
    return renderOrder(e, o);
  });

  r.post("/_sim/orders/:id/pay_after_cancel", (req) => {
    const o = order(req);
    if (o.status === "created" && !o.paid) cancelOrder(e, o);
    if (o.status !== "canceled") throw badRequest(`订单状态为 ${o.status} (Order is ${o.status})`);
    if (o.paid) throw badRequest("订单已支付 (Order already paid)");
    const pending = Object.values(e.s.charges).find((x) => x._order === o.id && !payRefusal(e, x));
    const ch = pending ?? payOrder(e, o, { channel: "alipay_qr" }, null, true);
    payCharge(e, ch, null);
    return renderOrder(e, o);
  });

  r.post("/_sim/red_envelopes/:id/receive", (req) => {
    const x = envelope(req);
    markReceived(e, x, null);
    return renderRedEnvelope(x);
  });

  r.post("/_sim/red_envelopes/:id/refund", (req) => {
    const x = envelope(req);
    refundUnclaimed(e, x);
    return renderRedEnvelope(x);
  });

  r.post("/_sim/red_envelopes/:id/fail", (req) => {
    const x = envelope(req);
    markFailed(e, x, typeof req.body.message === "string" ? req.body.message : undefined);
    return renderRedEnvelope(x);
  });

  r.post("/_sim/royalty_settlements/next_outcome", (req) => {
    const p = validate(outcomeSchema, req.body);
    e.s.nextOutcome = p;
    e.save();
    return { object: "next_outcome", ...p };
  });

  r.get("/_sim/royalties", () => ({
    object: "list",
    url: "/_sim/royalties",
    has_more: false,
    data: Object.values(e.s.royalties).reverse(),
  }));

  r.post("/_sim/royalties", (req) => {
    const p = validate(royaltiesSchema, req.body);
    const items =
      p.royalties ??
      Array.from({ length: p.count ?? 1 }, () => ({
        amount: p.amount ?? 1000,
        source_user: p.source_user ?? "user_001",
      }));
    const added = items.map((x) => addRoyalty(e, x));
    e.save();
    return { object: "list", url: "/_sim/royalties", has_more: false, data: added };
  });

  r.post("/_sim/faults", (req) => {
    const p = validate(faultSchema, req.body);
    const count = p.mode === "none" ? 0 : (p.count ?? 1);
    c.setFault(p.mode === "none" ? null : p.mode, count);
    return { object: "fault", mode: p.mode, count };
  });

  r.get("/_sim/deliveries", (req) => {
    const eventId = qString(req.query, "event_id");
    const status = qString(req.query, "status");
    const data = Object.values(e.s.deliveries)
      .filter((d) => (eventId === undefined || d.event_id === eventId) && (status === undefined || d.status === status))
      .reverse();
    return { object: "list", url: "/_sim/deliveries", has_more: false, data };
  });

  r.post("/_sim/webhooks/redeliver", (req) => {
    const eventId = typeof req.body.event_id === "string" ? req.body.event_id : undefined;
    if (!c.webhookUrl()) throw badRequest("未配置 webhook URL (No webhook URL configured)");
    let ids: string[];
    if (eventId) {
      if (!e.s.events[eventId]) throw notFound("event", eventId);
      ids = [eventId];
    } else {
      ids = [
        ...new Set(
          Object.values(e.s.deliveries)
            .filter((d) => d.status === "failed")
            .map((d) => d.event_id),
        ),
      ];
    }
    const data = ids.map((id) => e.webhooks.redeliver(id)).filter((d) => d !== null);
    e.save();
    return { object: "list", url: "/_sim/deliveries", has_more: false, data };
  });

  r.get("/_sim/config", () => ({ object: "config", webhookUrl: c.webhookUrl() ?? null, appId: e.cfg.appId }));

  r.post("/_sim/config", (req) => {
    const p = validate(z.object({ webhookUrl: z.url() }), req.body);
    c.setWebhookUrl(p.webhookUrl);
    return { object: "config", webhookUrl: p.webhookUrl, appId: e.cfg.appId };
  });

  r.post("/_sim/events", (req) => {
    const p = validate(
      z.object({ type: z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/), object_id: z.string().min(1) }),
      req.body,
    );
    const obj = e.find(p.object_id);
    if (!obj) throw notFound("object", p.object_id, "object_id");
    return e.emit(p.type, obj, null);
  });

  // refunds and settlements finish now; an unclaimed red envelope has its own control (…/refund)
  r.post("/_sim/jobs/run", () => ({ object: "jobs", ran: e.runAllJobs(["refund.succeed", "settlement.finish"]) }));
}
