import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { encode } from "next-auth/jwt";
import { eq } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { rawRequest } from "@/tests/helpers/http";
import { addActor } from "@/tests/helpers/actors";
import { charges, pingppEvents } from "@/lib/db/schema";
import { env } from "@/lib/env";
import type { Db } from "@/lib/db";
import type { HotRoute } from "@/lib/http/serve";

/**
 * `npm start`'s server (lib/http/serve.ts + scripts/hot-routes.ts) over real HTTP: the hot
 * routes answered by their app/ handlers without Next.js, with the same headers Next.js adds;
 * everything else handed to Next.js (here a stand-in that records what reached it).
 */
const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
process.env.PINGPP_PUBLIC_KEY = publicKey.export({ type: "spki", format: "pem" }).toString();
const sample = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../lib/pingpp/fixtures/seed-samples/qr-charge-10-charge.succeeded.json"), "utf8"));
const sign = (body: string) => crypto.sign("RSA-SHA256", Buffer.from(body), privateKey).toString("base64");
const chargeEvent = () => JSON.stringify({ ...sample, id: `evt_${crypto.randomBytes(12).toString("hex")}`, data: { object: { ...sample.data.object, id: `ch_${crypto.randomBytes(12).toString("hex")}`, order_no: crypto.randomBytes(8).toString("hex") } } });

let db: Db;
let server: http.Server;
let base: string;
const reachedNext: string[] = [];
let echoed: { url: string; headers: Record<string, string>; params: Record<string, string>; body: string } | undefined;

/** A route of the test's own next to the real ones: shows exactly which Request a handler gets. */
const ECHO: HotRoute = {
  method: "POST",
  path: /^\/test\/echo\/(?<name>[^/]+)$/,
  maxBodyBytes: 1024,
  handler: async (req, params) => {
    echoed = { url: req.url, headers: Object.fromEntries(req.headers), params, body: await req.text() };
    return new Response("echo", { status: 201, headers: { "x-from": "echo", "set-cookie": "a=1" } });
  },
};
const THROWS: HotRoute = { method: "GET", path: /^\/test\/throws$/, handler: async () => { throw new Error("boom"); } };

beforeAll(async () => {
  db = await freshDb();
  const { createConsoleServer } = await import("@/lib/http/serve");
  const { HOT_ROUTES } = await import("@/scripts/hot-routes");
  server = createConsoleServer([...HOT_ROUTES, ECHO, THROWS], (req, res) => {
    reachedNext.push(`${req.method} ${req.url}`);
    res.statusCode = 299;
    res.end("next");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await closeDb();
});

const request = (method: string, p: string, opts: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {}) =>
  rawRequest(`${base}${p}`, { method, ...opts });

const deliver = (body: string, signature = sign(body)) =>
  request("POST", "/api/webhooks/pingpp", { headers: { "content-type": "application/json", "x-pingplusplus-signature": signature }, body });

const expectConsoleHeaders = (h: http.IncomingHttpHeaders) => {
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
};

describe("the production server's hot routes", () => {
  it("stores and applies a signed webhook once through the real route, with Next.js's headers; repeats are acknowledged, a forged one is refused", async () => {
    const body = chargeEvent();
    const first = await deliver(body);
    expect(first).toMatchObject({ status: 200, text: "ok" });
    expectConsoleHeaders(first.headers);
    expect((await deliver(body)).text).toBe("duplicate");
    const id = JSON.parse(body).id as string;
    const [evt] = await db.select().from(pingppEvents).where(eq(pingppEvents.id, id));
    expect(evt).toMatchObject({ status: "applied", receiveCount: 2 });
    const other = chargeEvent();
    expect((await deliver(other, sign(body))).status).toBe(401);
    expect(await db.$count(pingppEvents, eq(pingppEvents.id, JSON.parse(other).id))).toBe(0);
    expect(reachedNext).toEqual([]);
  });

  it("answers 413 to a body over the webhook limit, declared or chunked, without running the route", async () => {
    const huge = JSON.stringify({ ...JSON.parse(chargeEvent()), pad: "x".repeat(300 * 1024) });
    const before = await db.$count(pingppEvents);
    const declared = await deliver(huge);
    expect(declared).toMatchObject({ status: 413, text: "payload too large" });
    expectConsoleHeaders(declared.headers);
    const chunked = await request("POST", "/api/webhooks/pingpp", { headers: { "x-pingplusplus-signature": sign(huge) }, body: huge, chunked: true });
    expect(chunked.status).toBe(413);
    expect(await db.$count(pingppEvents)).toBe(before);
  });

  it("serves the status poll with the session from the request's cookie: 401 without, the charge with, 304 when unchanged", async () => {
    const body = chargeEvent();
    expect((await deliver(body)).status).toBe(200);
    const [row] = await db.select().from(charges).where(eq(charges.pingppId, JSON.parse(body).data.object.id));
    const admin = await addActor(db, `admin-${crypto.randomUUID()}@serve.test`, "admin");
    const cookie = `authjs.session-token=${await encode({ token: { uid: admin.id, sv: 1, loginAt: Math.floor(Date.now() / 1000) }, secret: env().authSecret, salt: "authjs.session-token", maxAge: 3600 })}`;

    const anonymous = await request("GET", `/api/charges/${row!.id}/status`);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toEqual({ error: "unauthenticated" });
    expectConsoleHeaders(anonymous.headers);

    const ok = await request("GET", `/api/charges/${row!.id}/status?t=1`, { headers: { cookie } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toMatchObject({ id: row!.id, status: "paid", amount: sample.data.object.amount });
    expect(ok.text).not.toContain("transaction_no"); // the live view, never the Ping++ object
    const again = await request("GET", `/api/charges/${row!.id}/status`, { headers: { cookie, "if-none-match": ok.headers.etag! } });
    expect(again).toMatchObject({ status: 304, text: "" });

    expect((await request("GET", `/api/charges/not-a-uuid/status`, { headers: { cookie } })).status).toBe(404);
    expect((await request("GET", `/api/charges/%E0%A4%A/status`, { headers: { cookie } })).status).toBe(404);
    expect(reachedNext).toEqual([]);
  });

  it("hands every other path and method to Next.js untouched", async () => {
    reachedNext.length = 0;
    expect((await request("GET", "/api/webhooks/pingpp")).status).toBe(299);
    expect((await request("HEAD", "/api/charges/x/status")).status).toBe(299);
    expect((await request("GET", "/api/charges/x/status/more")).status).toBe(299);
    expect((await request("GET", "/login?next=%2F")).text).toBe("next");
    expect(reachedNext).toEqual(["GET /api/webhooks/pingpp", "HEAD /api/charges/x/status", "GET /api/charges/x/status/more", "GET /login?next=%2F"]);
  });

  it("gives the handler the path, query, params, headers and body as sent, with the socket's address and scheme when no proxy said them", async () => {
    const r = await request("POST", "/test/echo/caf%C3%A9?x=1", { headers: { cookie: "a=b", "x-custom": "v" }, body: "héllo" });
    expect(r).toMatchObject({ status: 201, text: "echo" });
    expect(r.headers["x-from"]).toBe("echo");
    expect(r.headers["set-cookie"]).toEqual(["a=1"]);
    expect(echoed).toMatchObject({ url: "http://localhost/test/echo/caf%C3%A9?x=1", params: { name: "caf%C3%A9" }, body: "héllo" });
    expect(echoed!.headers).toMatchObject({ cookie: "a=b", "x-custom": "v", "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "http" });

    await request("POST", "/test/echo/n", { headers: { "x-forwarded-for": "203.0.113.9, 10.0.0.1", "x-forwarded-proto": "https" }, body: "" });
    expect(echoed!.headers).toMatchObject({ "x-forwarded-for": "203.0.113.9, 10.0.0.1", "x-forwarded-proto": "https" });
  });

  it("answers 500 when a handler throws, without the error's text, and keeps serving", async () => {
    const r = await request("GET", "/test/throws");
    expect(r).toMatchObject({ status: 500, text: "internal error" });
    expect((await request("POST", "/test/echo/after", { body: "x" })).status).toBe(201);
  });
});
