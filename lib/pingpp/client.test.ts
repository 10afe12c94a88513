/**
 * The client over real HTTP: a node:http server on 127.0.0.1 records what
 * arrives (method, raw request target, headers, raw body) and answers with
 * canned JSON built from Ping++'s published samples.
 */
import { createVerify, generateKeyPairSync, verify as cryptoVerify } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  PingppConnectionError,
  PingppError,
  PingppResponseError,
  PingppValidationError,
  createPingpp,
  isEventFor,
  verifyRequestSignature,
  type Pingpp,
} from "./index";
import { seedSample } from "./test-fixtures";

// ---------------------------------------------------------------- canned objects from the samples

const eventObject = (name: string) => (seedSample(name).data as { object: Record<string, unknown> }).object;
const CHARGE = seedSample("qr-charge-02-charge.json");
const REFUND_LIST = seedSample("order-refund-01-list.json");
const REFUND = (REFUND_LIST.data as Record<string, unknown>[])[0]!;
const ORDER = seedSample("order-cancel-01-order.json");
const RED_ENVELOPE = eventObject("red-envelope-01-red_envelope.sent.json");
const SETTLEMENT = eventObject("royalty-settlement-03-royalty_settlement.partially_succeeded.json");
const TRANSACTION = seedSample("royalty-settlement-01-royalty_transaction.json");
const EVENT = seedSample("qr-charge-10-charge.succeeded.json");
const list = (url: string, data: unknown[], extra: Record<string, unknown> = {}) => ({
  object: "list",
  url,
  has_more: false,
  data,
  ...extra,
});

// ---------------------------------------------------------------- recording server

interface Recorded {
  method: string;
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
type Reply = { status?: number; json?: unknown; text?: string; contentType?: string } | "hang";

let server: Server;
let base: string;
const recorded: Recorded[] = [];
let replies: Reply[] = [];
let fallback: Reply = { json: {} };
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      recorded.push({
        method: req.method ?? "",
        target: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      const reply = replies.shift() ?? fallback;
      if (reply === "hang") {
        hanging.push(res); // never answer
        return;
      }
      const body = reply.text ?? JSON.stringify(reply.json);
      res.writeHead(reply.status ?? 200, { "Content-Type": reply.contentType ?? "application/json; charset=utf-8" });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  recorded.length = 0;
  replies = [];
  fallback = { json: {} };
  for (const res of hanging.splice(0)) res.destroy();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function only(): Recorded {
  expect(recorded).toHaveLength(1);
  return recorded[0]!;
}

// ---------------------------------------------------------------- keys and clients

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const PUBLIC_PEM = publicKey.export({ type: "spki", format: "pem" }).toString();
const NOW_MS = 1_764_219_600_789;
const TIMESTAMP = "1764219600";
const API_KEY = "sk_test_ibbTe5jLGCi5rzfH4OqPW9KC";

function client(extra: Partial<Parameters<typeof createPingpp>[0]> = {}): Pingpp {
  return createPingpp({ apiKey: API_KEY, apiBase: base, privateKeyPem: PRIVATE_PEM, now: () => NOW_MS, ...extra });
}

/** Independent check of the request signature, straight from the recorded bytes. */
function expectSigned(rec: Recorded) {
  expect(rec.headers["pingplusplus-request-timestamp"]).toBe(TIMESTAMP);
  const sig = rec.headers["pingplusplus-signature"];
  expect(typeof sig).toBe("string");
  const ok = createVerify("RSA-SHA256")
    .update(rec.body)
    .update(rec.target, "utf8")
    .update(TIMESTAMP, "utf8")
    .verify(PUBLIC_PEM, sig as string, "base64");
  expect(ok).toBe(true);
  // and the exported helper agrees, while a different URI or time does not verify
  expect(
    verifyRequestSignature({ body: rec.body, requestUri: rec.target, timestamp: TIMESTAMP }, sig as string, PUBLIC_PEM),
  ).toBe(true);
  expect(
    verifyRequestSignature(
      { body: rec.body, requestUri: `${rec.target}x`, timestamp: TIMESTAMP },
      sig as string,
      PUBLIC_PEM,
    ),
  ).toBe(false);
  expect(
    verifyRequestSignature(
      { body: rec.body, requestUri: rec.target, timestamp: "1764219601" },
      sig as string,
      PUBLIC_PEM,
    ),
  ).toBe(false);
}

// ---------------------------------------------------------------- every resource call

interface Case {
  name: string;
  call: (pp: Pingpp) => Promise<unknown>;
  method: "GET" | "POST" | "PUT";
  target: string;
  /** expected JSON body (POST/PUT); GET must have none */
  body?: unknown;
  reply: unknown;
  check?: (result: unknown) => void;
}

const cases: Case[] = [
  {
    name: "charges.create (cb_wx_pub_qr, usd filled in)",
    call: (pp) =>
      pp.charges.create({
        order_no: "123456789",
        app: { id: "app_1Gqj58ynP0mHeX1q" },
        channel: "cb_wx_pub_qr",
        amount: 100,
        client_ip: "127.0.0.1",
        subject: "商品",
        body: "Your Body",
        extra: { product_id: "Product4Testing", goods_list: [{ goods_name: "iPhone", goods_num: "1" }] },
      }),
    method: "POST",
    target: "/v1/charges",
    body: {
      order_no: "123456789",
      app: { id: "app_1Gqj58ynP0mHeX1q" },
      amount: 100,
      client_ip: "127.0.0.1",
      subject: "商品",
      body: "Your Body",
      channel: "cb_wx_pub_qr",
      currency: "usd",
      extra: { product_id: "Product4Testing", goods_list: [{ goods_name: "iPhone", goods_num: "1" }] },
    },
    reply: seedSample("qr-charge-03-charge.json"),
    check: (r) => expect((r as { credential: Record<string, unknown> }).credential.cb_wx_pub_qr).toMatch(/^weixin:/),
  },
  {
    name: "charges.retrieve",
    call: (pp) => pp.charges.retrieve("ch_TuHOq1vrfTy9HSyTWT9yTmXL"),
    method: "GET",
    target: "/v1/charges/ch_TuHOq1vrfTy9HSyTWT9yTmXL",
    reply: CHARGE,
    check: (r) => expect(r).toEqual(CHARGE),
  },
  {
    name: "charges.list with app[id], cursor and created[...]",
    call: (pp) =>
      pp.charges.list({
        app: { id: "app_1" },
        limit: 3,
        starting_after: "ch_a",
        created: { gte: 1458186741, lt: 1458273141 },
        paid: false,
      }),
    method: "GET",
    target:
      "/v1/charges?app%5Bid%5D=app_1&limit=3&starting_after=ch_a&created%5Bgte%5D=1458186741&created%5Blt%5D=1458273141&paid=false",
    reply: list("/v1/charges", [CHARGE, seedSample("qr-charge-01-charge.json")], { has_more: true }),
    check: (r) => expect((r as { has_more: boolean; data: unknown[] }).data).toHaveLength(2),
  },
  {
    name: "charges.reverse",
    call: (pp) => pp.charges.reverse("ch_x"),
    method: "POST",
    target: "/v1/charges/ch_x/reverse",
    body: {},
    reply: { ...CHARGE, reversed: true },
    check: (r) => expect((r as { reversed: boolean }).reversed).toBe(true),
  },
  {
    name: "charges.refunds.create",
    call: (pp) => pp.charges.refunds.create("ch_x", { amount: 50, description: "退款原因" }),
    method: "POST",
    target: "/v1/charges/ch_x/refunds",
    body: { amount: 50, description: "退款原因" },
    reply: REFUND,
  },
  {
    name: "charges.refunds.retrieve",
    call: (pp) => pp.charges.refunds.retrieve("ch_x", "re_y"),
    method: "GET",
    target: "/v1/charges/ch_x/refunds/re_y",
    reply: REFUND,
  },
  {
    name: "charges.refunds.list",
    call: (pp) => pp.charges.refunds.list("ch_x", { limit: 10, ending_before: "re_z" }),
    method: "GET",
    target: "/v1/charges/ch_x/refunds?limit=10&ending_before=re_z",
    reply: list("/v1/charges/ch_x/refunds", [REFUND]),
  },
  {
    name: "orders.create",
    call: (pp) =>
      pp.orders.create({
        app: "app_1",
        merchant_order_no: "2017081400000006",
        amount: 1000,
        client_ip: "127.0.0.1",
        subject: "s",
        body: "b",
        uid: "user_007",
      }),
    method: "POST",
    target: "/v1/orders",
    body: {
      app: "app_1",
      merchant_order_no: "2017081400000006",
      amount: 1000,
      currency: "cny",
      client_ip: "127.0.0.1",
      subject: "s",
      body: "b",
      uid: "user_007",
    },
    reply: ORDER,
  },
  {
    name: "orders.retrieve",
    call: (pp) => pp.orders.retrieve("2001708140000017551"),
    method: "GET",
    target: "/v1/orders/2001708140000017551",
    reply: ORDER,
  },
  {
    name: "orders.list with filters and page paging",
    call: (pp) => pp.orders.list({ app: "app_1", paid: true, canceled: false, page: 2, per_page: 20 }),
    method: "GET",
    target: "/v1/orders?app=app_1&paid=true&canceled=false&page=2&per_page=20",
    reply: list("/v1/orders", [ORDER]),
  },
  {
    name: "orders.cancel",
    call: (pp) => pp.orders.cancel("2001708140000017551", { user: "user_007" }),
    method: "PUT",
    target: "/v1/orders/2001708140000017551",
    body: { status: "canceled", user: "user_007" },
    reply: ORDER,
    check: (r) => expect((r as { status: string }).status).toBe("canceled"),
  },
  {
    name: "orders.cancel without user",
    call: (pp) => pp.orders.cancel("2001708140000017551"),
    method: "PUT",
    target: "/v1/orders/2001708140000017551",
    body: { status: "canceled" },
    reply: ORDER,
  },
  {
    name: "orders.pay",
    call: (pp) => pp.orders.pay("2001708140000017551", { channel: "alipay_qr", charge_amount: 800 }),
    method: "POST",
    target: "/v1/orders/2001708140000017551/pay",
    body: { channel: "alipay_qr", charge_amount: 800 },
    reply: ORDER,
  },
  {
    name: "orders.charges.list",
    call: (pp) => pp.orders.charges.list("2001708140000017551", { page: 1 }),
    method: "GET",
    target: "/v1/orders/2001708140000017551/charges?page=1",
    reply: ORDER.charges,
  },
  {
    name: "orders.charges.retrieve",
    call: (pp) => pp.orders.charges.retrieve("2001708140000017551", "ch_1Kyn50DyjXbHbvnv5SGK4qDK"),
    method: "GET",
    target: "/v1/orders/2001708140000017551/charges/ch_1Kyn50DyjXbHbvnv5SGK4qDK",
    reply: (ORDER.charges as { data: unknown[] }).data[0],
  },
  {
    name: "orders.refunds.create returns a list",
    call: (pp) =>
      pp.orders.refunds.create("2001608270000004421", {
        description: "Refund Description",
        charge: "ch_8SCSCCn90ir1bb54m5fjbnX5",
        charge_amount: 800,
      }),
    method: "POST",
    target: "/v1/orders/2001608270000004421/order_refunds",
    body: { description: "Refund Description", charge: "ch_8SCSCCn90ir1bb54m5fjbnX5", charge_amount: 800 },
    reply: REFUND_LIST,
    check: (r) => {
      const l = r as { object: string; data: { id: string }[] };
      expect(l.object).toBe("list");
      expect(l.data[0]?.id).toBe("re_y1u944PmfnrTHyvnL0nD0iD1");
    },
  },
  {
    name: "orders.refunds.retrieve",
    call: (pp) => pp.orders.refunds.retrieve("2001608270000004421", "re_y1u944PmfnrTHyvnL0nD0iD1"),
    method: "GET",
    target: "/v1/orders/2001608270000004421/order_refunds/re_y1u944PmfnrTHyvnL0nD0iD1",
    reply: REFUND,
  },
  {
    name: "orders.refunds.list",
    call: (pp) => pp.orders.refunds.list("2001608270000004421"),
    method: "GET",
    target: "/v1/orders/2001608270000004421/order_refunds",
    reply: REFUND_LIST,
  },
  {
    name: "redEnvelopes.create",
    call: (pp) =>
      pp.redEnvelopes.create({
        app: { id: "app_1" },
        order_no: "123456789",
        amount: 100,
        recipient: "o9zpMs7Xk9e9aJbTXgufovuWGp7c",
        subject: "Your Subject",
        body: "Your Body",
        description: "Your Description",
        extra: { send_name: "Send Name" },
      }),
    method: "POST",
    target: "/v1/red_envelopes",
    body: {
      app: { id: "app_1" },
      channel: "wx_pub",
      order_no: "123456789",
      amount: 100,
      currency: "cny",
      recipient: "o9zpMs7Xk9e9aJbTXgufovuWGp7c",
      subject: "Your Subject",
      body: "Your Body",
      description: "Your Description",
      extra: { send_name: "Send Name" },
    },
    reply: RED_ENVELOPE,
  },
  {
    name: "redEnvelopes.retrieve",
    call: (pp) => pp.redEnvelopes.retrieve("red_04er10TuvT4OCyLO08aLOqbD"),
    method: "GET",
    target: "/v1/red_envelopes/red_04er10TuvT4OCyLO08aLOqbD",
    reply: RED_ENVELOPE,
  },
  {
    name: "redEnvelopes.list",
    call: (pp) => pp.redEnvelopes.list({ app: { id: "app_1" }, limit: 5 }),
    method: "GET",
    target: "/v1/red_envelopes?app%5Bid%5D=app_1&limit=5",
    reply: list("/v1/red_envelopes", [RED_ENVELOPE]),
  },
  {
    name: "royaltySettlements.create (preview)",
    call: (pp) =>
      pp.royaltySettlements.create({
        payer_app: "app_LibTW1n1SOq9Pin1",
        method: "alipay",
        created: { gte: 1490000000, lt: 1490100000 },
        is_preview: true,
      }),
    method: "POST",
    target: "/v1/royalty_settlements",
    body: {
      payer_app: "app_LibTW1n1SOq9Pin1",
      method: "alipay",
      created: { gte: 1490000000, lt: 1490100000 },
      is_preview: true,
    },
    reply: { ...SETTLEMENT, id: null, status: "created" },
    check: (r) => expect((r as { id: unknown }).id).toBeNull(),
  },
  {
    name: "royaltySettlements.retrieve",
    call: (pp) => pp.royaltySettlements.retrieve("431170321171500001"),
    method: "GET",
    target: "/v1/royalty_settlements/431170321171500001",
    reply: SETTLEMENT,
  },
  {
    name: "royaltySettlements.list",
    call: (pp) => pp.royaltySettlements.list({ payer_app: "app_1", per_page: 100, page: 1 }),
    method: "GET",
    target: "/v1/royalty_settlements?payer_app=app_1&page=1&per_page=100",
    reply: list("/v1/royalty_settlements", [SETTLEMENT]),
  },
  {
    name: "royaltySettlements.confirm",
    call: (pp) => pp.royaltySettlements.confirm("431170321171500001"),
    method: "PUT",
    target: "/v1/royalty_settlements/431170321171500001",
    body: { status: "pending" },
    reply: { ...SETTLEMENT, status: "pending" },
  },
  {
    name: "royaltySettlements.cancel",
    call: (pp) => pp.royaltySettlements.cancel("431170321171500001"),
    method: "PUT",
    target: "/v1/royalty_settlements/431170321171500001",
    body: { status: "canceled" },
    reply: { ...SETTLEMENT, status: "canceled" },
  },
  {
    name: "royaltyTransactions.retrieve",
    call: (pp) => pp.royaltyTransactions.retrieve("170302171104000011"),
    method: "GET",
    target: "/v1/royalty_transactions/170302171104000011",
    reply: TRANSACTION,
  },
  {
    name: "royaltyTransactions.list",
    call: (pp) => pp.royaltyTransactions.list({ royalty_settlement: "170302171104000011" }),
    method: "GET",
    target: "/v1/royalty_transactions?royalty_settlement=170302171104000011",
    reply: { object: "list", url: "/v1/royalty_transactions", page_number: 1, total_page: 1, data: [TRANSACTION] },
  },
  {
    name: "events.retrieve",
    call: (pp) => pp.events.retrieve("evt_ugB6x3K43D16wXCcqbplWAJo"),
    method: "GET",
    target: "/v1/events/evt_ugB6x3K43D16wXCcqbplWAJo",
    reply: EVENT,
    check: (r) => {
      const e = r as Parameters<typeof isEventFor>[0];
      expect(isEventFor(e, "charge")).toBe(true);
      expect(e.data.object).toMatchObject({ channel: "alipay_qr", paid: true });
    },
  },
];

describe("resources over HTTP", () => {
  it.each(cases)("$name", async (c) => {
    replies = [{ json: c.reply }];
    const result = await c.call(client());
    const rec = only();
    expect(rec.method).toBe(c.method);
    expect(rec.target).toBe(c.target);
    expect(rec.headers.authorization).toBe(`Bearer ${API_KEY}`);
    if (c.method === "GET") {
      expect(rec.body.length).toBe(0);
    } else {
      expect(rec.headers["content-type"]).toMatch(/^application\/json/);
      expect(JSON.parse(rec.body.toString("utf8"))).toEqual(c.body);
    }
    expectSigned(rec);
    expect(result).toEqual(c.reply);
    c.check?.(result);
  });

  it("covers every public method", () => {
    const pp = client();
    const methods = (o: object, prefix = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        typeof v === "function" ? [`${prefix}${k}`] : methods(v as object, `${prefix}${k}.`),
      );
    const tested = new Set(cases.map((c) => c.name.split(" ")[0]));
    expect(methods(pp).filter((m) => !tested.has(m))).toEqual([]);
  });

  it("sends the body bytes it signed, unicode included, serialised once", async () => {
    replies = [{ json: REFUND }];
    await client().charges.refunds.create("ch_x", { description: '顾客不要了 \u2028 "quoted"' });
    const rec = only();
    expect(rec.body.toString("utf8")).toBe('{"description":"顾客不要了 \u2028 \\"quoted\\""}');
    expect(rec.headers["content-length"]).toBe(String(rec.body.length));
    expectSigned(rec);
  });

  it("percent-encodes ids in paths and signs the encoded target", async () => {
    replies = [{ json: CHARGE }];
    await client().charges.retrieve("ch_a/b?c=d#e");
    const rec = only();
    expect(rec.target).toBe("/v1/charges/ch_a%2Fb%3Fc%3Dd%23e");
    expectSigned(rec);
  });

  it("sends no signature headers without a private key", async () => {
    replies = [{ json: CHARGE }];
    await client({ privateKeyPem: undefined }).charges.retrieve("ch_x");
    const rec = only();
    expect(rec.headers["pingplusplus-signature"]).toBeUndefined();
    expect(rec.headers["pingplusplus-request-timestamp"]).toBeUndefined();
    expect(rec.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it("accepts an apiBase with a trailing slash or /v1", async () => {
    fallback = { json: CHARGE };
    await client({ apiBase: `${base}/` }).charges.retrieve("ch_1");
    await client({ apiBase: `${base}/v1` }).charges.retrieve("ch_2");
    expect(recorded.map((r) => r.target)).toEqual(["/v1/charges/ch_1", "/v1/charges/ch_2"]);
  });

  it("refuses bad input before anything is sent", async () => {
    const pp = client();
    const attempts: [Promise<unknown>, string][] = [
      [pp.charges.create({ channel: "wx_pub_qr", extra: {} } as never), "order_no"],
      [
        pp.charges.create({
          order_no: "1",
          app: { id: "a" },
          channel: "wx_pub_qr",
          amount: 1,
          client_ip: "127.0.0.1",
          subject: "s",
          body: "b",
          extra: {} as never,
        }),
        "extra.product_id",
      ],
      [pp.charges.retrieve(""), "id"],
      [pp.charges.refunds.create("", { description: "d" }), "chargeId"],
      [pp.orders.list({ app: "" }), "app"],
      [pp.royaltySettlements.list({} as never), "payer_app"],
      [pp.redEnvelopes.create({ amount: 50 } as never), "app"],
    ];
    for (const [promise, path] of attempts) {
      const err = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PingppValidationError);
      expect((err as PingppValidationError).path).toBe(path);
    }
    expect(recorded).toHaveLength(0);
  });
});

// ---------------------------------------------------------------- request signing, independently checked

describe("request signing (node's crypto.verify over body + request URI + timestamp)", () => {
  /** The documented input, rebuilt from what arrived on the wire; verified with the one-shot crypto.verify. */
  const verifies = (body: Buffer | string, target: string, timestamp: string, sig: string) =>
    cryptoVerify(
      "RSA-SHA256",
      Buffer.concat([Buffer.from(body), Buffer.from(target, "utf8"), Buffer.from(timestamp, "utf8")]),
      PUBLIC_PEM,
      Buffer.from(sig, "base64"),
    );

  const requests: {
    name: string;
    call: (pp: Pingpp) => Promise<unknown>;
    method: string;
    target: string;
    hasBody: boolean;
  }[] = [
    {
      name: "POST with a unicode body",
      call: (pp) => pp.charges.refunds.create("ch_x", { amount: 1, description: "退款 ✓" }),
      method: "POST",
      target: "/v1/charges/ch_x/refunds",
      hasBody: true,
    },
    {
      name: "PUT",
      call: (pp) => pp.orders.cancel("2001708140000017551", { user: "u" }),
      method: "PUT",
      target: "/v1/orders/2001708140000017551",
      hasBody: true,
    },
    {
      name: "GET without query",
      call: (pp) => pp.charges.retrieve("ch_x"),
      method: "GET",
      target: "/v1/charges/ch_x",
      hasBody: false,
    },
    {
      name: "GET with a bracketed query",
      call: (pp) => pp.charges.list({ app: { id: "app_1" }, limit: 2, created: { gt: 1 } }),
      method: "GET",
      target: "/v1/charges?app%5Bid%5D=app_1&limit=2&created%5Bgt%5D=1",
      hasBody: false,
    },
  ];

  it.each(requests)("$name", async (r) => {
    fallback = { json: {} }; // schema failures do not matter here: only the request is checked
    await r.call(client()).catch(() => undefined);
    const rec = recorded[0]!;
    expect([rec.method, rec.target]).toEqual([r.method, r.target]);
    expect(rec.body.length > 0).toBe(r.hasBody);
    const sig = String(rec.headers["pingplusplus-signature"]);
    const ts = String(rec.headers["pingplusplus-request-timestamp"]);
    expect(ts).toBe(TIMESTAMP);
    expect(verifies(rec.body, rec.target, ts, sig)).toBe(true);
    // each part of the input matters
    expect(verifies(Buffer.concat([rec.body, Buffer.from(" ")]), rec.target, ts, sig)).toBe(false);
    expect(verifies(rec.body, rec.target.replace("/v1", ""), ts, sig)).toBe(false);
    expect(verifies(rec.body, rec.target.split("?")[0]!, ts, sig)).toBe(r.target.includes("?") ? false : true);
    expect(verifies(rec.body, rec.target, String(Number(ts) + 1), sig)).toBe(false);
  });
});

// ---------------------------------------------------------------- failures

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );
}

describe("errors", () => {
  it("maps an error body to PingppError with all fields", async () => {
    const error = {
      type: "invalid_request_error",
      message: "参数 amount 无效",
      code: "invalid_amount",
      param: "amount",
    };
    replies = [{ status: 400, json: { error } }];
    const err = await failure(client().charges.refunds.create("ch_x", { description: "d", amount: 1 }));
    expect(err).toBeInstanceOf(PingppError);
    const e = err as PingppError;
    expect([e.status, e.type, e.message, e.code, e.param]).toEqual([
      400,
      error.type,
      error.message,
      error.code,
      error.param,
    ]);
    expect(JSON.parse(e.rawBody)).toEqual({ error });
  });

  it("maps 401/402/404 error bodies, code and param optional", async () => {
    replies = [
      { status: 401, json: { error: { type: "invalid_request_error", message: "No API key provided" } } },
      {
        status: 402,
        json: { error: { type: "channel_error", message: "渠道错误", code: "channel_connection_error" } },
      },
      { status: 404, json: { error: { type: "invalid_request_error", message: "No such charge", param: "id" } } },
    ];
    const pp = client();
    const e401 = (await failure(pp.charges.retrieve("ch_1"))) as PingppError;
    const e402 = (await failure(pp.charges.reverse("ch_2"))) as PingppError;
    const e404 = (await failure(pp.charges.retrieve("ch_3"))) as PingppError;
    expect([e401.status, e401.code, e401.param]).toEqual([401, undefined, undefined]);
    expect([e402.status, e402.type, e402.code]).toEqual([402, "channel_error", "channel_connection_error"]);
    expect([e404.status, e404.param, e404.message]).toEqual([404, "id", "No such charge"]);
    expect(recorded).toHaveLength(3); // error bodies are answers, not retried
  });

  it("treats a top-level error key as failure even with 200", async () => {
    replies = [{ status: 200, json: { error: { type: "api_error", message: "boom" } } }];
    const err = await failure(client().orders.retrieve("1"));
    expect(err).toBeInstanceOf(PingppError);
    expect((err as PingppError).status).toBe(200);
  });

  it("an HTML 502 on POST is a connection error that may have reached Ping++, not retried", async () => {
    fallback = { status: 502, text: "<html><body>502 Bad Gateway</body></html>", contentType: "text/html" };
    const err = await failure(client().charges.reverse("ch_x"));
    expect(err).toBeInstanceOf(PingppConnectionError);
    const e = err as PingppConnectionError;
    expect(e.status).toBe(502);
    expect(e.mayHaveReachedPingpp).toBe(true);
    expect(e.timedOut).toBe(false);
    expect(e.rawBody).toContain("Bad Gateway");
    expect(recorded).toHaveLength(1);
  });

  it("a GET is retried once after a 502, and can then succeed", async () => {
    replies = [{ status: 502, text: "<html>bad gateway</html>", contentType: "text/html" }, { json: CHARGE }];
    const charge = await client().charges.retrieve("ch_x");
    expect(charge.id).toBe(CHARGE.id);
    expect(recorded).toHaveLength(2);
    expectSigned(recorded[1]!);
  });

  it("a GET gives up after the second 502", async () => {
    fallback = { status: 502, text: "<html>bad gateway</html>", contentType: "text/html" };
    const err = await failure(client().orders.list({ app: "app_1" }));
    expect(err).toBeInstanceOf(PingppConnectionError);
    expect(recorded).toHaveLength(2);
  });

  it("a hanging server times out: POST once, GET twice", async () => {
    fallback = "hang";
    const pp = client({ timeoutMs: 200 });
    const started = Date.now();
    const post = (await failure(pp.charges.refunds.create("ch_x", { description: "d" }))) as PingppConnectionError;
    expect(post).toBeInstanceOf(PingppConnectionError);
    expect(post.timedOut).toBe(true);
    expect(post.mayHaveReachedPingpp).toBe(true);
    expect(recorded).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);

    const get = (await failure(pp.charges.retrieve("ch_x"))) as PingppConnectionError;
    expect(get).toBeInstanceOf(PingppConnectionError);
    expect(get.timedOut).toBe(true);
    expect(recorded).toHaveLength(3);
  });

  it("a refused connection certainly did not reach Ping++", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(client({ apiBase: `http://127.0.0.1:${port}` }).charges.reverse("ch_x"));
    expect(err).toBeInstanceOf(PingppConnectionError);
    expect((err as PingppConnectionError).mayHaveReachedPingpp).toBe(false);
  });

  it("a response that fails the schema throws PingppResponseError with the raw body", async () => {
    const bad = { ...CHARGE, amount: "100" };
    replies = [{ json: bad }];
    const err = await failure(client().charges.retrieve("ch_x"));
    expect(err).toBeInstanceOf(PingppResponseError);
    const e = err as PingppResponseError;
    expect(e.rawBody).toBe(JSON.stringify(bad));
    expect(e.issues[0]?.path).toBe("amount");
    expect(e.message).toContain("amount");
  });

  it("a list whose items fail the schema throws too", async () => {
    replies = [{ json: list("/v1/charges", [{ ...CHARGE, paid: "yes" }]) }];
    const err = (await failure(client().charges.list({ app: { id: "a" } }))) as PingppResponseError;
    expect(err).toBeInstanceOf(PingppResponseError);
    expect(err.issues[0]?.path).toBe("data[0].paid");
  });

  it("a non-2xx JSON answer without an error key is a PingppResponseError", async () => {
    replies = [{ status: 500, json: { oops: true } }];
    const err = (await failure(client().charges.reverse("ch_x"))) as PingppResponseError;
    expect(err).toBeInstanceOf(PingppResponseError);
    expect(err.status).toBe(500);
  });
});

// ---------------------------------------------------------------- every resource × every failure

describe("every resource call maps each failure to a typed error", () => {
  const errorReply = (status: number, type: string, extra: Record<string, string> = {}) => ({
    status,
    json: { error: { type, message: `${type} 消息`, ...extra } },
  });

  it.each(cases)("$name", async (c) => {
    // answered calls get all the time a busy host needs; only the hanging one below waits 500 ms (long
    // enough on a busy host for its retry to reach the server before the next case, never late into it)
    const pp = client({ timeoutMs: 10_000 });
    const sent = c.method === "GET" ? 2 : 1; // GETs are retried once after a timeout, POST/PUT never
    const errors: [Reply, string, Record<string, unknown>][] = [
      [
        errorReply(400, "invalid_request_error", { code: "invalid_param", param: "amount" }),
        "invalid_request_error",
        { status: 400, code: "invalid_param", param: "amount" },
      ],
      [
        errorReply(401, "invalid_request_error"),
        "invalid_request_error",
        { status: 401, code: undefined, param: undefined },
      ],
      [
        errorReply(402, "channel_error", { code: "channel_connection_error" }),
        "channel_error",
        { status: 402, code: "channel_connection_error" },
      ],
      [
        errorReply(404, "invalid_request_error", { param: "id" }),
        "invalid_request_error",
        { status: 404, param: "id" },
      ],
      [errorReply(500, "api_error"), "api_error", { status: 500 }],
    ];
    for (const [reply, type, fields] of errors) {
      recorded.length = 0;
      replies = [reply];
      const err = await failure(c.call(pp));
      expect(err, `${c.name} ${type}`).toBeInstanceOf(PingppError);
      expect((err as PingppError).type).toBe(type);
      expect(err).toMatchObject(fields);
      expect(recorded).toHaveLength(1);
    }

    // invalid JSON: a truncated body is never half-parsed
    recorded.length = 0;
    replies = [{ text: '{"id":"ch_x","object":"charge","amount":1', contentType: "application/json" }];
    const bad = (await failure(c.call(pp))) as PingppConnectionError;
    expect(bad).toBeInstanceOf(PingppConnectionError);
    expect([bad.status, bad.rawBody, bad.mayHaveReachedPingpp]).toEqual([
      200,
      '{"id":"ch_x","object":"charge","amount":1',
      true,
    ]);
    expect(recorded).toHaveLength(1);

    // valid JSON of the wrong shape
    replies = [{ json: { object: "something_else", id: 42 } }];
    expect(await failure(c.call(pp))).toBeInstanceOf(PingppResponseError);

    // timeout
    recorded.length = 0;
    fallback = "hang";
    const slow = (await failure(c.call(client({ timeoutMs: 500 })))) as PingppConnectionError;
    expect(slow).toBeInstanceOf(PingppConnectionError);
    expect([slow.timedOut, slow.mayHaveReachedPingpp]).toEqual([true, true]);
    expect(recorded).toHaveLength(sent);
  });
});
