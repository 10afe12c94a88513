// The project's typed client (lib/pingpp) against the sandbox over real HTTP: every call's answer must
// pass the client's zod schemas, requests are signed, and every webhook verifies and parses.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPingpp, parseEvent, verifyWebhookSignature } from "@/lib/pingpp";
import { startSandbox, type Sandbox } from "./server";
import { orderNo, startReceiver, waitFor } from "./test-helpers";

let sb: Sandbox;
let rx: Awaited<ReturnType<typeof startReceiver>>;
const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

beforeAll(async () => {
  rx = await startReceiver();
  sb = await startSandbox({
    port: 0,
    timeScale: 0.001,
    refundDelayMs: 10,
    settlementDelayMs: 10,
    webhookUrl: rx.url,
    merchantPublicKeyPem: keys.publicKey,
  });
});
afterAll(async () => {
  await sb.close();
  await rx.close();
});

const sim = (path: string) => fetch(`${sb.url}/_sim${path}`, { method: "POST" });

it("the typed client round-trips every resource; webhooks verify and parse", async () => {
  const p = createPingpp({ apiKey: sb.apiKey, apiBase: sb.url, privateKeyPem: keys.privateKey });
  const base = { app: { id: sb.appId }, amount: 100, currency: "cny", client_ip: "127.0.0.1", subject: "s", body: "b" };

  const ch = await p.charges.create({
    ...base,
    order_no: orderNo(),
    channel: "wx_pub_qr",
    extra: { product_id: "p" },
  } as never);
  expect((await p.charges.retrieve(ch.id)).id).toBe(ch.id);
  expect((await p.charges.list({ app: { id: sb.appId }, limit: 5 })).data.length).toBeGreaterThan(0);
  await sim(`/charges/${ch.id}/pay`);
  const re = await p.charges.refunds.create(ch.id, { amount: 50, description: "d" });
  await p.charges.refunds.list(ch.id);
  await p.charges.refunds.retrieve(ch.id, re.id);
  const ch2 = await p.charges.create({ ...base, order_no: orderNo(), channel: "alipay_qr" } as never);
  expect((await p.charges.reverse(ch2.id)).reversed).toBe(true);

  const order = { app: sb.appId, amount: 100, client_ip: "127.0.0.1", subject: "s", body: "b", uid: "u1" };
  const o = await p.orders.create({ ...order, merchant_order_no: orderNo().slice(0, 20) } as never);
  await p.orders.list({ app: sb.appId });
  const paying = await p.orders.pay(o.id, { channel: "alipay_qr", charge_amount: 100, extra: {} } as never);
  await sim(`/charges/${paying.charge}/pay`);
  await p.orders.charges.list(o.id);
  const refunds = await p.orders.refunds.create(o.id, { description: "x" } as never);
  await p.orders.refunds.list(o.id);
  await p.orders.refunds.retrieve(o.id, refunds.data[0]?.id ?? "");
  const o2 = await p.orders.create({ ...order, merchant_order_no: orderNo().slice(0, 20) } as never);
  expect((await p.orders.cancel(o2.id, {})).status).toBe("canceled");

  const red = await p.redEnvelopes.create({
    app: { id: sb.appId },
    order_no: String(Date.now()),
    amount: 100,
    recipient: "openid",
    subject: "s",
    body: "b",
    description: "d",
    extra: { send_name: "n" },
  } as never);
  await p.redEnvelopes.retrieve(red.id);
  expect((await p.redEnvelopes.retrieve(red.id)).status).toBe("received");
  await p.redEnvelopes.list({});

  await p.royaltySettlements.create({ payer_app: sb.appId, method: "alipay", is_preview: true });
  const s = await p.royaltySettlements.create({ payer_app: sb.appId, method: "alipay" });
  await p.royaltySettlements.list({ payer_app: sb.appId });
  await p.royaltySettlements.confirm(s.id);
  await p.royaltyTransactions.list({});
  const txId = (s.royalty_transactions as { data: { id: string }[] }).data[0]?.id ?? "";
  await p.royaltyTransactions.retrieve(txId);

  const types = await waitFor(() => {
    const t = rx.received.map((r) => r.event.type as string);
    return t.includes("royalty_settlement.succeeded") && t.includes("order.refunded") && t;
  });
  expect(new Set(types)).toEqual(
    new Set([
      "charge.succeeded",
      "refund.succeeded",
      "order.succeeded",
      "order.refunded",
      "red_envelope.sent",
      "red_envelope.received",
      "royalty_settlement.succeeded",
    ]),
  );
  for (const r of rx.received) {
    expect(verifyWebhookSignature(r.raw, r.signature ?? "", sb.publicKeyPem)).toBe(true);
    expect(parseEvent(r.raw).id).toBe(r.event.id);
    expect((await p.events.retrieve(r.event.id)).type).toBe(r.event.type);
  }
});
