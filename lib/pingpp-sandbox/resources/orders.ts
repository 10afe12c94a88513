// Orders: create, retrieve, list, cancel (PUT), pay, order charges, order refunds.
import { z } from "zod";
import { publicView, type Engine } from "../engine";
import { embeddedList, listEnvelope } from "../list";
import type { Router } from "../router";
import type { Charge, Json, Order } from "../types";
import { badRequest, newOrderId, notFound, qBool, qString, validate } from "../util";
import { chars, metadataSchema, positiveFen } from "./common";
import { createCharge, renderCharge } from "./charges";
import { checkFundingSource, createRefund, refundable, renderRefund } from "./refunds";
import { FUNDING_SOURCES, REFUND_MODES } from "../../pingpp/limits";
import { addRoyalty } from "./royalties";

const createSchema = z.object({
  app: z.string().min(1),
  merchant_order_no: z
    .string()
    .regex(/^[0-9a-zA-Z]{8,20}$/, "merchant_order_no 必须是 8-20 位字母和数字 (merchant_order_no: 8-20 alphanumerics)"),
  amount: positiveFen("amount"),
  actual_amount: positiveFen("actual_amount").optional(),
  currency: z.literal("cny", { error: "currency 只支持 cny (currency must be cny)" }),
  client_ip: z.string().min(1).max(64),
  subject: chars("subject", 32),
  body: chars("body", 128),
  uid: z.string().min(1).max(64),
  description: chars("description", 255, 0).nullable().optional(),
  coupon: z.string().nullable().optional(),
  time_expire: z.number().int().optional(),
  metadata: metadataSchema.optional(),
  receipt_app: z.string().optional(),
  service_app: z.string().optional(),
  royalty_users: z.array(z.looseObject({ user: z.string(), amount: z.number().int().nonnegative() })).optional(),
  royalty_template: z.string().optional(),
});

const updateSchema = z.looseObject({
  status: z
    .literal("canceled", { error: "status 只能更新为 canceled (status can only be set to canceled)" })
    .optional(),
  user: z.string().optional(),
  description: chars("description", 255, 0).nullable().optional(),
  metadata: metadataSchema.optional(),
});

const paySchema = z.object({
  channel: z.string().min(1),
  charge_amount: positiveFen("charge_amount").optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
  time_expire: z.number().int().optional(),
  charge_order_no: z
    .string()
    .regex(/^[0-9a-zA-Z]{1,64}$/, "charge_order_no 只能由字母和数字组成 (charge_order_no: alphanumerics)")
    .optional(),
});

/** The order refund guide's rules (订单退款): a reason, a known mode, charge_amount only for a named charge. */
const refundSchema = z
  .object({
    charge: z.string().optional(),
    charge_amount: positiveFen("charge_amount").optional(),
    description: chars("description", 255),
    metadata: metadataSchema.optional(),
    refund_mode: z
      .enum(REFUND_MODES, {
        error: `refund_mode 只能是 ${REFUND_MODES.join(" 或 ")} (refund_mode must be ${REFUND_MODES.join(" or ")})`,
      })
      .optional(),
    funding_source: z
      .enum(FUNDING_SOURCES, {
        error: `funding_source 只能是 ${FUNDING_SOURCES.join(" 或 ")} (funding_source must be ${FUNDING_SOURCES.join(" or ")})`,
      })
      .optional(),
    royalty_users: z
      .array(z.object({ user: z.string().min(1), amount_refunded: z.number().int().nonnegative() }))
      .optional(),
  })
  .refine((p) => p.charge_amount === undefined || p.charge !== undefined, {
    path: ["charge_amount"],
    message: "charge_amount 必须与 charge 一起传入 (charge_amount requires charge)",
  });

const orderCharges = (e: Engine, o: Order) => Object.values(e.s.charges).filter((c) => c._order === o.id);

export function renderOrder(e: Engine, o: Order): Record<string, unknown> {
  expireIfDue(e, o);
  return { ...publicView(o), charges: embeddedList("/v1/charges", orderCharges(e, o), (c) => renderCharge(e, c)) };
}

function getOrder(e: Engine, id: string): Order {
  const o = e.s.orders[id];
  if (!o) throw notFound("order", id);
  expireIfDue(e, o);
  return o;
}

const isExpired = (e: Engine, o: Order) => o.status === "created" && !o.paid && o.time_expire < e.now();

/**
 * An unpaid order past its time_expire is canceled (seen on its next read, as Ping++ shows it);
 * its unpaid charges expired with it (their time_expire is never later than the order's) and
 * lose their QR. Returns whether it just happened.
 */
export function expireIfDue(e: Engine, o: Order): boolean {
  if (!isExpired(e, o)) return false;
  o.status = "canceled";
  o._expired = true;
  for (const ch of orderCharges(e, o)) {
    if (ch.paid) continue;
    ch.time_expire = Math.min(ch.time_expire, o.time_expire);
    ch.credential = {};
  }
  e.save();
  return true;
}

function essentials(ch: Charge): Record<string, Json> {
  return {
    channel: ch.channel,
    transaction_no: ch.transaction_no,
    credential: ch.credential,
    extra: ch.extra,
    failure_code: ch.failure_code,
    failure_msg: ch.failure_msg,
  };
}

/** `PUT {status:"canceled"}` rules; also used by the simulator. */
export function cancelOrder(e: Engine, o: Order, user?: string): void {
  if (user !== undefined && user !== o.uid)
    throw badRequest(`user 与订单的 uid 不一致 (user does not match the order's uid)`, "user");
  expireIfDue(e, o);
  if (o._expired) throw badRequest("订单已过期，已自动取消 (Order has expired and was canceled)", "status");
  if (o.status === "canceled") throw badRequest("订单已取消 (Order is already canceled)", "status");
  if (o.paid || o.status !== "created")
    throw badRequest(
      `订单状态为 ${o.status}，无法取消，请使用退款 (Order is ${o.status} and cannot be canceled)`,
      "status",
    );
  if (isExpired(e, o)) throw badRequest("订单已过期，无法取消 (Order has expired)", "status");
  o.status = "canceled";
  if (user) o._canceled_by = user;
  for (const ch of orderCharges(e, o)) if (!ch.paid) ch.credential = {};
  e.save();
}

/** `POST /orders/{id}/pay`; `force` lets the simulator pay a canceled order. */
export function payOrder(
  e: Engine,
  o: Order,
  p: z.output<typeof paySchema>,
  request: string | null,
  force = false,
): Charge {
  expireIfDue(e, o);
  if (!force) {
    if (o._expired) throw badRequest("订单已过期，无法支付 (Order has expired)");
    if (o.status === "canceled") throw badRequest("订单已取消，无法支付 (Order is canceled)");
    if (o.paid || o.status !== "created") throw badRequest(`订单状态为 ${o.status}，无法支付 (Order is ${o.status})`);
    if (isExpired(e, o)) throw badRequest("订单已过期，无法支付 (Order has expired)");
  }
  const remaining = Math.max(o.actual_amount - (force ? 0 : o.amount_paid), 0);
  const amount = p.charge_amount ?? remaining;
  if (!force && amount > remaining)
    throw badRequest(
      `charge_amount 不能超过待支付金额 ${remaining} (charge_amount exceeds ${remaining})`,
      "charge_amount",
    );
  const ch = createCharge(
    e,
    {
      order_no: p.charge_order_no ?? o.merchant_order_no,
      app: o.app,
      channel: p.channel,
      amount: amount || o.actual_amount,
      currency: o.currency,
      client_ip: o.client_ip,
      subject: o.subject,
      body: o.body,
      extra: p.extra,
      time_expire: p.time_expire,
    },
    request,
    o,
  );
  // The order's charge expires with the order, never later.
  ch.time_expire = Math.min(ch.time_expire, o.time_expire);
  o.charge = ch.id;
  o.charge_essentials = essentials(ch);
  e.save();
  return ch;
}

function onChargePaid(e: Engine, ch: Charge, request: string | null): void {
  const o = ch._order ? e.s.orders[ch._order] : undefined;
  if (!o) return;
  o.amount_paid += ch.amount;
  o.charge = ch.id;
  o.charge_essentials = essentials(ch);
  if (!o.paid && o.amount_paid >= o.actual_amount) {
    o.paid = true;
    o.time_paid = e.now();
    if (o.status === "created") o.status = "paid";
    // the order's royalty_users join the royalty pool, to be settled later
    for (const u of o.royalty_users as { user?: unknown; amount?: unknown }[]) {
      if (typeof u.user === "string" && typeof u.amount === "number" && u.amount > 0)
        addRoyalty(e, { amount: u.amount, source_user: u.user, source_no: o.merchant_order_no });
    }
    e.emit("order.succeeded", renderOrder(e, o), request);
  }
  e.save();
}

/**
 * `royalty_users` of an order refund: each user's share that goes back with the refund comes out
 * of that user's unsettled royalties from this order (the pool a settlement draws from). Checked
 * first (refused: more than the refund, or more than the user still has unsettled from this
 * order); the returned function takes the amounts out, oldest royalty first.
 */
function royaltyTakeBack(
  e: Engine,
  o: Order,
  users: { user: string; amount_refunded: number }[],
  refundTotal: number,
): () => void {
  const wanted = new Map<string, number>();
  for (const u of users) wanted.set(u.user, (wanted.get(u.user) ?? 0) + u.amount_refunded);
  const total = [...wanted.values()].reduce((n, a) => n + a, 0);
  if (total > refundTotal) {
    throw badRequest(
      `royalty_users 的退回分润合计 ${total} 超过退款金额 ${refundTotal} (royalty_users return more than the refund)`,
      "royalty_users",
    );
  }
  const unsettled = (user: string) =>
    Object.values(e.s.royalties)
      .filter(
        (r) =>
          r.status === "created" &&
          r.royalty_settlement === null &&
          r.source_no === o.merchant_order_no &&
          r.source_user === user,
      )
      .sort((a, b) => a.created - b.created);
  for (const [user, amount] of wanted) {
    const left = unsettled(user).reduce((n, r) => n + r.amount, 0);
    if (amount > left) {
      throw badRequest(
        `royalty_users: ${user} 在该订单的待结算分润只有 ${left}，无法退回 ${amount} (user ${user} has only ${left} unsettled royalty from this order)`,
        "royalty_users",
      );
    }
  }
  return () => {
    for (const [user, amount] of wanted) {
      let rest = amount;
      for (const r of unsettled(user)) {
        const take = Math.min(rest, r.amount);
        r.amount -= take;
        rest -= take;
        if (r.amount === 0) delete e.s.royalties[r.id];
        if (rest === 0) break;
      }
    }
  };
}

export function registerOrders(r: Router, e: Engine): void {
  e.chargePaid.push((ch, req) => onChargePaid(e, ch, req));
  e.refundSucceeded.push((re, req) => {
    const o = re._order ? e.s.orders[re._order] : undefined;
    if (!o) return;
    o.amount_refunded += re.amount;
    e.emit("order.refunded", renderOrder(e, o), req);
  });
  e.addFinder((id) => (e.s.orders[id] ? renderOrder(e, e.s.orders[id]) : undefined));

  r.post("/v1/orders", (req) => {
    const p = validate(createSchema, req.body);
    e.checkApp(p.app);
    if (Object.values(e.s.orders).some((o) => o.app === p.app && o.merchant_order_no === p.merchant_order_no)) {
      throw badRequest(
        `merchant_order_no 已被使用: ${p.merchant_order_no} (merchant_order_no has already been used)`,
        "merchant_order_no",
      );
    }
    const actual = p.actual_amount ?? p.amount;
    if (actual > p.amount)
      throw badRequest("actual_amount 不能大于 amount (actual_amount must not exceed amount)", "actual_amount");
    const now = e.now();
    if (p.time_expire !== undefined && (p.time_expire < now + 60 || p.time_expire > now + 15 * 86_400)) {
      throw badRequest(
        "time_expire 必须在 1 分钟到 15 天之后 (time_expire must be 1 minute to 15 days from now)",
        "time_expire",
      );
    }
    const o: Order = {
      id: newOrderId(),
      object: "order",
      created: now,
      livemode: false,
      paid: false,
      refunded: false,
      status: "created",
      app: p.app,
      uid: p.uid,
      available_balance: 0,
      merchant_order_no: p.merchant_order_no,
      amount: p.amount,
      actual_amount: actual,
      amount_refunded: 0,
      amount_paid: 0,
      coupon_amount: p.amount - actual,
      currency: p.currency,
      subject: p.subject,
      body: p.body,
      client_ip: p.client_ip,
      time_paid: null,
      time_expire: p.time_expire ?? now + 86_400,
      coupon: p.coupon ?? null,
      description: p.description ?? null,
      metadata: (p.metadata ?? {}) as Record<string, Json>,
      charge: null,
      charge_essentials: {},
      receipt_app: p.receipt_app ?? p.app,
      service_app: p.service_app ?? p.app,
      available_methods: [],
      royalty_users: (p.royalty_users ?? []) as Json[],
    };
    e.s.orders[o.id] = o;
    e.save();
    return renderOrder(e, o);
  });

  r.get("/v1/orders/:id", (req) => renderOrder(e, getOrder(e, req.params.id ?? "")));

  r.get("/v1/orders", (req) => {
    const app = qString(req.query, "app");
    if (!app) throw badRequest("缺少参数: app (Please pass app as a query parameter)", "app");
    const uid = qString(req.query, "uid");
    const paid = qBool(req.query, "paid");
    const refunded = qBool(req.query, "refunded");
    const canceled = qBool(req.query, "canceled");
    for (const o of Object.values(e.s.orders)) expireIfDue(e, o);
    return listEnvelope(Object.values(e.s.orders), {
      url: "/v1/orders",
      style: "page",
      maxPerPage: 20,
      query: req.query,
      filter: (o) =>
        o.app === app &&
        (uid === undefined || o.uid === uid) &&
        (paid === undefined || o.paid === paid) &&
        (refunded === undefined || o.refunded === refunded) &&
        (canceled === undefined || (o.status === "canceled") === canceled),
      render: (o) => renderOrder(e, o),
    });
  });

  r.put("/v1/orders/:id", (req) => {
    const o = getOrder(e, req.params.id ?? "");
    const p = validate(updateSchema, req.body);
    if (p.status === "canceled") cancelOrder(e, o, p.user);
    if (p.description !== undefined) o.description = p.description;
    if (p.metadata !== undefined) o.metadata = p.metadata as Record<string, Json>;
    e.save();
    return renderOrder(e, o);
  });

  r.post("/v1/orders/:id/pay", (req) => {
    const o = getOrder(e, req.params.id ?? "");
    payOrder(e, o, validate(paySchema, req.body), req.requestId);
    return renderOrder(e, o);
  });

  // Simulation: the order's time_expire passes now (its unpaid charges expire with it).
  r.post("/_sim/orders/:id/expire", (req) => {
    const o = getOrder(e, req.params.id ?? "");
    if (o.paid || o.status !== "created") throw badRequest(`订单状态为 ${o.status}，不会过期 (Order is ${o.status})`);
    o.time_expire = e.now() - 1;
    expireIfDue(e, o);
    return renderOrder(e, o);
  });

  r.get("/v1/orders/:id/charges", (req) => {
    const o = getOrder(e, req.params.id ?? "");
    return listEnvelope(orderCharges(e, o), {
      url: `/v1/orders/${o.id}/charges`,
      style: "page",
      query: req.query,
      render: (c) => renderCharge(e, c),
    });
  });

  r.get("/v1/orders/:id/charges/:ch", (req) => {
    const o = getOrder(e, req.params.id ?? "");
    const ch = e.s.charges[req.params.ch ?? ""];
    if (!ch || ch._order !== o.id) throw notFound("charge", req.params.ch ?? "");
    return renderCharge(e, ch);
  });

  r.post("/v1/orders/:id/order_refunds", (req) => {
    const o = getOrder(e, req.params.id ?? "");
    const p = validate(refundSchema, req.body);
    if (!o.paid) throw badRequest("订单未支付，无法退款 (Order is not paid, nothing to refund)");
    const paid = orderCharges(e, o).filter((c) => c.paid && refundable(e, c) > 0);
    let targets: { charge: Charge; amount?: number }[];
    if (p.charge) {
      const ch = paid.find((c) => c.id === p.charge);
      if (!ch)
        throw badRequest(
          `该订单没有可退款的 charge: ${p.charge} (No refundable charge ${p.charge} on this order)`,
          "charge",
        );
      targets = [{ charge: ch, amount: p.charge_amount }];
    } else if (p.charge_amount !== undefined) {
      const ch = paid.find((c) => refundable(e, c) >= (p.charge_amount ?? 0));
      if (!ch) throw badRequest("退款金额超过可退金额 (charge_amount exceeds the refundable amount)", "charge_amount");
      targets = [{ charge: ch, amount: p.charge_amount }];
    } else {
      targets = paid.map((c) => ({ charge: c }));
    }
    if (targets.length === 0) throw badRequest("订单已全额退款 (Order has already been fully refunded)");
    // Everything is checked before anything changes: one refused part refuses the whole request.
    for (const t of targets) checkFundingSource(t.charge, p.funding_source);
    const takeBack = royaltyTakeBack(
      e,
      o,
      p.royalty_users ?? [],
      targets.reduce((n, t) => n + (t.amount ?? refundable(e, t.charge)), 0),
    );
    const created = targets.map((t) =>
      createRefund(
        e,
        t.charge,
        {
          amount: t.amount,
          description: p.description,
          metadata: p.metadata,
          funding_source: p.funding_source,
          orderId: o.id,
        },
        req.requestId,
      ),
    );
    takeBack();
    // Ping++ keeps the royalty shares returned with the refund; the sandbox shows them in `extra`.
    if (p.royalty_users)
      for (const r of created)
        (r as { extra: Record<string, unknown> }).extra = {
          ...(r as { extra?: Record<string, unknown> }).extra,
          royalty_users: p.royalty_users,
        };
    e.save();
    return {
      object: "list",
      url: `/v1/orders/${o.id}/order_refunds`,
      has_more: false,
      data: created.map(renderRefund),
    };
  });

  r.get("/v1/orders/:id/order_refunds", (req) => {
    const o = getOrder(e, req.params.id ?? "");
    return listEnvelope(Object.values(e.s.refunds), {
      url: `/v1/orders/${o.id}/order_refunds`,
      style: "page",
      query: req.query,
      filter: (re) => re._order === o.id,
      render: renderRefund,
    });
  });

  r.get("/v1/orders/:id/order_refunds/:re", (req) => {
    const o = getOrder(e, req.params.id ?? "");
    const re = e.s.refunds[req.params.re ?? ""];
    if (!re || re._order !== o.id) throw notFound("refund", req.params.re ?? "");
    return renderRefund(re);
  });
}

export { paySchema as orderPaySchema };
