import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  EVENT_TYPES,
  PingppResponseError,
  eventObjectKind,
  isEventFor,
  isKnownEventType,
  parseEvent,
  rsaSign,
  verifyWebhookSignature,
  type EventObjectKind,
  type PingppEvent,
} from "./index";
import { WEBHOOKS, fixtureBytes, fixtureText, seedSample } from "./test-fixtures";

const cases = WEBHOOKS.map((w) => ({
  ...w,
  bodyBytes: fixtureBytes(w.body),
  sigText: fixtureText(w.sig),
  pem: fixtureText(w.pubkey),
}));

describe("verifyWebhookSignature with Ping++'s signed fixtures", () => {
  it("has three fixtures with three distinct keys", () => {
    expect(cases).toHaveLength(3);
    expect(new Set(cases.map((c) => c.pem)).size).toBe(3);
  });

  for (const c of cases) {
    describe(c.body, () => {
      it("verifies over the raw bytes and over the same text", () => {
        expect(verifyWebhookSignature(c.bodyBytes, c.sigText, c.pem)).toBe(true);
        expect(verifyWebhookSignature(new Uint8Array(c.bodyBytes), c.sigText, c.pem)).toBe(true);
        expect(verifyWebhookSignature(c.bodyBytes.toString("utf8"), c.sigText, c.pem)).toBe(true);
      });

      it("fails when any single byte changes", () => {
        for (const index of [0, Math.floor(c.bodyBytes.length / 2), c.bodyBytes.length - 1]) {
          const tampered = Buffer.from(c.bodyBytes);
          tampered[index] = (tampered[index] ?? 0) ^ 0x01;
          expect(verifyWebhookSignature(tampered, c.sigText, c.pem)).toBe(false);
        }
        // an appended newline is a change too
        expect(verifyWebhookSignature(Buffer.concat([c.bodyBytes, Buffer.from("\n")]), c.sigText, c.pem)).toBe(false);
      });

      it("fails under the other two keys", () => {
        const others = cases.filter((o) => o.pubkey !== c.pubkey);
        expect(others).toHaveLength(2);
        for (const o of others) expect(verifyWebhookSignature(c.bodyBytes, c.sigText, o.pem)).toBe(false);
      });

      it("fails with another fixture's signature", () => {
        for (const o of cases.filter((o) => o.sig !== c.sig)) {
          expect(verifyWebhookSignature(c.bodyBytes, o.sigText, c.pem)).toBe(false);
        }
      });
    });
  }

  it("a changed signature byte fails", () => {
    const c = cases[0]!;
    const sig = Buffer.from(c.sigText, "base64");
    sig[10] = (sig[10] ?? 0) ^ 0xff;
    expect(verifyWebhookSignature(c.bodyBytes, sig.toString("base64"), c.pem)).toBe(false);
  });

  it("returns false (never throws) for garbage signatures and keys", () => {
    const c = cases[0]!;
    const garbageSigs = ["", "   ", "not base64 at all!!", "AAAA", "====", c.sigText.slice(0, 100), "%%%%"];
    for (const sig of garbageSigs) expect(verifyWebhookSignature(c.bodyBytes, sig, c.pem)).toBe(false);
    const garbageKeys = [
      "",
      "garbage",
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
      c.pem.slice(0, 200),
    ];
    for (const key of garbageKeys) expect(verifyWebhookSignature(c.bodyBytes, c.sigText, key)).toBe(false);
    // wrong types from untyped callers
    expect(verifyWebhookSignature(c.bodyBytes, undefined as unknown as string, c.pem)).toBe(false);
    expect(verifyWebhookSignature(c.bodyBytes, c.sigText, null as unknown as string)).toBe(false);
  });

  it("tolerates surrounding whitespace in the header value", () => {
    const c = cases[1]!;
    expect(verifyWebhookSignature(c.bodyBytes, ` ${c.sigText}\n`, c.pem)).toBe(true);
  });

  it("round-trips with a key pair made here (what the sandbox does)", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const privPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const pubPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const body = '{"id":"evt_1","object":"event","data":{"object":{"name":"中文"}}}';
    const sig = rsaSign(body, privPem);
    expect(verifyWebhookSignature(Buffer.from(body, "utf8"), sig, pubPem)).toBe(true);
    expect(verifyWebhookSignature(body.replace("中文", "中午"), sig, pubPem)).toBe(false);
  });
});

describe("parseEvent", () => {
  it("parses each fixture body into a typed event", () => {
    for (const c of cases) {
      const event = parseEvent(c.bodyBytes);
      expect(event.id).toBe(c.event);
      expect(event.type).toBe(c.type);
      expect(event.livemode).toBe(c.livemode);
    }
  });

  it("validates data.object by type and keeps unknown types loose", () => {
    const charge = parseEvent(fixtureText("webhook-3.body.json"));
    expect(isEventFor(charge, "charge")).toBe(true);
    if (!isEventFor(charge, "charge")) throw new Error("unreachable");
    expect(charge.data.object.amount).toBe(100);
    expect(charge.data.object.channel).toBe("wx_pub");

    const summary = parseEvent(fixtureBytes("webhook-2.body.json"));
    expect(isEventFor(summary, "charge")).toBe(false);
    expect(summary.data.object).toMatchObject({ object: "account_daily_summary", acct_display_name: "xx公司" });
    expect(summary.scope).toBe("acct_1234567890123456");
  });

  it("throws a typed error for bad JSON, keeping the raw body", () => {
    const err = catchError(() => parseEvent("{not json"));
    expect(err).toBeInstanceOf(PingppResponseError);
    expect((err as PingppResponseError).rawBody).toBe("{not json");
  });

  it("throws a typed error with the path when a known object is malformed", () => {
    const body = JSON.parse(fixtureText("webhook-1.body.json")) as { data: { object: Record<string, unknown> } };
    body.data.object.amount = "100";
    const err = catchError(() => parseEvent(JSON.stringify(body)));
    expect(err).toBeInstanceOf(PingppResponseError);
    expect((err as PingppResponseError).issues.map((i) => i.path)).toContain("data.object.amount");
  });

  it("refuses non-events", () => {
    for (const raw of ["null", "[]", '{"id":"evt_1"}', '{"object":"charge","id":"ch_1"}']) {
      expect(catchError(() => parseEvent(raw))).toBeInstanceOf(PingppResponseError);
    }
  });
});

describe("parseEvent: a discriminated union over the event types in scope", () => {
  const obj = (name: string) => (seedSample(name).data as { object: Record<string, unknown> }).object;
  const charge = obj("qr-charge-10-charge.succeeded.json");
  const refund = (seedSample("order-refund-01-list.json").data as Record<string, unknown>[])[0]!;
  const order = obj("order-refund-02-order.refunded.json");
  const red = obj("red-envelope-01-red_envelope.sent.json");
  const settlement = obj("royalty-settlement-03-royalty_settlement.partially_succeeded.json");
  const objects: Record<string, Record<string, unknown>> = {
    charge,
    refund,
    order,
    red_envelope: red,
    royalty_settlement: settlement,
  };
  const event = (type: string, object: Record<string, unknown>) =>
    JSON.stringify({
      id: `evt_${type.replace(/\W/g, "")}`,
      object: "event",
      created: 1764219600,
      livemode: false,
      type,
      data: { object },
      pending_webhooks: 0,
      request: null,
    });

  /** What a handler written against the union reads; compiles only if narrowing on `type` gives the object type. */
  function describeEvent(e: PingppEvent): string {
    switch (e.type) {
      case "charge.succeeded":
        return `charge ${e.data.object.id} paid=${e.data.object.paid} ${e.data.object.amount}`;
      case "refund.succeeded":
        return `refund ${e.data.object.id} ${e.data.object.status} of ${e.data.object.charge}`;
      case "order.succeeded":
      case "order.refunded":
        return `order ${e.data.object.id} ${e.data.object.status} ${e.data.object.amount_refunded}`;
      case "red_envelope.sent":
      case "red_envelope.received":
        return `red_envelope ${e.data.object.id} ${e.data.object.status}`;
      case "royalty_settlement.succeeded":
      case "royalty_settlement.partially_succeeded":
      case "royalty_settlement.failed":
      case "royalty_settlement.canceled":
        return `royalty_settlement ${e.data.object.id} ${e.data.object.amount_succeeded}/${e.data.object.amount_failed}`;
      default:
        return `other ${e.type} ${Object.keys(e.data.object).length}`;
    }
  }

  it("covers exactly the types of the issue", () => {
    expect(Object.keys(EVENT_TYPES).sort()).toEqual(
      [
        "charge.succeeded",
        "refund.succeeded",
        "order.succeeded",
        "order.refunded",
        "red_envelope.sent",
        "red_envelope.received",
        "royalty_settlement.succeeded",
        "royalty_settlement.partially_succeeded",
        "royalty_settlement.failed",
        "royalty_settlement.canceled",
      ].sort(),
    );
    for (const [type, kind] of Object.entries(EVENT_TYPES)) expect(eventObjectKind(type)).toBe(kind);
  });

  it.each(Object.entries(EVENT_TYPES))("%s carries a validated %s", (type, kind) => {
    const e = parseEvent(event(type, objects[kind]!));
    expect(e.type).toBe(type);
    expect(isKnownEventType(e.type)).toBe(true);
    expect(isEventFor(e, kind)).toBe(true);
    expect(describeEvent(e)).toMatch(new RegExp(`^${kind} ${String(objects[kind]!.id)} `));
    // a malformed object of that kind is refused, with the path
    const bad = { ...objects[kind]!, id: 42 };
    expect(() => parseEvent(event(type, bad))).toThrow(PingppResponseError);
  });

  it("keeps an unknown type as a generic event (not rejected)", () => {
    const e = parseEvent(event("summary.daily.available", { object: "account_daily_summary", acct_id: "acct_1" }));
    expect(isKnownEventType(e.type)).toBe(false);
    expect(describeEvent(e)).toBe("other summary.daily.available 2");
    for (const kind of Object.keys(objects)) expect(isEventFor(e, kind as EventObjectKind)).toBe(false);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}
