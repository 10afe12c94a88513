import { generateKeyPairSync, createSign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "./server";
import { call, chargeParams, orderNo } from "./test-helpers";
import { parseQuery } from "./util";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, timeScale: 0.001, refundDelayMs: 30, faultTimeoutMs: 300 });
});
afterAll(() => sb.close());

const createCharge = (over: Record<string, unknown> = {}) =>
  call(sb, "POST", "/v1/charges", chargeParams(sb.appId, over));

function expectErrorShape(body: unknown) {
  const err = (body as { error: Record<string, unknown> }).error;
  expect(typeof err.type).toBe("string");
  expect(typeof err.message).toBe("string");
  for (const v of Object.values(err)) expect(v).not.toBeNull();
  expect(Object.keys(body as object)).toEqual(["error"]);
  return err;
}

describe("auth", () => {
  it("accepts Bearer and Basic key:, refuses a wrong or missing key with 401 and a clean error body", async () => {
    const ch = await createCharge();
    expect(ch.status).toBe(200);
    const basic = await call(sb, "GET", `/v1/charges/${ch.body.id}`, undefined, {
      auth: `Basic ${Buffer.from(`${sb.apiKey}:`).toString("base64")}`,
    });
    expect(basic.status).toBe(200);
    expect(basic.body.id).toBe(ch.body.id);

    const wrong = await call(sb, "GET", `/v1/charges/${ch.body.id}`, undefined, { auth: "Bearer sk_test_wrong" });
    expect(wrong.status).toBe(401);
    const err = expectErrorShape(wrong.body);
    expect(err.type).toBe("invalid_request_error");
    expect("code" in err).toBe(false);
    expect("param" in err).toBe(false);

    const wrongBasic = await call(sb, "GET", `/v1/charges/${ch.body.id}`, undefined, {
      auth: `Basic ${Buffer.from("sk_test_x:").toString("base64")}`,
    });
    expect(wrongBasic.status).toBe(401);
    const none = await call(sb, "GET", `/v1/charges/${ch.body.id}`, undefined, { auth: null });
    expect(none.status).toBe(401);
  });

  it("answers 404 with an error body for unknown objects and routes", async () => {
    const r = await call(sb, "GET", "/v1/charges/ch_doesnotexist000000000000");
    expect(r.status).toBe(404);
    expectErrorShape(r.body);
    const u = await call(sb, "GET", "/v1/nothing");
    expect(u.status).toBe(404);
    expectErrorShape(u.body);
  });
});

describe("query parsing and URL quirks", () => {
  it("parses brackets generically", () => {
    expect(parseQuery("app%5Bid%5D=app_x&limit=3")).toEqual({ app: { id: "app_x" }, limit: "3" });
    expect(parseQuery("expand[]=app&expand[]=x")).toEqual({ expand: ["app", "x"] });
    expect(parseQuery("a[0]=x&a[1]=y")).toEqual({ a: ["x", "y"] });
    expect(parseQuery("created[gt]=1&created[lte]=5")).toEqual({ created: { gt: "1", lte: "5" } });
    expect(parseQuery("k=1&k=2")).toEqual({ k: ["1", "2"] });
    expect(parseQuery("")).toEqual({});
    expect(parseQuery("__proto__[x]=1")).toEqual({});
  });

  it("serves GET with a lone trailing `?` and bracket / percent-encoded query strings", async () => {
    const ch = await createCharge();
    const r = await call(sb, "GET", `/v1/charges/${ch.body.id}?`);
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(ch.body.id);
    const enc = await call(sb, "GET", `/v1/charges?app%5Bid%5D=${sb.appId}&limit=1`);
    expect(enc.status).toBe(200);
    expect(Object.keys(enc.body)).toEqual(["object", "url", "has_more", "data"]);
    expect(enc.body.data).toHaveLength(1);
    const plain = await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}&limit=100`);
    expect(plain.body.data.length).toBeGreaterThanOrEqual(2);
    expect(plain.body.data[0].app).toBe(sb.appId);
    const expanded = await call(sb, "GET", `/v1/charges/${ch.body.id}?expand%5B%5D=app`);
    expect(expanded.body.app).toMatchObject({ id: sb.appId, object: "app" });
  });
});

describe("charges", () => {
  const channels: [string, Record<string, unknown>, string?][] = [
    ["alipay_qr", {}],
    ["wx_pub_qr", { product_id: "P001" }],
    ["cb_alipay_qr", {}, "usd"],
    ["cb_wx_pub_qr", { product_id: "P001", goods_list: [{ goods_name: "iPhone", goods_num: "1" }] }, "usd"],
    ["upacp_qr", {}],
    ["ccb_qr", { pos_id: "025547632" }],
    ["isv_qr", { terminal_id: "T0000001", pay_channel: "wx" }],
    ["isv_wap", { terminal_id: "T0000001", pay_channel: "alipay", result_url: "https://example.com/r" }],
  ];
  for (const [channel, extra, currency] of channels) {
    it(`creates a ${channel} charge with a sandbox pay-page credential`, async () => {
      const r = await createCharge({ channel, extra, currency: currency ?? "cny" });
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({
        object: "charge",
        channel,
        paid: false,
        refunded: false,
        reversed: false,
        livemode: false,
        amount: 1000,
      });
      expect(r.body.id).toMatch(/^ch_[0-9a-zA-Z]{24}$/);
      expect(r.body.credential).toEqual({ object: "credential", [channel]: `${sb.url}/pay/${r.body.id}` });
      expect(r.body.refunds).toEqual({
        object: "list",
        url: `/v1/charges/${r.body.id}/refunds`,
        has_more: false,
        data: [],
      });
    });
  }

  it("isv_scan is synchronous: paid at once, empty credential, or 402 channel_error for a failing code", async () => {
    const ok = await createCharge({
      channel: "isv_scan",
      extra: { terminal_id: "T1", scan_code: "131141564583769183" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ paid: true, credential: {} });
    expect(ok.body.transaction_no).toBeTruthy();
    const bad = await createCharge({ channel: "isv_scan", extra: { terminal_id: "T1", scan_code: "fail_1234" } });
    expect(bad.status).toBe(402);
    expect(expectErrorShape(bad.body).type).toBe("channel_error");
  });

  it("validates parameters with 400 and a param", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: 0 }, "amount"],
      [{ amount: 1.5 }, "amount"],
      [{ amount: "100" }, "amount"],
      [{ subject: "x".repeat(33) }, "subject"],
      [{ body: "x".repeat(129) }, "body"],
      [{ order_no: "has-dash" }, "order_no"],
      [{ channel: "bitcoin" }, "channel"],
      [{ channel: "wx_pub_qr", extra: {} }, "extra[product_id]"],
      [{ channel: "isv_qr", extra: { terminal_id: "T1", pay_channel: "paypal" } }, "extra[pay_channel]"],
      [{ channel: "cb_wx_pub_qr", extra: { product_id: "p" } }, "extra[goods_list]"],
      [{ currency: "usd" }, "currency"],
      [{ app: { id: "app_other0000000000" } }, "app[id]"],
    ];
    for (const [over, param] of cases) {
      const r = await createCharge(over);
      expect(r.status, JSON.stringify(over)).toBe(400);
      const err = expectErrorShape(r.body);
      expect(err.type).toBe("invalid_request_error");
      expect(err.param, JSON.stringify(over)).toBe(param);
    }
    const missing = await call(sb, "POST", "/v1/charges", { app: { id: sb.appId } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/缺少参数/);
    const badJson = await call(sb, "POST", "/v1/charges", undefined, { raw: "{nope" });
    expect(badJson.status).toBe(400);
  });

  it("returns the first charge for the same 6-tuple, refuses a reused order_no with other params", async () => {
    const p = chargeParams(sb.appId);
    const a = await call(sb, "POST", "/v1/charges", p);
    const b = await call(sb, "POST", "/v1/charges", p);
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    const c = await call(sb, "POST", "/v1/charges", { ...p, amount: 999 });
    expect(c.status).toBe(400);
    expect(c.body.error.param).toBe("order_no");
  });

  it("requires app[id] to list charges and pages with cursors", async () => {
    const none = await call(sb, "GET", "/v1/charges");
    expect(none.status).toBe(400);
    expect(none.body.error.param).toBe("app[id]");
    const first = await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}&limit=2`);
    expect(first.body.has_more).toBe(true);
    const next = await call(
      sb,
      "GET",
      `/v1/charges?app[id]=${sb.appId}&limit=2&starting_after=${first.body.data[1].id}`,
    );
    expect(next.body.data[0].id).not.toBe(first.body.data[1].id);
    expect(next.body.data[0].created).toBeLessThanOrEqual(first.body.data[1].created);
    const back = await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}&limit=2&ending_before=${next.body.data[0].id}`);
    expect(back.body.data.map((c: { id: string }) => c.id)).toEqual(first.body.data.map((c: { id: string }) => c.id));
    const bad = await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}&limit=500`);
    expect(bad.status).toBe(400);
  });

  it("reverses unpaid charges of reversible channels only; a reversed charge cannot be paid", async () => {
    const ch = await createCharge();
    const rev = await call(sb, "POST", `/v1/charges/${ch.body.id}/reverse`, {});
    expect(rev.status).toBe(200);
    expect(rev.body.reversed).toBe(true);
    const pay = await call(sb, "POST", `/_sim/charges/${ch.body.id}/pay`, {});
    expect(pay.status).toBe(400);
    expect(pay.body.error.message).toMatch(/撤销/);

    const up = await createCharge({ channel: "upacp_qr" });
    const r2 = await call(sb, "POST", `/v1/charges/${up.body.id}/reverse`, {});
    expect(r2.status).toBe(400);
    expect(r2.body.error.message).toMatch(/不支持撤销/);

    const paid = await createCharge();
    await call(sb, "POST", `/_sim/charges/${paid.body.id}/pay`, {});
    const r3 = await call(sb, "POST", `/v1/charges/${paid.body.id}/reverse`, {});
    expect(r3.status).toBe(400);
    expect(r3.body.error.code).toBe("charge_unexpected_status");

    // isv_* may be reversed even when paid, the same day (a scan-code payment is paid at once)
    const scan = await createCharge({
      channel: "isv_scan",
      extra: { terminal_id: "T01", scan_code: "286801346868493272" },
    });
    expect(scan.body.paid, scan.text).toBe(true);
    const r4 = await call(sb, "POST", `/v1/charges/${scan.body.id}/reverse`, {});
    expect(r4.status, r4.text).toBe(200);
    expect(r4.body).toMatchObject({ paid: true, reversed: true });
  });

  it("sim fail/expire: failure fields set, expired charges cannot be paid", async () => {
    const ch = await createCharge();
    const f = await call(sb, "POST", `/_sim/charges/${ch.body.id}/fail`, {});
    expect(f.body.failure_msg).toBeTruthy();
    expect(f.body.paid).toBe(false);
    const x = await call(sb, "POST", `/_sim/charges/${ch.body.id}/expire`, {});
    expect(x.body.time_expire).toBeLessThan(Math.floor(Date.now() / 1000));
    const pay = await call(sb, "POST", `/_sim/charges/${ch.body.id}/pay`, {});
    expect(pay.status).toBe(400);
  });

  it("a failed attempt leaves a QR charge open: the pay page offers to pay again, and paying clears the failure", async () => {
    const ch = await createCharge();
    const form = { raw: "", headers: { "content-type": "application/x-www-form-urlencoded" } };
    const fail = await call(sb, "POST", `/_sim/charges/${ch.body.id}/fail`, undefined, form);
    expect(fail.status).toBe(303);
    expect((await call(sb, "GET", `/v1/charges/${ch.body.id}`)).body).toMatchObject({
      paid: false,
      failure_code: "USER_PAY_FAIL",
    });
    const page = await call(sb, "GET", `/pay/${ch.body.id}`);
    expect(page.text).toContain("用户支付失败");
    expect(page.text).toContain(`action="/_sim/charges/${ch.body.id}/pay"`);
    expect((await call(sb, "POST", `/_sim/charges/${ch.body.id}/pay`, undefined, form)).status).toBe(303);
    const after = await call(sb, "GET", `/v1/charges/${ch.body.id}`);
    expect(after.body).toMatchObject({ paid: true, failure_code: null, failure_msg: null });
    // a closed charge records no more attempts
    const late = await call(sb, "POST", `/_sim/charges/${ch.body.id}/fail`, {});
    expect(late.status).toBe(400);
    const reversed = await createCharge();
    await call(sb, "POST", `/v1/charges/${reversed.body.id}/reverse`, {});
    expect((await call(sb, "POST", `/_sim/charges/${reversed.body.id}/fail`, {})).status).toBe(400);
  });

  it("serves a Chinese pay page whose form pays the charge", async () => {
    const ch = await createCharge();
    const page = await call(sb, "GET", `/pay/${ch.body.id}`);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.text).toContain("确认支付");
    expect(page.text).toContain('name="viewport"');
    expect(page.text).toContain(`action="/_sim/charges/${ch.body.id}/pay"`);
    // the old address stays an alias
    expect((await call(sb, "GET", `/_sim/pay/${ch.body.id}`)).text).toBe(page.text);
    expect((await call(sb, "GET", "/pay/ch_nope")).status).toBe(404);
    expect(page.text).toContain("¥10.00");
    const form = await call(sb, "POST", `/_sim/charges/${ch.body.id}/pay`, undefined, {
      raw: "",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe(`/pay/${ch.body.id}`);
    const after = await call(sb, "GET", `/v1/charges/${ch.body.id}`);
    expect(after.body.paid).toBe(true);
    expect((await call(sb, "GET", `/_sim/pay/${ch.body.id}`)).text).toContain("支付成功");
  });
});

describe("refunds", () => {
  it("refuses unpaid charges and over-refunds; pending then succeeded; amount_refunded counts succeeded", async () => {
    const ch = await createCharge({ amount: 1000 });
    const unpaid = await call(sb, "POST", `/v1/charges/${ch.body.id}/refunds`, { amount: 100, description: "x" });
    expect(unpaid.status).toBe(400);
    expect(unpaid.body.error.message).toMatch(/未支付/);
    await call(sb, "POST", `/_sim/charges/${ch.body.id}/pay`, {});

    const noDesc = await call(sb, "POST", `/v1/charges/${ch.body.id}/refunds`, { amount: 100 });
    expect(noDesc.status).toBe(400);
    expect(noDesc.body.error.param).toBe("description");

    const re1 = await call(sb, "POST", `/v1/charges/${ch.body.id}/refunds`, { amount: 600, description: "部分退款" });
    expect(re1.status).toBe(200);
    expect(re1.body).toMatchObject({
      object: "refund",
      status: "pending",
      succeed: false,
      amount: 600,
      charge: ch.body.id,
    });
    expect(re1.body.id).toMatch(/^re_[0-9a-zA-Z]{24}$/);
    const mid = await call(sb, "GET", `/v1/charges/${ch.body.id}`);
    expect(mid.body.refunded).toBe(true);

    const over = await call(sb, "POST", `/v1/charges/${ch.body.id}/refunds`, { amount: 401, description: "too much" });
    expect(over.status).toBe(400);
    expect(over.body.error.param).toBe("amount");

    const rest = await call(sb, "POST", `/v1/charges/${ch.body.id}/refunds`, { description: "剩余" });
    expect(rest.body.amount).toBe(400);

    await new Promise((r) => setTimeout(r, 150));
    const done = await call(sb, "GET", `/v1/charges/${ch.body.id}/refunds/${re1.body.id}`);
    expect(done.body).toMatchObject({ status: "succeeded", succeed: true });
    expect(done.body.time_succeed).toBeGreaterThan(0);
    const list = await call(sb, "GET", `/v1/charges/${ch.body.id}/refunds?limit=10`);
    expect(list.body.data).toHaveLength(2);
    const after = await call(sb, "GET", `/v1/charges/${ch.body.id}`);
    expect(after.body.amount_refunded).toBe(1000);
    expect(after.body.refunds.data).toHaveLength(2);
    const full = await call(sb, "POST", `/v1/charges/${ch.body.id}/refunds`, { description: "again" });
    expect(full.status).toBe(400);
  });
});

describe("faults", () => {
  it("forces a JSON 500, an HTML 502, a 402 channel_error and a timeout on the next API calls only", async () => {
    await call(sb, "POST", "/_sim/faults", { mode: "500", count: 1 });
    const a = await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}`);
    expect(a.status).toBe(500);
    expect(a.body.error.type).toBe("api_error");
    expect((await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}`)).status).toBe(200);

    await call(sb, "POST", "/_sim/faults", { mode: "502_html", count: 2 });
    const b = await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}`);
    expect(b.status).toBe(502);
    expect(b.headers["content-type"]).toMatch(/text\/html/);
    expect((await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}`)).status).toBe(502);
    expect((await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}`)).status).toBe(200);

    await call(sb, "POST", "/_sim/faults", { mode: "channel_error", count: 1 });
    const c = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    expect(c.status).toBe(402);
    expect(expectErrorShape(c.body)).toMatchObject({ type: "channel_error", code: "channel_connection_error" });
    expect((await call(sb, "POST", "/v1/charges", chargeParams(sb.appId))).status).toBe(200);

    await call(sb, "POST", "/_sim/faults", { mode: "timeout" });
    await expect(call(sb, "GET", `/v1/charges?app[id]=${sb.appId}`)).rejects.toThrow();
    expect((await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}`)).status).toBe(200);
  });
});

describe("request signatures", () => {
  it("verifies Pingplusplus-Signature over body + request target + timestamp when a merchant key is set", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    const signed = await startSandbox({ port: 0, merchantPublicKeyPem: publicKey });
    try {
      const sign = (data: string) => createSign("RSA-SHA256").update(data).sign(privateKey, "base64");
      const body = JSON.stringify(chargeParams(signed.appId, { order_no: orderNo() }));
      const ts = String(Math.floor(Date.now() / 1000));
      const headers = (sig: string) => ({ "pingplusplus-signature": sig, "pingplusplus-request-timestamp": ts });

      const ok = await call(signed, "POST", "/v1/charges", undefined, {
        raw: body,
        headers: headers(sign(body + "/v1/charges" + ts)),
      });
      expect(ok.status, ok.text).toBe(200);

      // node signs GETs with a lone trailing "?"
      const target = `/v1/charges/${ok.body.id}?`;
      const get = await call(signed, "GET", target, undefined, { headers: headers(sign(target + ts)) });
      expect(get.status).toBe(200);

      const tampered = await call(signed, "POST", "/v1/charges", undefined, {
        raw: body.replace('"amount":1000', '"amount":1001'),
        headers: headers(sign(body + "/v1/charges" + ts)),
      });
      expect(tampered.status).toBe(401);
      expectErrorShape(tampered.body);
      const missing = await call(signed, "GET", target);
      expect(missing.status).toBe(401);
      expect(missing.body.error.message).toMatch(/签名/);
    } finally {
      await signed.close();
    }
  });
});
