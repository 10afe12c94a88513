import { describe, expect, it } from "vitest";
import {
  CHANNEL_CURRENCY,
  PingppValidationError,
  QR_CHANNELS,
  REVERSIBLE_CHANNELS,
  chargeCreateParamsSchema,
  chargeListParamsSchema,
  currencyForChannel,
  generateOrderNo,
  generateRedEnvelopeOrderNo,
  isReversibleChannel,
  orderCreateParamsSchema,
  orderListParamsSchema,
  orderPayParamsSchema,
  orderRefundCreateParamsSchema,
  parseParams,
  redEnvelopeCreateParamsSchema,
  refundCreateParamsSchema,
  royaltySettlementCreateParamsSchema,
  royaltySettlementListParamsSchema,
  type ChargeCreateParams,
  type QrChannel,
  type RedEnvelopeCreateParams,
} from "./index";

/** A valid `extra` per channel. */
const GOOD_EXTRA: Record<QrChannel, Record<string, unknown> | undefined> = {
  alipay_qr: undefined,
  wx_pub_qr: { product_id: "P001" },
  cb_alipay_qr: undefined,
  cb_wx_pub_qr: { product_id: "P001", goods_list: [{ goods_name: "iPhone", goods_num: "1" }] },
  upacp_qr: undefined,
  ccb_qr: { pos_id: "025547632" },
  isv_qr: { terminal_id: "T0000001", pay_channel: "wx" },
  isv_scan: { terminal_id: "T0000001", scan_code: "131141564583769183" },
  isv_wap: { terminal_id: "T0000001", pay_channel: "alipay", result_url: "https://example.com/r" },
};

function charge(channel: QrChannel, patch: Record<string, unknown> = {}): ChargeCreateParams {
  return {
    order_no: "20261127abc123",
    app: { id: "app_1Gqj58ynP0mHeX1q" },
    channel,
    amount: 100,
    client_ip: "127.0.0.1",
    subject: "Your Subject",
    body: "Your Body",
    extra: GOOD_EXTRA[channel],
    ...patch,
  } as ChargeCreateParams;
}

/** Parse and return the PingppValidationError (fails the test if it parsed). */
function refused(schema: Parameters<typeof parseParams>[0], params: unknown): PingppValidationError {
  try {
    parseParams(schema, params);
  } catch (err) {
    expect(err).toBeInstanceOf(PingppValidationError);
    return err as PingppValidationError;
  }
  throw new Error(`expected ${JSON.stringify(params)} to be refused`);
}

describe("charge create params", () => {
  it.each(QR_CHANNELS)("accepts a good %s charge and fills its currency", (channel) => {
    const parsed = parseParams(chargeCreateParamsSchema, charge(channel));
    expect(parsed.channel).toBe(channel);
    expect(parsed.currency).toBe(channel.startsWith("cb_") ? "usd" : "cny");
    expect(parsed.currency).toBe(CHANNEL_CURRENCY[channel]);
  });

  it("keeps extra keys Ping++ may know better than we do", () => {
    const parsed = parseParams(
      chargeCreateParamsSchema,
      charge("wx_pub_qr", { extra: { product_id: "P", goods_tag: "g", new_key: 1 } }),
    );
    expect(parsed.extra).toEqual({ product_id: "P", goods_tag: "g", new_key: 1 });
  });

  it.each([
    ["wx_pub_qr without extra", charge("wx_pub_qr", { extra: undefined }), "extra"],
    ["wx_pub_qr without product_id", charge("wx_pub_qr", { extra: { limit_pay: "no_credit" } }), "extra.product_id"],
    [
      "wx_pub_qr with a bad limit_pay",
      charge("wx_pub_qr", { extra: { product_id: "P", limit_pay: "x" } }),
      "extra.limit_pay",
    ],
    [
      "cb_wx_pub_qr without product_id",
      charge("cb_wx_pub_qr", { extra: { goods_list: [{ goods_name: "a", goods_num: 1 }] } }),
      "extra.product_id",
    ],
    ["cb_wx_pub_qr without goods_list", charge("cb_wx_pub_qr", { extra: { product_id: "P" } }), "extra.goods_list"],
    [
      "cb_wx_pub_qr with an empty goods_list",
      charge("cb_wx_pub_qr", { extra: { product_id: "P", goods_list: [] } }),
      "extra.goods_list",
    ],
    [
      "cb_wx_pub_qr goods without a name",
      charge("cb_wx_pub_qr", { extra: { product_id: "P", goods_list: [{ goods_num: "1" }] } }),
      "extra.goods_list[0].goods_name",
    ],
    [
      "cb_wx_pub_qr goods without a number",
      charge("cb_wx_pub_qr", { extra: { product_id: "P", goods_list: [{ goods_name: "a" }] } }),
      "extra.goods_list[0].goods_num",
    ],
    ["cb_wx_pub_qr in cny", charge("cb_wx_pub_qr", { currency: "cny" }), "currency"],
    ["cb_alipay_qr in cny", charge("cb_alipay_qr", { currency: "cny" }), "currency"],
    ["alipay_qr in usd", charge("alipay_qr", { currency: "usd" }), "currency"],
    ["isv_qr without terminal_id", charge("isv_qr", { extra: { pay_channel: "wx" } }), "extra.terminal_id"],
    [
      "isv_qr with a bad pay_channel",
      charge("isv_qr", { extra: { terminal_id: "T", pay_channel: "paypal" } }),
      "extra.pay_channel",
    ],
    ["isv_wap without terminal_id", charge("isv_wap", { extra: {} }), "extra.terminal_id"],
    [
      "isv_wap with a bad result_url",
      charge("isv_wap", { extra: { terminal_id: "T", pay_channel: "wx", result_url: "not a url" } }),
      "extra.result_url",
    ],
    [
      "isv_wap without pay_channel",
      charge("isv_wap", { extra: { terminal_id: "T", result_url: "https://shop.example/ok" } }),
      "extra.pay_channel",
    ],
    ["isv_qr without pay_channel", charge("isv_qr", { extra: { terminal_id: "T" } }), "extra.pay_channel"],
    ["isv_scan without terminal_id", charge("isv_scan", { extra: { scan_code: "1311" } }), "extra.terminal_id"],
    ["isv_scan without scan_code", charge("isv_scan", { extra: { terminal_id: "T" } }), "extra.scan_code"],
    // The SDK's limits (limits.ts): terminal_id 1-8 letters or digits, scan_code 1-32 characters.
    [
      "isv_qr with a 9-character terminal_id",
      charge("isv_qr", { extra: { terminal_id: "T00000001", pay_channel: "wx" } }),
      "extra.terminal_id",
    ],
    [
      "isv_scan with a terminal_id with a dash",
      charge("isv_scan", { extra: { terminal_id: "T-01", scan_code: "1311" } }),
      "extra.terminal_id",
    ],
    [
      "isv_wap with an empty terminal_id",
      charge("isv_wap", { extra: { terminal_id: "", pay_channel: "wx", result_url: "https://shop.example/ok" } }),
      "extra.terminal_id",
    ],
    [
      "isv_scan with a 33-character scan_code",
      charge("isv_scan", { extra: { terminal_id: "T1", scan_code: "1".repeat(33) } }),
      "extra.scan_code",
    ],
    ["an unknown channel", charge("alipay_qr", { channel: "alipay_pc_direct" }), "channel"],
    ["a zero amount", charge("alipay_qr", { amount: 0 }), "amount"],
    ["a negative amount", charge("alipay_qr", { amount: -100 }), "amount"],
    ["a fractional amount", charge("alipay_qr", { amount: 1.5 }), "amount"],
    ["an amount as a string", charge("alipay_qr", { amount: "100" }), "amount"],
    ["a subject of 33 characters", charge("alipay_qr", { subject: "商".repeat(33) }), "subject"],
    ["an empty subject", charge("alipay_qr", { subject: "" }), "subject"],
    ["a body of 129 characters", charge("alipay_qr", { body: "b".repeat(129) }), "body"],
    ["an order_no with a dash", charge("alipay_qr", { order_no: "2026-11-27" }), "order_no"],
    ["an order_no of 28 characters", charge("alipay_qr", { order_no: "1".repeat(28) }), "order_no"],
    ["a missing app id", charge("alipay_qr", { app: {} }), "app.id"],
    ["a missing client_ip", charge("alipay_qr", { client_ip: undefined }), "client_ip"],
  ])("refuses %s", (_label, params, path) => {
    const err = refused(chargeCreateParamsSchema, params);
    expect(err.path).toBe(path);
    expect(err.issues[0]?.path).toBe(path);
    expect(err.message).toContain(path);
  });

  it("counts subject and body in characters, not bytes", () => {
    expect(
      parseParams(chargeCreateParamsSchema, charge("alipay_qr", { subject: "商".repeat(32), body: "品".repeat(128) }))
        .subject,
    ).toHaveLength(32);
  });
});

describe("other params", () => {
  const red = (patch: Record<string, unknown> = {}): RedEnvelopeCreateParams =>
    ({
      app: { id: "app_1" },
      order_no: "123456789",
      amount: 100,
      recipient: "o9zpMs7Xk9e9aJbTXgufovuWGp7c",
      subject: "Your Subject",
      body: "Your Body",
      description: "Your Description",
      extra: { send_name: "Send Name" },
      ...patch,
    }) as RedEnvelopeCreateParams;

  it("accepts a good red envelope and fills channel and currency", () => {
    const parsed = parseParams(redEnvelopeCreateParamsSchema, red());
    expect(parsed.channel).toBe("wx_pub");
    expect(parsed.currency).toBe("cny");
    expect(parseParams(redEnvelopeCreateParamsSchema, red({ amount: 20_000 })).amount).toBe(20_000);
    // outside 1-200 yuan with a scene
    expect(
      parseParams(
        redEnvelopeCreateParamsSchema,
        red({ amount: 50_000, extra: { send_name: "S", scene_id: "PRODUCT_4" } }),
      ).amount,
    ).toBe(50_000);
    expect(
      parseParams(redEnvelopeCreateParamsSchema, red({ amount: 99, extra: { send_name: "S", scene_id: "PRODUCT_1" } }))
        .amount,
    ).toBe(99);
    // 32 bytes exactly: 10 Chinese characters (30 bytes) + 2 ASCII
    expect(parseParams(redEnvelopeCreateParamsSchema, red({ subject: "红".repeat(10) + "ab" })).subject).toBeDefined();
  });

  it.each([
    ["an amount below 100 fen", { amount: 99 }, "amount"],
    ["an amount above 20000 fen", { amount: 20_001 }, "amount"],
    ["an unknown scene", { amount: 50_000, extra: { send_name: "S", scene_id: "PRODUCT_9" } }, "extra.scene_id"],
    ["a subject of 33 bytes (11 Chinese characters)", { subject: "红".repeat(11) }, "subject"],
    ["a body of 129 bytes", { body: "b".repeat(129) }, "body"],
    ["a description of 256 bytes", { description: "é".repeat(128) }, "description"],
    ["a send_name of 33 bytes", { extra: { send_name: "名".repeat(11) } }, "extra.send_name"],
    ["a missing send_name", { extra: {} }, "extra.send_name"],
    ["a non-string extra value", { extra: { send_name: "S", logo: 1 } }, "extra.logo"],
    ["a non-digit order_no", { order_no: "12345a" }, "order_no"],
    ["an order_no of 29 digits", { order_no: "1".repeat(29) }, "order_no"],
    ["another channel", { channel: "wx" }, "channel"],
    ["no recipient", { recipient: "" }, "recipient"],
  ])("red envelope refuses %s", (_label, patch, path) => {
    expect(refused(redEnvelopeCreateParamsSchema, red(patch)).path).toBe(path);
  });

  it("refunds need a description and a positive integer amount", () => {
    expect(parseParams(refundCreateParamsSchema, { description: "退款" })).toEqual({ description: "退款" });
    expect(refused(refundCreateParamsSchema, {}).path).toBe("description");
    expect(refused(refundCreateParamsSchema, { description: "d", amount: 0 }).path).toBe("amount");
    expect(refused(refundCreateParamsSchema, { description: "d", funding_source: "x" }).path).toBe("funding_source");
  });

  it("isv terminal_id and scan_code at their documented limits pass", () => {
    const parsed = parseParams(
      chargeCreateParamsSchema,
      charge("isv_scan", { extra: { terminal_id: "A0000007", scan_code: "2".repeat(32) } }),
    );
    expect(parsed.extra).toEqual({ terminal_id: "A0000007", scan_code: "2".repeat(32) });
    expect(
      parseParams(orderPayParamsSchema, {
        channel: "isv_qr",
        charge_amount: 1,
        extra: { terminal_id: "T1", pay_channel: "wx" },
      }).channel,
    ).toBe("isv_qr");
    expect(
      refused(orderPayParamsSchema, {
        channel: "isv_qr",
        charge_amount: 1,
        extra: { terminal_id: "TERMINAL9", pay_channel: "wx" },
      }).path,
    ).toBe("extra.terminal_id");
  });

  it("order refunds: description required, refund_mode only to_source/to_balance, charge_amount only with charge", () => {
    const ok = {
      charge: "ch_1",
      charge_amount: 300,
      description: "退货",
      refund_mode: "to_balance",
      funding_source: "recharge_funds",
    };
    expect(parseParams(orderRefundCreateParamsSchema, ok)).toEqual(ok);
    expect(parseParams(orderRefundCreateParamsSchema, { description: "全部退" })).toEqual({ description: "全部退" });
    expect(refused(orderRefundCreateParamsSchema, { charge: "ch_1" }).path).toBe("description");
    expect(refused(orderRefundCreateParamsSchema, { ...ok, refund_mode: "to_card" }).path).toBe("refund_mode");
    expect(refused(orderRefundCreateParamsSchema, { description: "d", charge_amount: 300 }).path).toBe("charge_amount");
    expect(refused(orderRefundCreateParamsSchema, { ...ok, funding_source: "x" }).path).toBe("funding_source");
  });

  it("orders: merchant_order_no, per_page, pay extras", () => {
    const order = {
      app: "app_1",
      merchant_order_no: "2017081400000006",
      amount: 1000,
      client_ip: "127.0.0.1",
      subject: "s",
      body: "b",
      uid: "user_007",
    };
    expect(parseParams(orderCreateParamsSchema, order).currency).toBe("cny");
    expect(refused(orderCreateParamsSchema, { ...order, merchant_order_no: "1234567" }).path).toBe("merchant_order_no");
    expect(refused(orderListParamsSchema, { app: "app_1", per_page: 21 }).path).toBe("per_page");
    expect(refused(orderListParamsSchema, {}).path).toBe("app");
    expect(
      parseParams(orderPayParamsSchema, { channel: "wx_pub_qr", charge_amount: 800, extra: { product_id: "P" } })
        .charge_amount,
    ).toBe(800);
    expect(refused(orderPayParamsSchema, { channel: "wx_pub_qr", charge_amount: 800, extra: {} }).path).toBe(
      "extra.product_id",
    );
    expect(
      refused(orderPayParamsSchema, { channel: "isv_scan", charge_amount: 1, extra: { terminal_id: "T" } }).path,
    ).toBe("extra.scan_code");
  });

  it("charge list needs app.id and a limit of 1-100", () => {
    expect(refused(chargeListParamsSchema, {}).path).toBe("app");
    expect(refused(chargeListParamsSchema, { app: { id: "a" }, limit: 101 }).path).toBe("limit");
    expect(refused(chargeListParamsSchema, { app: { id: "a" }, created: { gt: 1.5 } }).path).toBe("created.gt");
  });

  it("royalty settlements need payer_app and a known method", () => {
    expect(refused(royaltySettlementCreateParamsSchema, { method: "alipay" }).path).toBe("payer_app");
    expect(refused(royaltySettlementCreateParamsSchema, { payer_app: "app_1", method: "bitcoin" }).path).toBe("method");
    expect(refused(royaltySettlementListParamsSchema, { per_page: 10 }).path).toBe("payer_app");
    expect(refused(royaltySettlementListParamsSchema, { payer_app: "a", per_page: 101 }).path).toBe("per_page");
  });
});

describe("channels and generated numbers", () => {
  it("currency per channel", () => {
    expect(currencyForChannel("cb_alipay_qr")).toBe("usd");
    expect(currencyForChannel("cb_wx_pub_qr")).toBe("usd");
    expect(currencyForChannel("alipay_qr")).toBe("cny");
    expect(currencyForChannel("wx_pub")).toBe("cny");
  });

  it("reversible channels per API.md §2.1", () => {
    expect([...REVERSIBLE_CHANNELS].sort()).toEqual(["alipay_qr", "isv_qr", "isv_scan", "isv_wap", "wx_pub_qr"]);
    for (const ch of ["upacp_qr", "ccb_qr", "cb_alipay_qr", "cb_wx_pub_qr"])
      expect(isReversibleChannel(ch)).toBe(false);
  });

  it("generateOrderNo: alnum, ≤ 27, unique, valid for charges and orders", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const no = generateOrderNo();
      expect(no).toMatch(/^[0-9a-z]{8,20}$/);
      seen.add(no);
    }
    expect(seen.size).toBe(2000);
    expect(generateOrderNo(Date.UTC(2026, 10, 27, 5, 6, 7)).slice(0, 12)).toBe("261127050607");
    expect(
      parseParams(chargeCreateParamsSchema, charge("alipay_qr", { order_no: generateOrderNo() })).order_no,
    ).toHaveLength(20);
  });

  it("generateRedEnvelopeOrderNo: 1-28 digits, unique", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const no = generateRedEnvelopeOrderNo();
      expect(no).toMatch(/^[0-9]{1,28}$/);
      seen.add(no);
    }
    expect(seen.size).toBe(2000);
  });
});
