import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  PingppResponseError,
  isEventFor,
  parseEvent,
  rsaSign,
  verifyWebhookSignature,
} from "./index";
import { WEBHOOKS, fixtureBytes, fixtureText } from "./test-fixtures";

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
    const garbageKeys = ["", "garbage", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", c.pem.slice(0, 200)];
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

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}
