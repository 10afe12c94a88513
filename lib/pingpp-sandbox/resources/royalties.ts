// Royalty (分润) pool, royalty settlements and royalty transactions.
import { createHash } from "node:crypto";
import { z } from "zod";
import { publicView, type Engine } from "../engine";
import { embeddedList, listEnvelope } from "../list";
import type { Router } from "../router";
import type { Json, Royalty, RoyaltySettlement, RoyaltyTransaction } from "../types";
import { badRequest, newRoyaltyId, notFound, qString, validate } from "../util";
import { boolish, metadataSchema, unixTime } from "./common";

const METHODS = ["balance", "wx", "wx_pub", "wx_lite", "alipay", "unionpay", "allinpay", "jdpay"] as const;

const createSchema = z.object({
  payer_app: z.string().min(1),
  method: z.enum(METHODS, { error: `method 只能是 ${METHODS.join(", ")} (Invalid method)` }),
  recipient_app: z.string().optional(),
  created: z
    .object({ gt: unixTime.optional(), gte: unixTime.optional(), lt: unixTime.optional(), lte: unixTime.optional() })
    .optional(),
  source_user: z.string().optional(),
  source_no: z.string().optional(),
  min_amount: z.number().int().nonnegative().optional(),
  metadata: metadataSchema.optional(),
  description: z.string().max(255).optional(),
  is_preview: boolish.optional(),
});

const updateSchema = z.looseObject({
  status: z.enum(["pending", "canceled"], {
    error: "status 只能是 pending 或 canceled (status must be pending or canceled)",
  }),
});

const settleAccount = (user: string) =>
  "3202" +
  BigInt("0x" + createHash("sha256").update(user).digest("hex").slice(0, 16))
    .toString()
    .padStart(20, "0")
    .slice(0, 20);

export function addRoyalty(
  e: Engine,
  p: { amount: number; source_user: string; source_no?: string; created?: number },
): Royalty {
  const r: Royalty = {
    id: newRoyaltyId(),
    object: "royalty",
    created: p.created ?? e.now(),
    livemode: false,
    payer_app: e.cfg.appId,
    amount: p.amount,
    status: "created",
    method: null,
    recipient_app: null,
    source_user: p.source_user,
    source_no: p.source_no ?? "2001" + String(Date.now()).slice(-15),
    source_app: e.cfg.appId,
    settle_account: settleAccount(p.source_user),
    royalty_settlement: null,
    royalty_transaction: null,
    description: null,
    metadata: {},
  };
  e.s.royalties[r.id] = r;
  return r;
}

/** A few unsettled royalties on first start, so there is something to settle. */
export function seedRoyalties(e: Engine): void {
  if (e.s.seeded) return;
  const t = e.now() - 3600;
  addRoyalty(e, { amount: 1500, source_user: "user_001", created: t });
  addRoyalty(e, { amount: 800, source_user: "user_001", created: t + 60 });
  addRoyalty(e, { amount: 2300, source_user: "user_002", created: t + 120 });
  addRoyalty(e, { amount: 650, source_user: "user_003", created: t + 180 });
  e.s.seeded = true;
  e.save();
}

const renderTransaction = (t: RoyaltyTransaction) => publicView(t);

export function renderSettlement(e: Engine, s: RoyaltySettlement, txs?: RoyaltyTransaction[]): Record<string, unknown> {
  const list = txs ?? Object.values(e.s.transactions).filter((t) => t.royalty_settlement === s.id);
  return {
    ...publicView(s),
    royalty_transactions: embeddedList("/v1/royalty_transactions", [...list].reverse(), renderTransaction),
  };
}

function getSettlement(e: Engine, id: string): RoyaltySettlement {
  const s = e.s.settlements[id];
  if (!s) throw notFound("royalty_settlement", id);
  return s;
}

const txsOf = (e: Engine, s: RoyaltySettlement) =>
  Object.values(e.s.transactions).filter((t) => t.royalty_settlement === s.id);

function returnToPool(e: Engine, t: RoyaltyTransaction): void {
  for (const id of t._royalties) {
    const r = e.s.royalties[id];
    if (r) {
      r.status = "created";
      r.royalty_settlement = null;
      r.royalty_transaction = null;
      r.method = null;
    }
  }
}

/** Outcome of a confirmed settlement; the simulator may have chosen it beforehand. */
function finishSettlement(e: Engine, id: string): void {
  const s = e.s.settlements[id];
  if (!s || s.status !== "pending") return;
  const txs = txsOf(e, s);
  let outcome = e.s.nextOutcome ?? { status: "succeeded" as const };
  e.s.nextOutcome = null;
  if (outcome.status === "partially_succeeded" && txs.length < 2) outcome = { status: "failed" };
  const failCount =
    outcome.status === "succeeded"
      ? 0
      : outcome.status === "failed"
        ? txs.length
        : Math.min(Math.max(outcome.fail_count ?? 1, 1), txs.length - 1);
  txs.forEach((t, i) => {
    const failed = i < failCount;
    t.status = failed ? "failed" : "succeeded";
    if (failed) {
      t.failure_msg = "收款账户异常，结算失败 (Recipient account error)";
      returnToPool(e, t);
    } else {
      for (const rid of t._royalties) {
        const r = e.s.royalties[rid];
        if (r) r.status = "succeeded";
      }
    }
  });
  const failed = txs.filter((t) => t.status === "failed");
  s.amount_failed = failed.reduce((n, t) => n + t.amount, 0);
  s.count_failed = failed.length;
  s.amount_succeeded = s.amount - s.amount_failed;
  s.count_succeeded = s.count - s.count_failed;
  s.status = outcome.status;
  s.time_finished = e.now();
  e.emit(`royalty_settlement.${s.status}`, renderSettlement(e, s), null);
}

export function registerRoyalties(r: Router, e: Engine): void {
  e.onJob("settlement.finish", (id) => finishSettlement(e, id));
  e.addFinder((id) => (e.s.settlements[id] ? renderSettlement(e, e.s.settlements[id]) : undefined));
  e.addFinder((id) => (e.s.transactions[id] ? renderTransaction(e.s.transactions[id]) : undefined));

  r.post("/v1/royalty_settlements", (req) => {
    const p = validate(createSchema, req.body);
    e.checkApp(p.payer_app, "payer_app");
    const c = p.created ?? {};
    const pool = Object.values(e.s.royalties).filter(
      (x) =>
        x.status === "created" &&
        x.royalty_settlement === null &&
        x.payer_app === p.payer_app &&
        (p.source_user === undefined || x.source_user === p.source_user) &&
        (p.source_no === undefined || x.source_no === p.source_no) &&
        (c.gt === undefined || x.created > c.gt) &&
        (c.gte === undefined || x.created >= c.gte) &&
        (c.lt === undefined || x.created < c.lt) &&
        (c.lte === undefined || x.created <= c.lte),
    );
    const byUser = new Map<string, Royalty[]>();
    for (const x of pool) byUser.set(x.source_user, [...(byUser.get(x.source_user) ?? []), x]);
    const groups = [...byUser.values()].filter((g) => g.reduce((n, x) => n + x.amount, 0) >= (p.min_amount ?? 1));
    if (groups.length === 0)
      throw badRequest("没有满足条件的待结算分润 (Nothing to settle: no matching unsettled royalties)");

    const now = e.now();
    const s: RoyaltySettlement = {
      id: newRoyaltyId(),
      object: "royalty_settlement",
      payer_app: p.payer_app,
      created: now,
      livemode: false,
      method: p.method,
      recipient_app: p.recipient_app ?? null,
      amount: 0,
      amount_succeeded: 0,
      amount_failed: 0,
      amount_canceled: 0,
      count: groups.length,
      count_succeeded: 0,
      count_failed: 0,
      count_canceled: 0,
      time_finished: null,
      fee: 0,
      operation_url: null,
      status: "created",
      metadata: (p.metadata ?? {}) as Record<string, Json>,
      description: p.description ?? null,
    };
    const txs: RoyaltyTransaction[] = groups.map((g) => ({
      id: newRoyaltyId(),
      object: "royalty_transaction",
      created: now,
      livemode: false,
      amount: g.reduce((n, x) => n + x.amount, 0),
      status: "created",
      settle_account: g[0]?.settle_account ?? "",
      source_user: g[0]?.source_user ?? "",
      recipient_app: p.recipient_app ?? null,
      royalty_settlement: s.id,
      failure_msg: null,
      transfer: null,
      _royalties: g.map((x) => x.id),
    }));
    s.amount = txs.reduce((n, t) => n + t.amount, 0);
    if (p.is_preview) return renderSettlement(e, s, txs); // computed, nothing stored or changed

    e.s.settlements[s.id] = s;
    for (const t of txs) {
      e.s.transactions[t.id] = t;
      for (const rid of t._royalties) {
        const x = e.s.royalties[rid];
        if (x) {
          x.status = "pending";
          x.royalty_settlement = s.id;
          x.royalty_transaction = t.id;
          x.method = p.method;
        }
      }
    }
    e.save();
    return renderSettlement(e, s);
  });

  r.get("/v1/royalty_settlements/:id", (req) => renderSettlement(e, getSettlement(e, req.params.id ?? "")));

  r.get("/v1/royalty_settlements", (req) => {
    const payer = qString(req.query, "payer_app");
    if (!payer) throw badRequest("缺少参数: payer_app (Please pass payer_app as a query parameter)", "payer_app");
    const method = qString(req.query, "method");
    const status = qString(req.query, "status");
    return listEnvelope(Object.values(e.s.settlements), {
      url: "/v1/royalty_settlements",
      style: "page",
      maxPerPage: 100,
      query: req.query,
      filter: (s) =>
        s.payer_app === payer &&
        (method === undefined || s.method === method) &&
        (status === undefined || s.status === status),
      render: (s) => renderSettlement(e, s),
    });
  });

  r.put("/v1/royalty_settlements/:id", (req) => {
    const s = getSettlement(e, req.params.id ?? "");
    const p = validate(updateSchema, req.body);
    if (s.status !== "created") {
      throw badRequest(
        `结算状态为 ${s.status}，只有 created 状态可以${p.status === "pending" ? "确认" : "取消"} (Settlement is ${s.status}; only created settlements can be updated)`,
        "status",
      );
    }
    const txs = txsOf(e, s);
    if (p.status === "pending") {
      s.status = "pending";
      for (const t of txs) t.status = "pending";
      e.addJob("settlement.finish", s.id, e.cfg.settlementDelayMs);
    } else {
      s.status = "canceled";
      s.amount_canceled = s.amount;
      s.count_canceled = s.count;
      s.time_finished = e.now();
      for (const t of txs) {
        t.status = "canceled";
        returnToPool(e, t);
      }
      e.emit("royalty_settlement.canceled", renderSettlement(e, s), req.requestId);
    }
    e.save();
    return renderSettlement(e, s);
  });

  r.get("/v1/royalty_transactions/:id", (req) => {
    const t = e.s.transactions[req.params.id ?? ""];
    if (!t) throw notFound("royalty_transaction", req.params.id ?? "");
    return renderTransaction(t);
  });

  r.get("/v1/royalty_transactions", (req) => {
    const settlement = qString(req.query, "royalty_settlement");
    const status = qString(req.query, "status");
    const user = qString(req.query, "source_user");
    return listEnvelope(Object.values(e.s.transactions), {
      url: "/v1/royalty_transactions",
      style: "page",
      maxPerPage: 100,
      query: req.query,
      filter: (t) =>
        (settlement === undefined || t.royalty_settlement === settlement) &&
        (status === undefined || t.status === status) &&
        (user === undefined || t.source_user === user),
      render: renderTransaction,
    });
  });

  r.get("/v1/royalties", (req) => {
    const status = qString(req.query, "status");
    return listEnvelope(Object.values(e.s.royalties), {
      url: "/v1/royalties",
      style: "page",
      maxPerPage: 100,
      query: req.query,
      filter: (x) => status === undefined || x.status === status,
      render: (x) => publicView(x),
    });
  });

  r.get("/v1/royalties/:id", (req) => {
    const x = e.s.royalties[req.params.id ?? ""];
    if (!x) throw notFound("royalty", req.params.id ?? "");
    return publicView(x);
  });
}
