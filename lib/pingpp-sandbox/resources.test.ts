import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "./server";
import { call, orderNo, startReceiver, waitFor } from "./test-helpers";

let sb: Sandbox;
let rx: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  rx = await startReceiver();
  sb = await startSandbox({ port: 0, timeScale: 0.001, refundDelayMs: 20, settlementDelayMs: 20, webhookUrl: rx.url });
});
afterAll(async () => {
  await sb.close();
  await rx.close();
});

const eventsFor = (id: string) =>
  rx.received.filter((r) => r.event.data.object.id === id).map((r) => r.event.type as string);

const newOrder = (over: Record<string, unknown> = {}) =>
  call(sb, "POST", "/v1/orders", {
    app: sb.appId,
    merchant_order_no: orderNo().slice(0, 20),
    amount: 1000,
    actual_amount: 800,
    currency: "cny",
    client_ip: "127.0.0.1",
    subject: "订单",
    body: "订单内容",
    uid: "user_007",
    ...over,
  });

describe("orders", () => {
  it("creates, lists (app required, page style, filters) and retrieves", async () => {
    const o = await newOrder();
    expect(o.status, o.text).toBe(200);
    expect(o.body).toMatchObject({
      object: "order",
      status: "created",
      paid: false,
      refunded: false,
      amount: 1000,
      actual_amount: 800,
      coupon_amount: 200,
    });
    expect(o.body.id).toMatch(/^\d{19}$/);
    expect(o.body.charges).toEqual({ object: "list", url: "/v1/charges", has_more: false, data: [] });
    expect((await call(sb, "GET", `/v1/orders/${o.body.id}`)).body.id).toBe(o.body.id);
    const noApp = await call(sb, "GET", "/v1/orders");
    expect(noApp.status).toBe(400);
    expect(noApp.body.error.param).toBe("app");
    const list = await call(sb, "GET", `/v1/orders?app=${sb.appId}&page=1&per_page=1`);
    expect(Object.keys(list.body)).toEqual(["object", "url", "has_more", "data"]);
    expect(list.body.data[0].id).toBe(o.body.id);
    expect((await call(sb, "GET", `/v1/orders?app=${sb.appId}&per_page=21`)).status).toBe(400);
    const dup = await newOrder({ merchant_order_no: o.body.merchant_order_no });
    expect(dup.status).toBe(400);
    expect((await newOrder({ merchant_order_no: "short" })).body.error.param).toBe("merchant_order_no");
  });

  it("cancels only created orders (PUT status canceled)", async () => {
    const o = await newOrder();
    const c = await call(sb, "PUT", `/v1/orders/${o.body.id}`, { status: "canceled", user: "user_007" });
    expect(c.status).toBe(200);
    expect(c.body.status).toBe("canceled");
    const again = await call(sb, "PUT", `/v1/orders/${o.body.id}`, { status: "canceled" });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/已取消/);
    const canceledList = await call(sb, "GET", `/v1/orders?app=${sb.appId}&canceled=true&per_page=20`);
    expect(canceledList.body.data.some((x: { id: string }) => x.id === o.body.id)).toBe(true);
    const pay = await call(sb, "POST", `/v1/orders/${o.body.id}/pay`, { channel: "alipay_qr" });
    expect(pay.status).toBe(400);
    const bad = await call(sb, "PUT", `/v1/orders/${o.body.id}`, { status: "paid" });
    expect(bad.status).toBe(400);
  });

  it("pays (charge + charge_essentials), fires charge.succeeded + order.succeeded, refunds return a list", async () => {
    const o = await newOrder();
    const p = await call(sb, "POST", `/v1/orders/${o.body.id}/pay`, {
      channel: "wx_pub_qr",
      extra: { product_id: "P1" },
    });
    expect(p.status, p.text).toBe(200);
    expect(p.body.charge).toMatch(/^ch_/);
    expect(p.body.charge_essentials).toMatchObject({ channel: "wx_pub_qr", credential: { object: "credential" } });
    expect(p.body.charges.data[0].amount).toBe(800);
    const chId = p.body.charge as string;

    const early = await call(sb, "POST", `/v1/orders/${o.body.id}/order_refunds`, {});
    expect(early.status).toBe(400);

    await call(sb, "POST", `/_sim/charges/${chId}/pay`, {});
    const paid = await call(sb, "GET", `/v1/orders/${o.body.id}`);
    expect(paid.body).toMatchObject({ status: "paid", paid: true, amount_paid: 800 });
    await waitFor(() => eventsFor(o.body.id).includes("order.succeeded"));
    expect(eventsFor(chId)).toContain("charge.succeeded");
    const cancel = await call(sb, "PUT", `/v1/orders/${o.body.id}`, { status: "canceled" });
    expect(cancel.status).toBe(400);

    const charges = await call(sb, "GET", `/v1/orders/${o.body.id}/charges`);
    expect(charges.body.data.map((c: { id: string }) => c.id)).toEqual([chId]);
    expect((await call(sb, "GET", `/v1/orders/${o.body.id}/charges/${chId}`)).body.id).toBe(chId);

    const r = await call(sb, "POST", `/v1/orders/${o.body.id}/order_refunds`, {
      charge: chId,
      charge_amount: 300,
      description: "退一部分",
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ object: "list", url: `/v1/orders/${o.body.id}/order_refunds`, has_more: false });
    expect(r.body.data[0]).toMatchObject({ object: "refund", amount: 300, charge: chId, status: "pending" });
    const over = await call(sb, "POST", `/v1/orders/${o.body.id}/order_refunds`, { charge: chId, charge_amount: 501 });
    expect(over.status).toBe(400);

    await waitFor(() => eventsFor(o.body.id).includes("order.refunded"));
    const after = await call(sb, "GET", `/v1/orders/${o.body.id}`);
    expect(after.body).toMatchObject({ status: "refunded", refunded: true, amount_refunded: 300 });
    const list = await call(sb, "GET", `/v1/orders/${o.body.id}/order_refunds`);
    expect(list.body.data).toHaveLength(1);
    const one = await call(sb, "GET", `/v1/orders/${o.body.id}/order_refunds/${r.body.data[0].id}`);
    expect(one.body.status).toBe("succeeded");
  });

  it("a paid order's royalty_users join the royalty pool; an unpaid order's do not", async () => {
    const royaltiesOf = async (sourceNo: string) =>
      (
        (await call(sb, "GET", "/_sim/royalties")).body.data as {
          source_no: string;
          source_user: string;
          amount: number;
          status: string;
        }[]
      ).filter((r) => r.source_no === sourceNo);
    const o = await newOrder({
      royalty_users: [
        { user: "user_r1", amount: 120 },
        { user: "user_r2", amount: 30 },
      ],
    });
    expect(o.status, o.text).toBe(200);
    const pay = await call(sb, "POST", `/v1/orders/${o.body.id}/pay`, { channel: "alipay_qr" });
    expect(pay.status, pay.text).toBe(200);
    expect(await royaltiesOf(o.body.merchant_order_no)).toEqual([]);
    await call(sb, "POST", `/_sim/charges/${pay.body.charge}/pay`, {});
    const added = await royaltiesOf(o.body.merchant_order_no);
    expect(added.map((r) => [r.source_user, r.amount, r.status]).sort()).toEqual([
      ["user_r1", 120, "created"],
      ["user_r2", 30, "created"],
    ]);
  });

  it("an order past its time_expire is canceled; its charge expires with it and cannot be paid", async () => {
    const expire = Math.floor(Date.now() / 1000) + 120;
    const o = await newOrder({ time_expire: expire });
    const pay = await call(sb, "POST", `/v1/orders/${o.body.id}/pay`, { channel: "alipay_qr" });
    expect(pay.status, pay.text).toBe(200);
    const chId = pay.body.charge as string;
    // the charge's own default lifetime is a day: it is cut to the order's
    expect(pay.body.charges.data[0].time_expire).toBe(expire);

    const expired = await call(sb, "POST", `/_sim/orders/${o.body.id}/expire`, {});
    expect(expired.status, expired.text).toBe(200);
    expect(expired.body).toMatchObject({ status: "canceled", paid: false });
    expect((await call(sb, "GET", `/v1/orders/${o.body.id}`)).body.status).toBe("canceled");
    const canceledList = await call(sb, "GET", `/v1/orders?app=${sb.appId}&canceled=true&per_page=20`);
    expect(canceledList.body.data.map((x: { id: string }) => x.id)).toContain(o.body.id);
    const ch = await call(sb, "GET", `/v1/charges/${chId}`);
    expect(ch.body).toMatchObject({ paid: false, credential: {} });
    expect(ch.body.time_expire).toBeLessThan(Math.floor(Date.now() / 1000) + 1);

    const late = await call(sb, "POST", `/_sim/charges/${chId}/pay`, {});
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({ type: "invalid_request_error", code: "charge_unexpected_status" });
    expect((await call(sb, "GET", `/v1/orders/${o.body.id}`)).body).toMatchObject({
      status: "canceled",
      paid: false,
      amount_paid: 0,
    });
    const again = await call(sb, "POST", `/v1/orders/${o.body.id}/pay`, { channel: "alipay_qr" });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/已过期/);
    const cancel = await call(sb, "PUT", `/v1/orders/${o.body.id}`, { status: "canceled" });
    expect(cancel.status).toBe(400);
    expect(cancel.body.error).toMatchObject({ type: "invalid_request_error", param: "status" });
    expect(eventsFor(chId)).not.toContain("charge.succeeded");
  });

  it("cancel checks user against the order's uid", async () => {
    const o = await newOrder();
    const wrong = await call(sb, "PUT", `/v1/orders/${o.body.id}`, { status: "canceled", user: "user_008" });
    expect(wrong.status).toBe(400);
    expect(Object.keys(wrong.body)).toEqual(["error"]);
    expect(wrong.body.error).toEqual({
      type: "invalid_request_error",
      message: expect.stringMatching(/uid/),
      param: "user",
    });
    expect((await call(sb, "GET", `/v1/orders/${o.body.id}`)).body.status).toBe("created");
    const right = await call(sb, "PUT", `/v1/orders/${o.body.id}`, { status: "canceled", user: "user_007" });
    expect(right.status, right.text).toBe(200);
    expect(right.body.status).toBe("canceled");
    // without user (as the Node SDK's cancel sends it) there is nothing to compare
    const o2 = await newOrder();
    expect((await call(sb, "PUT", `/v1/orders/${o2.body.id}`, { status: "canceled" })).body.status).toBe("canceled");
  });

  it("order refunds follow the guide: description, refund_mode, charge_amount with charge, funding_source for WeChat only", async () => {
    const paidOrder = async (channel: string, extra?: Record<string, unknown>) => {
      const o = await newOrder();
      const p = await call(sb, "POST", `/v1/orders/${o.body.id}/pay`, { channel, extra });
      await call(sb, "POST", `/_sim/charges/${p.body.charge}/pay`, {});
      return { id: o.body.id as string, ch: p.body.charge as string };
    };
    const ali = await paidOrder("alipay_qr");
    const refund = (id: string, body: Record<string, unknown>) =>
      call(sb, "POST", `/v1/orders/${id}/order_refunds`, body);
    const refusals: [Record<string, unknown>, string][] = [
      [{ charge: ali.ch, charge_amount: 100 }, "description"],
      [{ charge: ali.ch, charge_amount: 100, description: "" }, "description"],
      [{ charge: ali.ch, description: "退货", refund_mode: "to_card" }, "refund_mode"],
      [{ charge_amount: 100, description: "退货" }, "charge_amount"],
      [{ charge: ali.ch, charge_amount: 100, description: "退货", funding_source: "recharge_funds" }, "funding_source"],
      [{ charge: ali.ch, description: "退货", funding_source: "other_funds" }, "funding_source"],
    ];
    for (const [body, param] of refusals) {
      const res = await refund(ali.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error, JSON.stringify(body)).toMatchObject({ type: "invalid_request_error", param });
      expect(typeof res.body.error.message).toBe("string");
    }
    expect((await call(sb, "GET", `/v1/orders/${ali.id}/order_refunds`)).body.data).toEqual([]);
    // the same rule on a charge refund
    const chargeRefund = await call(sb, "POST", `/v1/charges/${ali.ch}/refunds`, {
      description: "退货",
      funding_source: "unsettled_funds",
    });
    expect(chargeRefund.body.error).toMatchObject({ type: "invalid_request_error", param: "funding_source" });

    const ok = await refund(ali.id, {
      charge: ali.ch,
      charge_amount: 100,
      description: "退货",
      refund_mode: "to_balance",
    });
    expect(ok.status, ok.text).toBe(200);
    const wx = await paidOrder("wx_pub_qr", { product_id: "P1" });
    const wxOk = await refund(wx.id, {
      charge: wx.ch,
      charge_amount: 100,
      description: "退货",
      refund_mode: "to_source",
      funding_source: "recharge_funds",
    });
    expect(wxOk.status, wxOk.text).toBe(200);
    expect(wxOk.body.data[0]).toMatchObject({ amount: 100, funding_source: "recharge_funds" });
  });

  it("royalty_users on a refund come out of the order's unsettled royalties; more than is left is refused", async () => {
    const pool = async (sourceNo: string) =>
      (
        (await call(sb, "GET", "/_sim/royalties")).body.data as {
          source_no: string;
          source_user: string;
          amount: number;
        }[]
      )
        .filter((r) => r.source_no === sourceNo)
        .map((r) => [r.source_user, r.amount])
        .sort();
    const o = await newOrder({
      royalty_users: [
        { user: "user_r1", amount: 120 },
        { user: "user_r2", amount: 30 },
      ],
    });
    const pay = await call(sb, "POST", `/v1/orders/${o.body.id}/pay`, { channel: "alipay_qr" });
    await call(sb, "POST", `/_sim/charges/${pay.body.charge}/pay`, {});
    const no = o.body.merchant_order_no as string;
    expect(await pool(no)).toEqual([
      ["user_r1", 120],
      ["user_r2", 30],
    ]);
    const refund = (charge_amount: number, royalty_users: unknown) =>
      call(sb, "POST", `/v1/orders/${o.body.id}/order_refunds`, {
        charge: pay.body.charge,
        charge_amount,
        description: "退货",
        royalty_users,
      });

    const r1 = await refund(200, [{ user: "user_r1", amount_refunded: 50 }]);
    expect(r1.status, r1.text).toBe(200);
    expect(await pool(no)).toEqual([
      ["user_r1", 70],
      ["user_r2", 30],
    ]);
    for (const bad of [
      [{ user: "user_r2", amount_refunded: 31 }],
      [{ user: "user_x", amount_refunded: 1 }],
      [
        { user: "user_r1", amount_refunded: 40 },
        { user: "user_r1", amount_refunded: 40 },
      ],
    ]) {
      const res = await refund(100, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", param: "royalty_users" });
    }
    // more than the refund
    expect((await refund(10, [{ user: "user_r2", amount_refunded: 11 }])).body.error.param).toBe("royalty_users");
    expect(await pool(no)).toEqual([
      ["user_r1", 70],
      ["user_r2", 30],
    ]);
    expect((await call(sb, "GET", `/v1/orders/${o.body.id}/order_refunds`)).body.data).toHaveLength(1);
    const r2 = await refund(100, [{ user: "user_r2", amount_refunded: 30 }]);
    expect(r2.status, r2.text).toBe(200);
    expect(await pool(no)).toEqual([["user_r1", 70]]);
  });

  it("sim pay_twice pays from two channels; pay_after_cancel pays a canceled order", async () => {
    const o = await newOrder();
    const t = await call(sb, "POST", `/_sim/orders/${o.body.id}/pay_twice`, {});
    expect(t.status, t.text).toBe(200);
    expect(t.body.amount_paid).toBe(1600);
    const channels = t.body.charges.data.map((c: { channel: string; paid: boolean }) => [c.channel, c.paid]);
    expect(channels).toHaveLength(2);
    expect(channels.every((c: [string, boolean]) => c[1])).toBe(true);
    const full = await call(sb, "POST", `/v1/orders/${o.body.id}/order_refunds`, { description: "全部退" });
    expect(full.body.data).toHaveLength(2);

    const o2 = await newOrder();
    const c = await call(sb, "POST", `/_sim/orders/${o2.body.id}/pay_after_cancel`, {});
    expect(c.status, c.text).toBe(200);
    expect(c.body).toMatchObject({ status: "canceled", paid: true, amount_paid: 800 });
  });
});

describe("red envelopes", () => {
  const params = (over: Record<string, unknown> = {}) => ({
    app: { id: sb.appId },
    channel: "wx_pub",
    order_no: String(Date.now()) + String(Math.floor(Math.random() * 1000)),
    amount: 100,
    currency: "cny",
    recipient: "o9zpMs7Xk9e9aJbTXgufovuWGp7c",
    subject: "红包",
    body: "恭喜发财",
    description: "测试红包",
    extra: { send_name: "商户" },
    ...over,
  });

  it("validates amount range, scene_id and byte limits", async () => {
    expect((await call(sb, "POST", "/v1/red_envelopes", params({ amount: 99 }))).body.error.param).toBe("amount");
    expect((await call(sb, "POST", "/v1/red_envelopes", params({ amount: 20_001 }))).status).toBe(400);
    const scene = await call(
      sb,
      "POST",
      "/v1/red_envelopes",
      params({ amount: 50, extra: { send_name: "商户", scene_id: "PRODUCT_3" } }),
    );
    expect(scene.status, scene.text).toBe(200);
    const badScene = await call(
      sb,
      "POST",
      "/v1/red_envelopes",
      params({ amount: 50, extra: { send_name: "商户", scene_id: "PRODUCT_9" } }),
    );
    expect(badScene.body.error.param).toBe("extra[scene_id]");
    // 11 CJK chars = 33 bytes > 32
    const long = await call(sb, "POST", "/v1/red_envelopes", params({ subject: "红包红包红包红包红包红" }));
    expect(long.status).toBe(400);
    expect(long.body.error.param).toBe("subject");
    expect((await call(sb, "POST", "/v1/red_envelopes", params({ extra: {} }))).body.error.param).toBe(
      "extra[send_name]",
    );
    expect((await call(sb, "POST", "/v1/red_envelopes", params({ order_no: "abc" }))).body.error.param).toBe(
      "order_no",
    );
  });

  it("test-mode quirk: 1st retrieve → sent (event), 2nd → received (event)", async () => {
    const r = await call(sb, "POST", "/v1/red_envelopes", params());
    expect(r.body).toMatchObject({ object: "red_envelope", status: "sending", received: null });
    expect(r.body.id).toMatch(/^red_[0-9a-zA-Z]{24}$/);
    const one = await call(sb, "GET", `/v1/red_envelopes/${r.body.id}`);
    expect(one.body.status).toBe("sent");
    const two = await call(sb, "GET", `/v1/red_envelopes/${r.body.id}?`);
    expect(two.body.status).toBe("received");
    expect(two.body.received).toBeGreaterThan(0);
    const three = await call(sb, "GET", `/v1/red_envelopes/${r.body.id}`);
    expect(three.body.status).toBe("received");
    await waitFor(() => eventsFor(r.body.id).length === 2);
    // one event per step; two webhooks POSTed a moment apart may arrive in either order
    expect(eventsFor(r.body.id).sort()).toEqual(["red_envelope.received", "red_envelope.sent"]);
    const list = await call(sb, "GET", `/v1/red_envelopes?app[id]=${sb.appId}&limit=1`);
    expect(list.body.data[0].id).toBe(r.body.id);

    const f = await call(sb, "POST", "/v1/red_envelopes", params());
    const failed = await call(sb, "POST", `/_sim/red_envelopes/${f.body.id}/fail`, {});
    expect(failed.body.status).toBe("failed");
    const g = await call(sb, "POST", "/v1/red_envelopes", params());
    expect((await call(sb, "POST", `/_sim/red_envelopes/${g.body.id}/receive`, {})).body.status).toBe("received");
  });

  it("a sent envelope nobody claims for 24 h (time-scaled) is refunded, with no event; a received one is not", async () => {
    // 24 h × 0.00002 = 1.7 s. The list shows the state without advancing it (a retrieve would receive it).
    const rx2 = await startReceiver();
    const fast = await startSandbox({ port: 0, timeScale: 0.00002, webhookUrl: rx2.url });
    try {
      const create = async () =>
        (await call(fast, "POST", "/v1/red_envelopes", { ...params(), app: { id: fast.appId } })).body.id as string;
      const unclaimed = await create();
      const claimed = await create();
      await call(fast, "GET", `/v1/red_envelopes/${unclaimed}`); // → sent
      await call(fast, "GET", `/v1/red_envelopes/${claimed}`); // → sent
      await call(fast, "GET", `/v1/red_envelopes/${claimed}`); // → received
      const listed = async () =>
        new Map(
          (
            (await call(fast, "GET", `/v1/red_envelopes?app[id]=${fast.appId}&limit=10`)).body.data as {
              id: string;
              status: string;
              refunded: number | null;
            }[]
          ).map((x) => [x.id, x]),
        );
      expect((await listed()).get(unclaimed)).toMatchObject({ status: "sent", refunded: null });
      await waitFor(async () => (await listed()).get(unclaimed)?.status === "refund", 10_000);
      const after = await listed();
      expect(after.get(unclaimed)!.refunded).toBeGreaterThan(0);
      expect(after.get(claimed)).toMatchObject({ status: "received", refunded: null });
      const types = rx2.received.filter((r) => r.event.data.object.id === unclaimed).map((r) => r.event.type);
      expect(types).toEqual(["red_envelope.sent"]);
    } finally {
      await fast.close();
      await rx2.close();
    }
    // and at once, through the control; only a sent envelope can be refunded
    const h = await call(sb, "POST", "/v1/red_envelopes", params());
    await call(sb, "GET", `/v1/red_envelopes/${h.body.id}`);
    expect((await call(sb, "POST", `/_sim/red_envelopes/${h.body.id}/refund`, {})).body).toMatchObject({
      status: "refund",
    });
    expect((await call(sb, "POST", `/_sim/red_envelopes/${h.body.id}/refund`, {})).status).toBe(400);
  });
});

describe("royalty settlements", () => {
  const pool = async () =>
    (await call(sb, "GET", "/_sim/royalties")).body.data as { id: string; status: string; amount: number }[];
  const settle = (over: Record<string, unknown> = {}) =>
    call(sb, "POST", "/v1/royalty_settlements", { payer_app: sb.appId, method: "alipay", ...over });

  it("preview computes without creating or changing anything", async () => {
    const before = JSON.stringify(await pool());
    const p = await settle({ is_preview: true });
    expect(p.status, p.text).toBe(200);
    expect(p.body).toMatchObject({ object: "royalty_settlement", status: "created" });
    expect(p.body.amount).toBeGreaterThan(0);
    expect(p.body.royalty_transactions.data.length).toBe(p.body.count);
    expect(JSON.stringify(await pool())).toBe(before);
    expect((await call(sb, "GET", `/v1/royalty_settlements/${p.body.id}`)).status).toBe(404);
    const list = await call(sb, "GET", `/v1/royalty_settlements?payer_app=${sb.appId}`);
    expect(list.body.data).toHaveLength(0);
  });

  it("create takes the pool, cancel returns it (event canceled); confirm → outcome; nothing left → 400", async () => {
    const unsettled = (await pool()).filter((r) => r.status === "created");
    const total = unsettled.reduce((n, r) => n + r.amount, 0);
    const s = await settle();
    expect(s.status).toBe(200);
    expect(s.body.amount).toBe(total);
    expect(s.body.royalty_transactions.data.every((t: { status: string }) => t.status === "created")).toBe(true);
    expect((await settle()).status).toBe(400);

    const cancel = await call(sb, "PUT", `/v1/royalty_settlements/${s.body.id}`, { status: "canceled" });
    expect(cancel.body).toMatchObject({ status: "canceled", amount_canceled: total, count_canceled: s.body.count });
    await waitFor(() => eventsFor(s.body.id).includes("royalty_settlement.canceled"));
    expect((await call(sb, "PUT", `/v1/royalty_settlements/${s.body.id}`, { status: "pending" })).status).toBe(400);

    await call(sb, "POST", "/_sim/royalties", { royalties: [{ amount: 500, source_user: "user_009" }] });
    await call(sb, "POST", "/_sim/royalty_settlements/next_outcome", { status: "partially_succeeded", fail_count: 1 });
    const s2 = await settle();
    expect(s2.body.amount).toBe(total + 500);
    const confirm = await call(sb, "PUT", `/v1/royalty_settlements/${s2.body.id}`, { status: "pending" });
    expect(confirm.body.status).toBe("pending");
    await waitFor(() => eventsFor(s2.body.id).includes("royalty_settlement.partially_succeeded"));
    const done = await call(sb, "GET", `/v1/royalty_settlements/${s2.body.id}`);
    expect(done.body).toMatchObject({ status: "partially_succeeded", count_failed: 1 });
    expect(done.body.amount_succeeded + done.body.amount_failed).toBe(done.body.amount);
    const failedTx = done.body.royalty_transactions.data.find((t: { status: string }) => t.status === "failed");
    expect((await call(sb, "GET", `/v1/royalty_transactions/${failedTx.id}`)).body.status).toBe("failed");
    const txList = await call(sb, "GET", `/v1/royalty_transactions?royalty_settlement=${s2.body.id}`);
    expect(txList.body.data).toHaveLength(done.body.count);

    // the failed transaction's royalties are back in the pool: settle them, default outcome succeeded
    const s3 = await settle();
    expect(s3.body.amount).toBe(done.body.amount_failed);
    await call(sb, "PUT", `/v1/royalty_settlements/${s3.body.id}`, { status: "pending" });
    await waitFor(() => eventsFor(s3.body.id).includes("royalty_settlement.succeeded"));
    const nothing = await settle();
    expect(nothing.status).toBe(400);
    expect(nothing.body.error.message).toMatch(/Nothing to settle/);
    expect((await call(sb, "GET", "/v1/royalty_settlements")).status).toBe(400);
  });
});
