import { beforeEach, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { webhookRouteTestbed } from "@/tests/helpers/webhook-route";
import { charges, pingppEvents } from "@/lib/db/schema";
import type { Db } from "@/lib/db";

// Ping++'s key pair for this file: we sign like Ping++ does (RSA-SHA256 over the raw body, base64).
const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
process.env.PINGPP_PUBLIC_KEY = publicKey.export({ type: "spki", format: "pem" }).toString();
// the console runs the app of Ping++'s samples in live mode, so the sample's events are its own
process.env.PINGPP_API_KEY = "sk_live_ingestTest";
process.env.PINGPP_APP_ID = "app_1Gqj58ynP0mHeX1q";

const fixtures = path.join(import.meta.dirname, "../../pingpp/fixtures");
const sample = JSON.parse(
  fs.readFileSync(path.join(fixtures, "seed-samples/qr-charge-10-charge.succeeded.json"), "utf8"),
);

let db: Db;
let POST: (req: Request) => Promise<Response>;
webhookRouteTestbed((bed) => ({ db, POST } = bed));
beforeEach(async () => {
  await db.delete(pingppEvents);
  await db.delete(charges);
});

const sign = (body: Buffer | string) => crypto.sign("RSA-SHA256", Buffer.from(body), privateKey).toString("base64");

async function deliver(body: Buffer | string, signature: string | null = sign(body)) {
  const headers = new Headers({ "content-type": "application/json" });
  if (signature !== null) headers.set("x-pingplusplus-signature", signature);
  const res = await POST(
    new Request("http://console.test/api/webhooks/pingpp", {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : new Uint8Array(body),
    }),
  );
  return { status: res.status, text: await res.text() };
}

function chargeEvent(over: Record<string, unknown> = {}, id = `evt_${crypto.randomBytes(12).toString("hex")}`) {
  return JSON.stringify({ ...sample, id, data: { object: { ...sample.data.object, ...over } } });
}

describe("POST /api/webhooks/pingpp", () => {
  it("stores a verified charge.succeeded once, applies it, and acknowledges repeats without applying twice", async () => {
    const body = chargeEvent();
    expect(await deliver(body)).toEqual({ status: 200, text: "ok" });
    expect(await deliver(body)).toEqual({ status: 200, text: "duplicate" });
    const [evt] = await db.select().from(pingppEvents);
    expect(evt).toMatchObject({
      type: "charge.succeeded",
      status: "applied",
      receiveCount: 2,
      signatureVerified: true,
    });
    const [c] = await db.select().from(charges);
    expect(c).toMatchObject({ pingppId: sample.data.object.id, status: "paid", amount: sample.data.object.amount });
  });

  it("refuses a bad signature (401) and a missing one, storing nothing", async () => {
    const body = chargeEvent();
    const tampered = Buffer.from(body);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 2) ^ 1, tampered.length - 2);
    expect((await deliver(tampered, sign(body))).status).toBe(401);
    expect((await deliver(body, null)).status).toBe(401);
    expect((await deliver(body, "not base64 at all!")).status).toBe(401);
    const other = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    expect((await deliver(body, crypto.sign("RSA-SHA256", Buffer.from(body), other).toString("base64"))).status).toBe(
      401,
    );
    expect(await db.$count(pingppEvents)).toBe(0);
  });

  it("answers 400 to signed bodies it cannot read as an event (not JSON, no id or type), storing nothing", async () => {
    expect((await deliver("{not json")).status).toBe(400);
    expect((await deliver(JSON.stringify({ id: "evt_x", object: "event" }))).status).toBe(400);
    expect(await db.$count(pingppEvents)).toBe(0);
  });

  it("keeps a signed event of a shape it does not know as failed (200), applying nothing", async () => {
    const wrongShape = chargeEvent({ amount: "1000" });
    expect(await deliver(wrongShape)).toEqual({ status: 200, text: "ok" });
    const [evt] = await db.select().from(pingppEvents);
    expect(evt).toMatchObject({
      type: "charge.succeeded",
      status: "failed",
      result: expect.stringMatching(/data\.object\.amount/),
    });
    expect(await db.$count(charges)).toBe(0);
  });

  it("stores and acknowledges a valid event of a type it does not handle", async () => {
    // Ping++'s own account.summary.available, in this console's (live) mode
    const body = JSON.stringify({
      ...JSON.parse(fs.readFileSync(path.join(fixtures, "webhook-2.body.json"), "utf8")),
      livemode: true,
    });
    expect((await deliver(body)).status).toBe(200);
    const [evt] = await db.select().from(pingppEvents);
    expect(evt).toMatchObject({ type: "account.summary.available", status: "ignored" });
  });

  it("our own failure (the events table unusable) answers 5xx storing nothing; the redelivery then succeeds", async () => {
    const body = chargeEvent();
    await db.execute(sql`alter table pingpp_events rename to pingpp_events_away`);
    try {
      expect((await deliver(body)).status).toBe(503);
    } finally {
      await db.execute(sql`alter table pingpp_events_away rename to pingpp_events`);
    }
    expect(await db.$count(charges)).toBe(0); // the transaction rolled back: nothing half-applied
    expect(await deliver(body)).toEqual({ status: 200, text: "ok" });
    expect(await db.$count(pingppEvents)).toBe(1);
    expect((await db.select().from(charges))[0]?.status).toBe("paid");
  });

  it("refuses an oversized body with 413 before reading it as an event", async () => {
    const big = JSON.stringify({ pad: "x".repeat(300 * 1024) });
    expect((await deliver(big)).status).toBe(413);
  });

  it("applies forward only: a late charge.succeeded never un-refunds; state moves up", async () => {
    await deliver(chargeEvent({ refunded: true, amount_refunded: 100 }));
    await deliver(chargeEvent({ refunded: false, amount_refunded: 0 }));
    const [c] = await db.select().from(charges).where(eq(charges.pingppId, sample.data.object.id));
    expect(c).toMatchObject({ status: "paid", refunded: true, amountRefunded: 100 });
    expect(await db.$count(pingppEvents)).toBe(2);
  });
});
