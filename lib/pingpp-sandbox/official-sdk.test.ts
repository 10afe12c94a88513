// Ping++'s official Node SDK (`pingpp` 2.1.6 on npm, unchanged) against the sandbox over real HTTP, for every
// call in scope, with and without request signing. The SDK writes each request on the socket's `connect`
// event, so a kept-alive (reused) socket never sends its second request: Node ≥ 19 keeps connections alive
// by default, hence the non-keep-alive `http.globalAgent` for the duration of this file (restored after).
import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEvent, verifyWebhookSignature } from "@/lib/pingpp";
import { startSandbox, type Sandbox } from "./server";
import { orderNo, startReceiver, waitFor } from "./test-helpers";

// ---------------------------------------------------------------- the SDK's surface used here (it ships no types)

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;
type Call = (...args: unknown[]) => Promise<Obj>;
interface SdkError extends Error {
  type: string;
  rawType?: string;
  code?: string;
  param?: string;
}
interface PingppSdk {
  setHost(host: string, port?: number | string, protocol?: string): void;
  setPrivateKey(pem: string): void;
  setTimeout(ms: number): void;
  charges: Record<"create" | "retrieve" | "list" | "reverse" | "createRefund" | "listRefunds" | "retrieveRefund", Call>;
  orders: Record<
    | "create"
    | "retrieve"
    | "list"
    | "update"
    | "cancel"
    | "pay"
    | "createRefund"
    | "listRefunds"
    | "retrieveRefund"
    | "retrieveCharge"
    | "listCharges",
    Call
  >;
  redEnvelopes: Record<"create" | "retrieve" | "list", Call>;
  royaltySettlements: Record<"create" | "retrieve" | "list" | "update" | "cancel", Call>;
  royaltyTransactions: Record<"retrieve" | "list", Call>;
  events: Record<"retrieve", Call>;
}
const require = createRequire(import.meta.url);
const createSdk = require("pingpp") as (key: string) => PingppSdk;
const SDK_VERSION = (require("pingpp/package.json") as { version: string }).version;

function sdkFor(sb: Sandbox, privateKeyPem?: string, key = sb.apiKey): PingppSdk {
  const u = new URL(sb.url);
  const sdk = createSdk(key);
  sdk.setHost(u.hostname, u.port, "http");
  sdk.setTimeout(10_000);
  if (privateKeyPem) sdk.setPrivateKey(privateKeyPem);
  return sdk;
}

async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  return p.then(
    (v) => {
      throw new Error(`expected the SDK to reject, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e as SdkError,
  );
}

// ---------------------------------------------------------------- one non-keep-alive agent for this file

const savedAgent = http.globalAgent;
beforeAll(() => {
  http.globalAgent = new http.Agent({ keepAlive: false });
});
afterAll(() => {
  http.globalAgent.destroy();
  http.globalAgent = savedAgent;
});

const merchant = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

it("uses the SDK version the issue names", () => {
  expect(SDK_VERSION).toBe("2.1.6");
});

describe.each([
  { name: "without request signing", signed: false },
  { name: "with request signing (setPrivateKey)", signed: true },
])("official pingpp SDK $name", ({ signed }) => {
  let sb: Sandbox;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let pp: PingppSdk;

  beforeAll(async () => {
    rx = await startReceiver();
    sb = await startSandbox({
      port: 0,
      timeScale: 0.001,
      refundDelayMs: 10,
      settlementDelayMs: 10,
      webhookUrl: rx.url,
      merchantPublicKeyPem: signed ? merchant.publicKey : undefined,
    });
    pp = sdkFor(sb, signed ? merchant.privateKey : undefined);
  });
  afterAll(async () => {
    await sb.close();
    await rx.close();
  });

  const sim = async (path: string, body?: unknown) => {
    const res = await fetch(`${sb.url}/_sim${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Obj;
  };
  const chargeParams = (over: Obj = {}) => ({
    order_no: orderNo(),
    app: { id: sb.appId },
    channel: "alipay_qr",
    amount: 1000,
    currency: "cny",
    client_ip: "127.0.0.1",
    subject: "测试商品",
    body: "测试描述 (unicode body: 退款)",
    ...over,
  });
  const orderParams = () => ({
    app: sb.appId,
    merchant_order_no: orderNo().slice(0, 20),
    amount: 1000,
    currency: "cny",
    client_ip: "127.0.0.1",
    subject: "订单",
    body: "订单描述",
    uid: "user_001",
  });

  it("charges: create (every QR channel), retrieve, list with app[id] and cursor, reverse", async () => {
    const extras: Record<string, Obj> = {
      alipay_qr: {},
      wx_pub_qr: { product_id: "p1" },
      cb_alipay_qr: {},
      cb_wx_pub_qr: { product_id: "p1", goods_list: [{ goods_name: "iPhone", goods_num: "1" }] },
      upacp_qr: {},
      ccb_qr: {},
      isv_qr: { terminal_id: "T001", pay_channel: "alipay" },
      isv_wap: { terminal_id: "T001", pay_channel: "wx", result_url: "https://example.com/r" },
    };
    const ids: string[] = [];
    for (const [channel, extra] of Object.entries(extras)) {
      const currency = channel.startsWith("cb_") ? "usd" : "cny";
      const ch = await pp.charges.create(chargeParams({ channel, extra, currency }));
      expect(ch).toMatchObject({ object: "charge", channel, paid: false, app: sb.appId, amount: 1000 });
      expect(typeof ch.credential[channel]).toBe("string");
      ids.push(ch.id as string);
    }
    const scan = await pp.charges.create(
      chargeParams({ channel: "isv_scan", extra: { terminal_id: "T001", scan_code: "286801346868493272" } }),
    );
    expect(scan.paid).toBe(true);

    const got = await pp.charges.retrieve(ids[0]);
    expect(got.id).toBe(ids[0]);
    expect(got.refunds).toMatchObject({ object: "list", data: [] });
    expect(got.credential.alipay_qr).toBe(`${sb.publicUrl}/pay/${ids[0]}`);
    // the SDK turns `expand` into `expand[]=app`
    expect((await pp.charges.retrieve(ids[0], { expand: ["app"] })).app).toMatchObject({ id: sb.appId, object: "app" });

    const page1 = await pp.charges.list({ app: { id: sb.appId }, limit: 3 });
    expect(page1).toMatchObject({ object: "list", has_more: true });
    expect(page1.data).toHaveLength(3);
    const page2 = await pp.charges.list({ app: { id: sb.appId }, limit: 3, starting_after: page1.data[2].id });
    expect(page2.data[0].id).not.toBe(page1.data[0].id);
    const created = await pp.charges.list({
      app: { id: sb.appId },
      limit: 100,
      created: { gte: got.created - 1 },
      paid: true,
    });
    expect(created.data.map((c: Obj) => c.id)).toEqual([scan.id]);
    // the SDK's own guard: no app[id], no request
    expect((await sdkError(pp.charges.list({}))).type).toBe("PingppInvalidRequest");

    const reversed = await pp.charges.reverse(ids[0]);
    expect(reversed.reversed).toBe(true);
    const refused = await sdkError(pp.charges.reverse(ids[2])); // cb_alipay_qr cannot be reversed
    expect(refused.type).toBe("PingppInvalidRequest");
    expect(refused.rawType).toBe("invalid_request_error");
  });

  it("charge refunds: create, retrieve, list; the refund succeeds and fires refund.succeeded", async () => {
    const ch = await pp.charges.create(chargeParams());
    await sim(`/charges/${ch.id}/pay`);
    const re = await pp.charges.createRefund(ch.id, { amount: 300, description: "顾客不要了" });
    expect(re).toMatchObject({ object: "refund", amount: 300, charge: ch.id, status: "pending" });
    const done = await waitFor(async () => {
      const r = await pp.charges.retrieveRefund(ch.id, re.id);
      return r.status === "succeeded" && r;
    });
    expect(done.succeed).toBe(true);
    const list = await pp.charges.listRefunds(ch.id, { limit: 5 });
    expect(list).toMatchObject({ object: "list", has_more: false });
    expect(list.data.map((r: Obj) => r.id)).toEqual([re.id]);
    expect((await pp.charges.retrieve(ch.id)).amount_refunded).toBe(300);
    const over = await sdkError(pp.charges.createRefund(ch.id, { amount: 100_000, description: "x" }));
    expect([over.type, over.param]).toEqual(["PingppInvalidRequest", "amount"]);
  });

  it("orders: create, retrieve, list (page), pay, charges list/retrieve, order refunds, cancel and update", async () => {
    const o = await pp.orders.create(orderParams());
    expect(o).toMatchObject({ object: "order", status: "created", paid: false, amount: 1000 });
    expect((await pp.orders.retrieve(o.id)).id).toBe(o.id);
    const list = await pp.orders.list({ app: sb.appId, per_page: 20, page: 1, paid: false });
    expect(list.object).toBe("list");
    expect(list.data.some((x: Obj) => x.id === o.id)).toBe(true);

    const paying = await pp.orders.pay(o.id, {
      channel: "wx_pub_qr",
      charge_amount: 1000,
      extra: { product_id: "p1" },
    });
    expect(typeof paying.charge).toBe("string");
    expect(paying.charge_essentials.credential.wx_pub_qr).toMatch(/\/pay\//);
    await sim(`/charges/${paying.charge}/pay`);
    const paid = await pp.orders.retrieve(o.id);
    expect(paid).toMatchObject({ status: "paid", paid: true });

    const charges = await pp.orders.listCharges(o.id, { page: 1 });
    expect(charges.data.map((c: Obj) => c.id)).toEqual([paying.charge]);
    expect((await pp.orders.retrieveCharge(o.id, paying.charge)).paid).toBe(true);

    const refunds = await pp.orders.createRefund(o.id, { description: "整单退款" });
    expect(refunds.object).toBe("list");
    const re = refunds.data[0] as Obj;
    expect(re).toMatchObject({ object: "refund", amount: 1000, charge: paying.charge });
    expect((await pp.orders.retrieveRefund(o.id, re.id)).id).toBe(re.id);
    expect((await pp.orders.listRefunds(o.id)).data.map((r: Obj) => r.id)).toEqual([re.id]);

    const o2 = await pp.orders.create(orderParams());
    const canceled = await pp.orders.cancel(o2.id);
    expect(canceled.status).toBe("canceled");
    const again = await sdkError(pp.orders.cancel(o2.id));
    expect(again.type).toBe("PingppInvalidRequest");
    const o3 = await pp.orders.create(orderParams());
    expect((await pp.orders.update(o3.id, { status: "canceled", user: "user_001" })).status).toBe("canceled");
    const missing = await sdkError(pp.orders.retrieve("2001000000000000000"));
    expect([missing.type, missing.rawType, missing.param]).toEqual([
      "PingppInvalidRequest",
      "invalid_request_error",
      "id",
    ]);
  });

  it("red envelopes: create, retrieve (test mode advances it), list", async () => {
    const red = await pp.redEnvelopes.create({
      app: { id: sb.appId },
      channel: "wx_pub",
      order_no: String(Date.now()),
      amount: 100,
      currency: "cny",
      recipient: "o9zpMs7Xk9e9aJbTXgufovuWGp7c",
      subject: "红包",
      body: "恭喜发财",
      description: "test",
      extra: { send_name: "沙箱商户" },
    });
    expect(red).toMatchObject({ object: "red_envelope", status: "sending", amount: 100 });
    expect((await pp.redEnvelopes.retrieve(red.id)).status).toBe("sent");
    expect((await pp.redEnvelopes.retrieve(red.id)).status).toBe("received");
    const list = await pp.redEnvelopes.list({ app: { id: sb.appId }, limit: 10 });
    expect(list.data.map((x: Obj) => x.id)).toContain(red.id);
    const small = await sdkError(
      pp.redEnvelopes.create({ ...red, id: undefined, amount: 50, order_no: String(Date.now() + 1) }),
    );
    expect(small.type).toBe("PingppInvalidRequest");
  });

  it("royalty settlements: preview, create, retrieve, list, update (confirm), cancel; royalty transactions", async () => {
    await sim("/royalties", {
      royalties: [
        { amount: 500, source_user: "sdk_a" },
        { amount: 700, source_user: "sdk_b" },
      ],
    });
    const preview = await pp.royaltySettlements.create({
      payer_app: sb.appId,
      method: "alipay",
      source_user: "sdk_a",
      is_preview: true,
    });
    expect(preview).toMatchObject({ object: "royalty_settlement", amount: 500, count: 1 });
    const s = await pp.royaltySettlements.create({ payer_app: sb.appId, method: "alipay", source_user: "sdk_a" });
    expect(s).toMatchObject({ status: "created", amount: 500 });
    expect((await pp.royaltySettlements.retrieve(s.id)).id).toBe(s.id);
    const list = await pp.royaltySettlements.list({ payer_app: sb.appId, per_page: 100 });
    expect(list.data.map((x: Obj) => x.id)).toContain(s.id);
    const confirmed = await pp.royaltySettlements.update(s.id, { status: "pending" });
    expect(confirmed.status).toBe("pending");
    const finished = await waitFor(async () => {
      const x = await pp.royaltySettlements.retrieve(s.id);
      return x.status === "succeeded" && x;
    });
    expect(finished.amount_succeeded).toBe(500);

    const txs = await pp.royaltyTransactions.list({ royalty_settlement: s.id });
    expect(txs.data).toHaveLength(1);
    const tx = await pp.royaltyTransactions.retrieve(txs.data[0].id);
    expect(tx).toMatchObject({
      object: "royalty_transaction",
      status: "succeeded",
      amount: 500,
      royalty_settlement: s.id,
    });

    const s2 = await pp.royaltySettlements.create({ payer_app: sb.appId, method: "wx_pub", source_user: "sdk_b" });
    expect((await pp.royaltySettlements.cancel(s2.id)).status).toBe("canceled");
    const late = await sdkError(pp.royaltySettlements.update(s2.id, { status: "pending" }));
    expect([late.type, late.param]).toEqual(["PingppInvalidRequest", "status"]);
  });

  it("events: every webhook fired so far verifies with the sandbox key, parses, and is retrievable by the SDK", async () => {
    const types = await waitFor(() => {
      const t = new Set(rx.received.map((r) => r.event.type as string));
      return t.has("royalty_settlement.canceled") && t.has("order.refunded") && t.has("refund.succeeded") && t;
    });
    for (const t of [
      "charge.succeeded",
      "refund.succeeded",
      "order.succeeded",
      "order.refunded",
      "red_envelope.sent",
      "red_envelope.received",
      "royalty_settlement.succeeded",
      "royalty_settlement.canceled",
    ]) {
      expect(types.has(t), t).toBe(true);
    }
    for (const r of rx.received) {
      expect(verifyWebhookSignature(r.raw, r.signature ?? "", sb.publicKeyPem)).toBe(true);
      const ev = await pp.events.retrieve(r.event.id);
      expect(ev).toMatchObject({ object: "event", id: r.event.id, type: r.event.type });
      expect(parseEvent(JSON.stringify(ev)).type).toBe(r.event.type);
    }
  });

  it("errors surface as the SDK's own error classes", async () => {
    const wrongKey = await sdkError(
      sdkFor(sb, signed ? merchant.privateKey : undefined, "sk_test_wrongwrongwrongwrongwrongwr").charges.retrieve(
        "ch_x",
      ),
    );
    expect(wrongKey.type).toBe("PingppAuthenticationError");
    const declined = await sdkError(
      pp.charges.create(chargeParams({ channel: "isv_scan", extra: { terminal_id: "T1", scan_code: "fail0001" } })),
    );
    expect([declined.type, declined.rawType]).toEqual(["PingppChannelError", "channel_error"]);
    await sim("/faults", { mode: "channel_error", count: 1 });
    const channel = await sdkError(pp.charges.retrieve("ch_any"));
    expect([channel.type, channel.rawType]).toEqual(["PingppChannelError", "channel_error"]);
    await sim("/faults", { mode: "500", count: 1 });
    expect((await sdkError(pp.orders.list({ app: sb.appId }))).type).toBe("PingppAPIError");
    // the SDK retries a non-JSON 502 once by itself
    await sim("/faults", { mode: "502_html", count: 1 });
    expect((await pp.orders.list({ app: sb.appId })).object).toBe("list");
    await sim("/faults", { mode: "502_html", count: 2 });
    const twice = await sdkError(pp.orders.list({ app: sb.appId }));
    expect([twice.type, twice.message]).toEqual(["PingppAPIError", "Invalid JSON received from the Pingpp API"]);
  });

  if (signed) {
    it("a request signed with another key, or not signed at all, is refused", async () => {
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString();
      const bad = await sdkError(sdkFor(sb, other).charges.list({ app: { id: sb.appId } }));
      expect(bad.type).toBe("PingppAuthenticationError");
      expect(bad.message).toContain("签名");
      const unsigned = await sdkError(sdkFor(sb).orders.create(orderParams()));
      expect(unsigned.type).toBe("PingppAuthenticationError");
    });
  }
});
