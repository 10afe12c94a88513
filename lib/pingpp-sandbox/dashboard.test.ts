// The sandbox's web page (GET /), its form-driven controls, and the pay-page URL inside QR credentials.
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lanIPv4, startSandbox, type Sandbox } from "./server";
import { call, chargeParams, orderNo, startReceiver, waitFor } from "./test-helpers";

const form = (sb: Sandbox, path: string, fields: Record<string, string>) =>
  call(sb, "POST", path, undefined, {
    raw: new URLSearchParams({ ...fields, _back: "/" }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });

describe("dashboard", () => {
  let sb: Sandbox;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    rx = await startReceiver([500]);
    sb = await startSandbox({
      port: 0,
      timeScale: 0.001,
      refundDelayMs: 10,
      settlementDelayMs: 10,
      webhookUrl: rx.url,
    });
  });
  afterAll(async () => {
    await sb.close();
    await rx.close();
  });

  it("lists charges, orders, red envelopes, settlements and deliveries, Chinese first, with control buttons", async () => {
    const ch = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId, { amount: 1234 }));
    const order = await call(sb, "POST", "/v1/orders", {
      app: sb.appId,
      merchant_order_no: orderNo().slice(0, 20),
      amount: 500,
      currency: "cny",
      client_ip: "127.0.0.1",
      subject: "s",
      body: "b",
      uid: "u1",
    });
    const red = await call(sb, "POST", "/v1/red_envelopes", {
      app: { id: sb.appId },
      channel: "wx_pub",
      order_no: String(Date.now()),
      amount: 100,
      currency: "cny",
      recipient: "openid_x",
      subject: "红包",
      body: "b",
      extra: { send_name: "n" },
    });
    const settlement = await call(sb, "POST", "/v1/royalty_settlements", { payer_app: sb.appId, method: "alipay" });
    const paid = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    await call(sb, "POST", `/_sim/charges/${paid.body.id}/pay`, {});
    await waitFor(async () => (await call(sb, "GET", "/_sim/deliveries?status=delivered")).body.data.length > 0);

    const page = await call(sb, "GET", "/", undefined, { headers: { accept: "text/html,*/*" } });
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    const html = page.text;
    expect(html).toContain('<html lang="zh-CN">');
    for (const heading of [
      "支付 Charges",
      "订单 Orders",
      "红包 Red envelopes",
      "分润结算 Royalty settlements",
      "Webhook 推送 Deliveries",
    ]) {
      expect(html).toContain(heading);
    }
    for (const id of [ch.body.id, order.body.id, red.body.id, settlement.body.id]) expect(html).toContain(id);
    expect(html).toContain("¥12.34");
    // controls
    for (const action of [
      `/_sim/charges/${ch.body.id}/pay`,
      `/_sim/charges/${ch.body.id}/fail`,
      `/_sim/charges/${ch.body.id}/expire`,
      `/_sim/orders/${order.body.id}/pay_twice`,
      `/_sim/orders/${order.body.id}/pay_after_cancel`,
      `/_sim/red_envelopes/${red.body.id}/receive`,
      "/_sim/royalty_settlements/next_outcome",
      "/_sim/royalties",
      "/_sim/faults",
      "/_sim/webhooks/redeliver",
    ]) {
      expect(html).toContain(`action="${action}"`);
    }
    expect(html).toContain('value="channel_error"');
    // the delivery log: first try got 500 "nope", then 200 "OK"
    expect(html).toContain("charge.succeeded");
    expect(html).toContain("已送达 / delivered");
    // the paid charge has no pay buttons any more
    expect(html).not.toContain(`action="/_sim/charges/${paid.body.id}/pay"`);

    // machine clients still get the JSON summary
    const json = await call(sb, "GET", "/", undefined, { headers: { accept: "application/json" } });
    expect(json.body).toMatchObject({ object: "sandbox", app_id: sb.appId, api_base: "/v1" });
  });

  it("its forms run the control and come back to the page with a notice; errors come back too", async () => {
    const ch = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    const pay = await form(sb, `/_sim/charges/${ch.body.id}/pay`, {});
    expect(pay.status).toBe(303);
    expect(pay.headers.location).toMatch(/^\/\?ok=/);
    expect((await call(sb, "GET", `/v1/charges/${ch.body.id}`)).body.paid).toBe(true);
    const again = await form(sb, `/_sim/charges/${ch.body.id}/fail`, {});
    expect(again.status).toBe(303);
    const back = new URL(again.headers.location ?? "", sb.url);
    expect(back.pathname).toBe("/");
    expect(back.searchParams.get("error")).toMatch(/已支付/);
    const shown = await call(sb, "GET", back.pathname + back.search);
    expect(shown.text).toContain('class="flash bad"');

    // blank optional inputs are ignored (fail_count left empty)
    const outcome = await form(sb, "/_sim/royalty_settlements/next_outcome", { status: "failed", fail_count: "" });
    expect(outcome.headers.location).toMatch(/\?ok=/);
    expect((await call(sb, "GET", "/")).text).toContain("当前 now: failed");

    const seeded = await form(sb, "/_sim/royalties", { amount: "777", source_user: "dash_user", count: "2" });
    expect(seeded.headers.location).toMatch(/\?ok=/);
    const pool = await call(sb, "GET", "/_sim/royalties");
    expect(pool.body.data.filter((r: { source_user: string }) => r.source_user === "dash_user")).toHaveLength(2);

    expect((await form(sb, "/_sim/faults", { mode: "channel_error", count: "1" })).status).toBe(303);
    expect((await call(sb, "GET", "/")).text).toContain("故障注入中 fault: channel_error");
    expect((await call(sb, "GET", `/v1/charges/${ch.body.id}`)).status).toBe(402);

    const order = await call(sb, "POST", "/v1/orders", {
      app: sb.appId,
      merchant_order_no: orderNo().slice(0, 20),
      amount: 500,
      currency: "cny",
      client_ip: "127.0.0.1",
      subject: "s",
      body: "b",
      uid: "u1",
    });
    expect((await form(sb, `/_sim/orders/${order.body.id}/pay_twice`, {})).headers.location).toMatch(/\?ok=/);
    const twice = await call(sb, "GET", `/v1/orders/${order.body.id}/charges`);
    expect(twice.body.data.filter((c: { paid: boolean }) => c.paid)).toHaveLength(2);

    const ev = (await call(sb, "GET", "/_sim/deliveries")).body.data[0].event_id as string;
    expect((await form(sb, "/_sim/webhooks/redeliver", { event_id: ev })).headers.location).toMatch(/\?ok=/);
    await waitFor(async () => (await call(sb, "GET", `/_sim/deliveries?event_id=${ev}`)).body.data.length === 2);

    // a non-local _back is not followed: the control answers as usual
    const evil = await call(sb, "POST", "/_sim/jobs/run", undefined, {
      raw: "_back=//evil.example/",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(evil.status).toBe(200);
    expect(evil.body.object).toBe("jobs");
  });
});

describe("pay page address in QR credentials", () => {
  it("is <publicUrl>/pay/<id> when publicUrl is given", async () => {
    const sb = await startSandbox({ port: 0, publicUrl: "https://pay.example.test/" });
    try {
      expect(sb.publicUrl).toBe("https://pay.example.test");
      const ch = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
      expect(ch.body.credential.alipay_qr).toBe(`https://pay.example.test/pay/${ch.body.id}`);
    } finally {
      await sb.close();
    }
  });

  it("uses the host's LAN IPv4 when listening on 0.0.0.0 without a publicUrl", async () => {
    const expected = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && !a.internal && a.family === "IPv4")?.address;
    expect(lanIPv4()).toBe(expected);
    const sb = await startSandbox({ port: 0, host: "0.0.0.0" });
    try {
      const port = new URL(sb.url).port;
      expect(sb.url).toBe(`http://127.0.0.1:${port}`); // the API stays on loopback for local clients
      expect(sb.publicUrl).toBe(`http://${expected ?? "127.0.0.1"}:${port}`);
      const ch = await call(
        sb,
        "POST",
        "/v1/charges",
        chargeParams(sb.appId, { channel: "wx_pub_qr", extra: { product_id: "p" } }),
      );
      expect(ch.body.credential.wx_pub_qr).toBe(`${sb.publicUrl}/pay/${ch.body.id}`);
      // and the page answers there
      if (expected) {
        const res = await fetch(`${sb.publicUrl}/pay/${ch.body.id}`);
        expect(res.status).toBe(200);
        expect(await res.text()).toContain("确认支付");
      }
    } finally {
      await sb.close();
    }
  });

  it("is the loopback listening URL by default", async () => {
    const sb = await startSandbox({ port: 0 });
    try {
      expect(sb.publicUrl).toBe(sb.url);
    } finally {
      await sb.close();
    }
  });
});
