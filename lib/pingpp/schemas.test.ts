import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  chargeSchema,
  errorBodySchema,
  eventSchema,
  isEventFor,
  listSchema,
  orderSchema,
  pageListSchema,
  redEnvelopeSchema,
  refundSchema,
  royaltySettlementSchema,
  royaltyTransactionSchema,
  type PingppEvent,
} from "./index";
import { SEED_SAMPLES, WEBHOOKS, fixtureJson, seedSample } from "./test-fixtures";

/** The schema each seed sample must parse with, by its `object`. */
function schemaFor(json: Record<string, unknown>): z.ZodType {
  switch (json.object) {
    case "event":
      return eventSchema;
    case "list":
      return listSchema(refundSchema);
    case "charge":
      return chargeSchema;
    case "order":
      return orderSchema;
    case "royalty_transaction":
      return royaltyTransactionSchema;
    default:
      throw new Error(`no schema for object ${String(json.object)}`);
  }
}

const clone = <T>(v: T): T => structuredClone(v);

describe("seed samples", () => {
  it("are all present", () => {
    expect(SEED_SAMPLES.length).toBe(27);
  });

  for (const name of SEED_SAMPLES) {
    it(`${name} parses`, () => {
      const json = seedSample(name);
      const parsed = schemaFor(json).safeParse(json);
      if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
      // nothing is dropped: the parsed object is the sample
      expect(parsed.data).toEqual(json);
    });
  }

  it("events validate data.object with the schema of their type", () => {
    const expected: Record<string, string> = {
      "charge.succeeded": "charge",
      "order.refunded": "order",
      "red_envelope.sent": "red_envelope",
      "royalty_settlement.failed": "royalty_settlement",
      "royalty_settlement.partially_succeeded": "royalty_settlement",
      "royalty_settlement.canceled": "royalty_settlement",
    };
    let events = 0;
    for (const name of SEED_SAMPLES) {
      const json = seedSample(name);
      if (json.object !== "event") continue;
      events++;
      const event = eventSchema.parse(json);
      const object = expected[event.type];
      expect(object, event.type).toBeDefined();
      expect(event.data.object.object).toBe(object);
      expect(name).toContain(event.type);
    }
    expect(events).toBe(15);
  });

  it("the red envelope and settlement events give typed objects", () => {
    const red = eventSchema.parse(seedSample("red-envelope-01-red_envelope.sent.json"));
    expect(isEventFor(red, "red_envelope")).toBe(true);
    expect(redEnvelopeSchema.parse(red.data.object).status).toBe("sent");

    const partial = eventSchema.parse(seedSample("royalty-settlement-03-royalty_settlement.partially_succeeded.json"));
    const settlement = royaltySettlementSchema.parse(partial.data.object);
    expect(settlement.status).toBe("partially_succeeded");
    expect(settlement.royalty_transactions?.data.map((t) => t.status)).toEqual(["failed", "succeeded"]);
  });

  it("the order refund list parses as a list of refunds", () => {
    const list = listSchema(refundSchema).parse(seedSample("order-refund-01-list.json"));
    expect(list.data[0]?.status).toBe("succeeded");
    expect(list.data[0]?.amount).toBe(800);
  });
});

describe("webhook bodies", () => {
  for (const w of WEBHOOKS) {
    it(`${w.body} parses as an event, losslessly`, () => {
      const json = fixtureJson(w.body);
      const event: PingppEvent = eventSchema.parse(json);
      expect(event.type).toBe(w.type);
      expect(event).toEqual(json);
    });
  }
});

describe("strictness on the fields the console relies on", () => {
  const charge = seedSample("qr-charge-01-charge.json");
  const order = seedSample("order-cancel-01-order.json");

  it("keeps unknown fields at every level", () => {
    const input = { ...clone(charge), brand_new_field: { a: 1 }, extra: { zzz: "kept" } };
    const parsed = chargeSchema.parse(input);
    expect(parsed.brand_new_field).toEqual({ a: 1 });
    expect(parsed.extra.zzz).toBe("kept");
    const list = listSchema(chargeSchema).parse({
      object: "list",
      url: "/v1/charges",
      has_more: false,
      data: [input],
      total: 1,
    });
    expect(list.total).toBe(1);
    expect(list.data[0]?.brand_new_field).toEqual({ a: 1 });
  });

  it.each([
    ["amount as string", { amount: "100" }, "amount"],
    ["amount as float", { amount: 1.5 }, "amount"],
    ["negative amount", { amount: -1 }, "amount"],
    ["paid as string", { paid: "true" }, "paid"],
    ["missing id", { id: undefined }, "id"],
    ["wrong object", { object: "refund" }, "object"],
    ["time_paid as string", { time_paid: "1458186741" }, "time_paid"],
    ["created null", { created: null }, "created"],
    ["livemode missing", { livemode: undefined }, "livemode"],
    ["refunds not a list", { refunds: { object: "list" } }, "refunds"],
  ])("charge refuses %s", (_label, patch, path) => {
    const parsed = chargeSchema.safeParse({ ...clone(charge), ...patch });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path[0]).toBe(path);
  });

  it("charge accepts null where Ping++ sends null, and a negative amount_settle", () => {
    const c = chargeSchema.parse({ ...clone(charge), refunds: null, amount_settle: -9, reversed: true });
    expect(c.refunds).toBeNull();
    expect(c.reversed).toBe(true);
  });

  it("order refuses an unknown status and a float amount_paid", () => {
    expect(orderSchema.safeParse({ ...clone(order), status: "closed" }).success).toBe(false);
    expect(orderSchema.safeParse({ ...clone(order), amount_paid: 0.5 }).success).toBe(false);
    expect(orderSchema.safeParse({ ...clone(order), status: "paid" }).success).toBe(true);
  });

  it("refund, red envelope, settlement and transaction refuse unknown statuses", () => {
    const refund = (seedSample("order-refund-01-list.json").data as unknown[])[0];
    expect(refundSchema.safeParse({ ...(refund as object), status: "done" }).success).toBe(false);
    const red = (seedSample("red-envelope-01-red_envelope.sent.json").data as { object: object }).object;
    expect(redEnvelopeSchema.safeParse({ ...red, status: "lost" }).success).toBe(false);
    const settlement = (seedSample("royalty-settlement-05-royalty_settlement.canceled.json").data as { object: object })
      .object;
    expect(royaltySettlementSchema.safeParse({ ...settlement, status: "finished" }).success).toBe(false);
    expect(royaltySettlementSchema.safeParse({ ...settlement, count: 1.5 }).success).toBe(false);
    const tx = seedSample("royalty-settlement-01-royalty_transaction.json");
    expect(royaltyTransactionSchema.safeParse({ ...tx, status: "ok" }).success).toBe(false);
  });

  it("an event whose known object is malformed fails at data.object.<field>", () => {
    const event = clone(seedSample("qr-charge-10-charge.succeeded.json")) as {
      data: { object: Record<string, unknown> };
    };
    event.data.object.paid = 1;
    const parsed = eventSchema.safeParse(event);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["data", "object", "paid"]);
  });

  it("an event of an unknown type keeps any data.object", () => {
    const event: Record<string, unknown> = clone(seedSample("qr-charge-10-charge.succeeded.json"));
    event.type = "transfer.succeeded";
    event.data = { object: { object: "transfer", amount: "weird" } };
    const parsed = eventSchema.parse(event);
    expect(parsed.data.object).toEqual({ object: "transfer", amount: "weird" });
  });

  it("cursor lists need has_more; page lists may use page_number/total_page instead", () => {
    const body = { object: "list", url: "/v1/x", data: [] };
    expect(listSchema(chargeSchema).safeParse(body).success).toBe(false);
    expect(pageListSchema(chargeSchema).safeParse({ ...body, page_number: 1, total_page: 1 }).success).toBe(true);
  });

  it("error bodies", () => {
    const full = { error: { type: "invalid_request_error", message: "参数错误", code: "x", param: "amount" } };
    expect(errorBodySchema.parse(full)).toEqual(full);
    expect(errorBodySchema.safeParse({ error: { type: "api_error", message: "m" } }).success).toBe(true);
    expect(errorBodySchema.safeParse({ error: { message: "m" } }).success).toBe(false);
    expect(errorBodySchema.safeParse({ error: "boom" }).success).toBe(false);
  });
});
