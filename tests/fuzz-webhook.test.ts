import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { eq, sql } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { pingppEvents } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { eventObjectKind, eventSchema } from "@/lib/pingpp/schemas";
import { HANDLERS } from "@/lib/services/webhooks/handlers";
import { MAX_EVENT_DEPTH, MAX_WEBHOOK_BYTES } from "@/lib/services/webhooks";

/**
 * Issue #10 "Bad input", the webhook (ARCHITECTURE.md rule 3): POST /api/webhooks/pingpp fed generated
 * garbage (fast-check, fixed seeds) through the real route with real Request objects. Forged or
 * missing signatures → 401, too large → 413, signed but unreadable (not JSON with an event id and
 * type) or not storable as sent → 400; never a 5xx (that is kept for our own failure, so Ping++
 * retries), and every refused delivery writes nothing (row count of every table, around each
 * delivery). Issue 15: a signed event that can be read but not applied (a shape the schema does
 * not know) is never lost: stored once as failed (or as foreign, when it is another app's or the
 * other mode's), acknowledged, and nothing else is written. A signed event of a type the console
 * does not handle is stored once and acknowledged.
 */
// Ping++'s key pair for this file, configured before the first env() read (as in ingest.test.ts).
const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
process.env.PINGPP_PUBLIC_KEY = publicKey.export({ type: "spki", format: "pem" }).toString();
// The console runs the app of Ping++'s charge sample in live mode: the sample's events are its own.
const OUR_APP = "app_1Gqj58ynP0mHeX1q";
process.env.PINGPP_API_KEY = "sk_live_fuzzWebhookTest";
process.env.PINGPP_APP_ID = OUR_APP;
/** A key that is not Ping++'s: what a forger signs with. */
const forgerKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

const fixtures = path.join(import.meta.dirname, "../lib/pingpp/fixtures");
const chargeEvent = JSON.parse(
  fs.readFileSync(path.join(fixtures, "seed-samples/qr-charge-10-charge.succeeded.json"), "utf8"),
) as Record<string, unknown>;
const otherEvent = JSON.parse(fs.readFileSync(path.join(fixtures, "webhook-2.body.json"), "utf8")) as Record<
  string,
  unknown
>;

const sign = (body: Uint8Array, key: crypto.KeyObject = privateKey) =>
  crypto.sign("RSA-SHA256", body, key).toString("base64");
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

let db: Db;
let POST: (req: Request) => Promise<Response>;
let tables: string[] = [];
const rowsOf = <T>(r: unknown) => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

/** Row count of every public table, in one query. */
async function counts(): Promise<Record<string, number>> {
  const q = tables.map((t) => `select '${t}' as t, count(*)::int as n from "${t}"`).join(" union all ");
  return Object.fromEntries(
    rowsOf<{ t: string; n: number }>(await db.execute(sql.raw(q))).map((r) => [r.t, Number(r.n)]),
  );
}

beforeAll(async () => {
  db = await freshDb();
  tables = rowsOf<{ tablename: string }>(
    await db.execute(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`),
  ).map((r) => r.tablename);
  ({ POST } = await import("@/app/api/webhooks/pingpp/route"));
});
afterAll(closeDb);

const tried: Record<string, number> = {};
const NUM = {
  forged: 150,
  tooLarge: 40,
  deep: 60,
  wrongShape: 250,
  unstorable: 120,
  unappliable: 60,
  unknownType: 100,
};
/** Of the wrongShape cases: kept (readable, stored failed or foreign) and refused (400). */
const wrongShapeSplit = { kept: 0, refused: 0 };
/** The floor the total must clear, so the count cannot silently drop. */
const MIN_TOTAL_CASES = 600;

interface Delivery {
  body: Uint8Array | ReadableStream<Uint8Array>;
  signature?: string | null;
  contentLength?: string;
}

/** One delivery through the real route handler: its status and text. */
async function deliver({ body, signature, contentLength }: Delivery) {
  const headers = new Headers({ "content-type": "application/json" });
  if (signature != null) headers.set("x-pingplusplus-signature", signature);
  if (contentLength !== undefined) headers.set("content-length", contentLength);
  const init: RequestInit & { duplex?: "half" } = { method: "POST", headers, body: body as BodyInit };
  if (body instanceof ReadableStream) init.duplex = "half";
  const res = await POST(new Request("http://console.test/api/webhooks/pingpp", init));
  return { status: res.status, text: await res.text() };
}

/** Deliver and require `status` (never a 5xx) with nothing written anywhere. */
async function refused(kind: string, d: Delivery, status: number) {
  tried[kind] = (tried[kind] ?? 0) + 1;
  const before = await counts();
  const res = await deliver(d);
  expect(res.status, `${kind}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.status, `${kind}: ${res.text.slice(0, 300)}`).toBe(status);
  expect(await counts(), `${kind}: rows written for a refused delivery`).toEqual(before);
  return res;
}

/**
 * Deliver a readable, storable, signed event that cannot be applied: 200, one event row `status`, nothing else written.
 */
async function kept(kind: string, text: string, status: "failed" | "foreign") {
  tried[kind] = (tried[kind] ?? 0) + 1;
  const id = (JSON.parse(text) as { id: string }).id;
  const existed = (await db.$count(pingppEvents, eq(pingppEvents.id, id))) > 0; // an id a mutation produced twice
  const before = await counts();
  const res = await deliver({ body: bytes(text), signature: sign(bytes(text)) });
  expect(res, `${kind}: ${text.slice(0, 300)}`).toEqual({ status: 200, text: existed ? "duplicate" : "ok" });
  expect(await counts(), `${kind}: only the event is stored`).toEqual({
    ...before,
    pingpp_events: before.pingpp_events! + (existed ? 0 : 1),
  });
  if (existed) return;
  const [row] = await db.select().from(pingppEvents).where(eq(pingppEvents.id, id));
  expect(row, `${kind}: ${row?.result}`).toMatchObject({ status, signatureVerified: true });
  expect(row!.result).toBeTruthy(); // the reason, for the event log and needs-attention
  expect(row!.payload).toEqual(JSON.parse(text)); // stored whole, as sent
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
/** JSON with a non-empty string id and type: what the console reads as an event at all. */
const readable = (v: unknown): v is Record<string, unknown> & { id: string; type: string } =>
  isObject(v) && typeof v.id === "string" && v.id !== "" && typeof v.type === "string" && v.type !== "";
const LONE_OR_NUL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** What Postgres can hold as sent: no U+0000 or lone surrogate in any string or key; id, type, data.object.id ≤ 255. */
function storable(v: Record<string, unknown>): boolean {
  const object = isObject(v.data) ? v.data.object : undefined;
  for (const k of [v.id, v.type, isObject(object) ? object.id : undefined])
    if (typeof k === "string" && k.length > 255) return false;
  const walk = (x: unknown): boolean =>
    typeof x === "string"
      ? !LONE_OR_NUL.test(x)
      : x && typeof x === "object"
        ? Object.entries(x).every(([k, c]) => !LONE_OR_NUL.test(k) && walk(c))
        : true;
  return walk(v);
}
/** Another app's or the other (test) mode's, as the event or its object says. */
function foreign(v: Record<string, unknown>): boolean {
  if (typeof v.livemode === "boolean" && !v.livemode) return true;
  const o = isObject(v.data) ? v.data.object : undefined;
  if (!isObject(o)) return false;
  if (typeof o.livemode === "boolean" && !o.livemode) return true;
  const app = typeof o.app === "string" ? o.app : isObject(o.app) && typeof o.app.id === "string" ? o.app.id : OUR_APP;
  return app !== OUR_APP;
}

// ------------------------------------------------------------------ generators

const junkChar = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.constantFrom("\u0000", "\ud800", "\udfff", "\u202e", "\u200b", "\ufeff", "😀", "中", '"', "\\", "\n"),
);
const junkString = fc.array(junkChar, { maxLength: 30 }).map((cs) => cs.join(""));
/** Header-safe text (Latin-1 without NUL/CR/LF, as an HTTP header can carry). */
const headerJunk = fc
  .array(
    fc.integer({ min: 1, max: 255 }).filter((c) => c !== 10 && c !== 13),
    { maxLength: 400 },
  )
  .map((cs) => String.fromCharCode(...cs).trim());
const sqlish = fc.constantFrom("'; drop table pingpp_events; --", "' OR '1'='1", "evt_1' OR 1=1 --", "$1");
const jsonValue = fc.jsonValue({ maxDepth: 3 });
/** Well-formed events: the known charge.succeeded sample and an unknown type, with a fresh id. */
const validEvent = fc
  .tuple(fc.boolean(), fc.stringMatching(/^[A-Za-z0-9]{24}$/))
  .map(([charge, id]) => ({ ...(charge ? chargeEvent : otherEvent), id: `evt_${id}` }) as Record<string, unknown>);

const at = (o: Record<string, unknown>, p: readonly string[]) =>
  p.slice(0, -1).reduce<Record<string, unknown>>((v, k) => v[k] as Record<string, unknown>, o);
/** A deep copy with `p` set to `value` (or deleted). */
function withPath(event: Record<string, unknown>, p: readonly string[], value: unknown, del = false) {
  const copy = structuredClone(event);
  const parent = at(copy, p);
  if (del) delete parent[p.at(-1)!];
  else parent[p.at(-1)!] = value;
  return copy;
}

describe("POST /api/webhooks/pingpp with bad input: refused with 401/400/413 or kept unapplied, never 5xx", () => {
  it("forged, missing or mangled signatures → 401, whatever the body", async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 4096 }),
      validEvent.map((e) => bytes(JSON.stringify(e))),
      jsonValue.map((v) => bytes(JSON.stringify(v))),
    );
    const forged = (b: Uint8Array) =>
      fc.oneof(
        fc.constant(null), // no header
        fc.constantFrom("", " ", "=", "not base64 at all!", "sha256=deadbeef", "Bearer x"),
        headerJunk,
        // right length, random
        fc.uint8Array({ minLength: 256, maxLength: 256 }).map((s) => Buffer.from(s).toString("base64")),
        fc.uint8Array({ minLength: 1, maxLength: 600 }).map((s) => Buffer.from(s).toString("base64")),
        fc.constant(sign(b, forgerKey)), // signed, by another key
        // Ping++'s key, another body
        fc.uint8Array({ minLength: 1, maxLength: 64 }).map((other) => sign(Buffer.concat([b, other]))),
        fc.integer({ min: 0, max: 255 }).map((i) => {
          const s = Buffer.from(sign(b), "base64");
          s[i] = s[i]! ^ 1; // one bit of the right signature flipped
          return s.toString("base64");
        }),
      );
    await fc.assert(
      fc.asyncProperty(
        body.chain((b) => forged(b).map((signature) => ({ b, signature }))),
        async ({ b, signature }) => {
          await refused("forged", { body: b, signature }, 401);
        },
      ),
      { seed: 0x5109, numRuns: NUM.forged },
    );
  });

  it("bodies over MAX_WEBHOOK_BYTES → 413, declared in content-length or actual, signed or not", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          size: fc.integer({ min: MAX_WEBHOOK_BYTES + 1, max: MAX_WEBHOOK_BYTES + 200_000 }),
          mode: fc.constantFrom("declared", "actual", "actual-understated", "streamed"),
          fill: fc.integer({ min: 0, max: 255 }),
          signed: fc.boolean(),
        }),
        async ({ size, mode, fill, signed }) => {
          // the body: a JSON event padded past the limit (or, declared mode, a small valid event)
          const event = bytes(JSON.stringify({ ...otherEvent, pad: "" }));
          const big = Buffer.alloc(size, fill);
          big.set(event.subarray(0, Math.min(event.length, size)));
          const actual = mode === "declared" ? event : new Uint8Array(big);
          const signature = signed ? sign(actual) : null;
          const body: Uint8Array | ReadableStream<Uint8Array> =
            mode === "streamed"
              ? new ReadableStream({
                  start(c) {
                    for (let i = 0; i < actual.length; i += 64 * 1024) c.enqueue(actual.subarray(i, i + 64 * 1024));
                    c.close();
                  },
                })
              : actual;
          const contentLength = mode === "declared" ? String(size) : mode === "actual-understated" ? "10" : undefined;
          await refused("tooLarge", { body, signature, contentLength }, 413);
        },
      ),
      { seed: 0x413, numRuns: NUM.tooLarge },
    );
  });

  it("deeply nested JSON signed with Ping++'s key → 400 (no stack overflow, no 5xx)", async () => {
    let n = 0; // each case its own event id, so a wrongly stored one cannot hide behind "duplicate"
    const nested = (depth: number, arrays: boolean) =>
      arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          arrays: fc.boolean(),
          depth: fc.oneof(fc.integer({ min: MAX_EVENT_DEPTH, max: 200 }), fc.integer({ min: 1_000, max: 40_000 })),
          where: fc.constantFrom("top", "extra field", "data.object field", "charge metadata", "data.object"),
        }),
        async ({ arrays, depth, where }) => {
          const hole = '"__DEEP__"';
          const host =
            where === "top"
              ? hole
              : where === "extra field"
                ? JSON.stringify({ ...otherEvent, id: `evt_deep${++n}`, extra: "__DEEP__" })
                : where === "data.object field"
                  ? JSON.stringify({ ...otherEvent, id: `evt_deep${++n}`, data: { object: { deep: "__DEEP__" } } })
                  : where === "charge metadata"
                    ? JSON.stringify(
                        withPath({ ...chargeEvent, id: `evt_deep${++n}` }, ["data", "object", "metadata"], {
                          deep: "__DEEP__",
                        }),
                      )
                    : JSON.stringify({ ...otherEvent, id: `evt_deep${++n}`, data: { object: "__DEEP__" } });
          const text = host.replace(hole, nested(depth, arrays));
          expect(text.length).toBeLessThanOrEqual(MAX_WEBHOOK_BYTES);
          const body = bytes(text);
          await refused("deep", { body, signature: sign(body) }, 400);
        },
      ),
      { seed: 0xdee9, numRuns: NUM.deep },
    );
  });

  it("valid JSON of the wrong shape or types, signed with Ping++'s key → 400 without an event id and type, else kept as failed (or foreign) with 200", async () => {
    const envelope = [
      ["id"],
      ["object"],
      ["created"],
      ["livemode"],
      ["type"],
      ["data"],
      ["data", "object"],
      ["pending_webhooks"],
      ["request"],
      ["scope"],
      ["acct_id"],
    ] as const;
    const charge = [
      "id",
      "object",
      "created",
      "livemode",
      "paid",
      "refunded",
      "amount",
      "amount_settle",
      "amount_refunded",
      "order_no",
      "channel",
      "time_paid",
      "refunds",
      "metadata",
      "extra",
      "credential",
      "currency",
      "transaction_no",
      "app",
    ].map((k) => ["data", "object", k] as const);
    const wrong = fc.oneof(
      fc.constantFrom<unknown>(
        null,
        true,
        false,
        0,
        -1,
        1.5,
        -0.5,
        1e300,
        2 ** 53 + 2,
        "",
        "1000",
        "1458736932",
        "true",
        "evt_x",
        "charge",
        [],
        {},
        [1],
        { a: 1 },
      ),
      junkString,
      sqlish,
      jsonValue,
    );
    const mutated = fc
      .record({
        event: validEvent,
        path: fc.constantFrom<readonly string[]>(...envelope, ...charge),
        value: wrong,
        del: fc.boolean(),
      })
      .map(({ event, path: p, value, del }) =>
        p.length === 3 && event.type !== "charge.succeeded"
          ? withPath(chargeEvent, p, value, del)
          : withPath(event, p, value, del),
      );
    // Only what the event schema refuses is "wrong" (a mutation can land on a value the schema allows).
    const wrongShape = fc
      .oneof({ weight: 6, arbitrary: mutated }, jsonValue, fc.array(validEvent, { minLength: 1, maxLength: 2 }))
      .filter((v) => !eventSchema.safeParse(v).success);
    // The named cases of issue #10 run first, every time.
    const named = [
      withPath(chargeEvent, ["id"], undefined, true), // event without id
      withPath(chargeEvent, ["id"], 12345), // id not a string
      withPath(chargeEvent, ["data", "object"], undefined, true), // data.object missing
      withPath(chargeEvent, ["data", "object", "amount"], "100"), // amount as a string
      withPath(chargeEvent, ["created"], "1458736932"), // created as a string
      withPath(chargeEvent, ["data", "object", "created"], "1458736905"),
      withPath(chargeEvent, ["data", "object", "amount"], -100),
      withPath(chargeEvent, ["data", "object", "amount"], 100.5),
      withPath(chargeEvent, ["created"], -1),
      withPath(chargeEvent, ["type"], ""),
      withPath(chargeEvent, ["data"], []),
    ];
    await fc.assert(
      fc.asyncProperty(wrongShape, async (value) => {
        const text = JSON.stringify(value);
        if (readable(value) && storable(value)) {
          await kept("wrongShape", text, foreign(value) ? "foreign" : "failed");
          wrongShapeSplit.kept++;
        } else {
          await refused("wrongShape", { body: bytes(text), signature: sign(bytes(text)) }, 400);
          wrongShapeSplit.refused++;
        }
      }),
      { seed: 0xbad5, numRuns: NUM.wrongShape, examples: named.map((e) => [e] as [Record<string, unknown>]) },
    );
    // and bytes that are not JSON (or not UTF-8) at all
    for (const raw of [
      new Uint8Array(),
      bytes("{"),
      bytes("{not json"),
      new Uint8Array([0xff, 0xfe, 0x00]),
      bytes('{"id":"evt_1",}'),
    ]) {
      await refused("wrongShape", { body: raw, signature: sign(raw) }, 400);
    }
    // both ways were taken, often: the property cannot quietly test only one
    expect(wrongShapeSplit.kept).toBeGreaterThanOrEqual(50);
    expect(wrongShapeSplit.refused).toBeGreaterThanOrEqual(50);
  });

  it("a well-formed signed event the database cannot hold as sent → 400, not a 5xx Ping++ would retry forever", async () => {
    // Postgres text/jsonb hold no U+0000 and no lone surrogate; a Date holds no year 275760+;
    // an index entry holds no 3 kB key. Stored "whole" (rule 2) is impossible, so it is refused.
    const bad = fc.oneof(
      fc
        .tuple(junkString, fc.constantFrom("\u0000", "\ud800", "\udc00"), junkString)
        .map(([a, c, b]) => `${a}${c}${b}`),
    );
    const unstorable = fc.oneof(
      fc
        .record({
          event: validEvent,
          s: bad,
          where: fc.constantFrom("id", "type", "metadata value", "metadata key", "extra field", "data.object.id"),
        })
        .map(({ event, s, where }) => {
          const isCharge = event.type === "charge.succeeded";
          if (where === "id") return { ...event, id: `evt_${s}` };
          if (where === "type") return { ...event, type: `${isCharge ? "charge.succeeded" : "account.summary"}${s}` };
          if (where === "extra field") return { ...event, [s]: s };
          if (where === "data.object.id") return withPath(event, ["data", "object", "id"], `ch_${s}`);
          return withPath(event, ["data", "object", "metadata"], where === "metadata key" ? { [s]: "v" } : { k: s });
        }),
      fc
        .record({
          event: validEvent,
          n: fc.integer({ min: 3_000, max: 20_000 }),
          where: fc.constantFrom("id", "type", "data.object.id"),
        })
        .map(({ event, n, where }) => {
          const long = crypto.randomBytes(n).toString("base64url").slice(0, n); // incompressible
          if (where === "id") return { ...event, id: `evt_${long}` };
          if (where === "type") return { ...event, type: `x.${long}` };
          return withPath(event, ["data", "object", "id"], `ch_${long}`);
        }),
    );
    await fc.assert(
      fc.asyncProperty(unstorable, async (event) => {
        const body = bytes(JSON.stringify(event));
        await refused("unstorable", { body, signature: sign(body) }, 400);
      }),
      { seed: 0x0, numRuns: NUM.unstorable },
    );
  });

  it("a well-formed signed event the domain tables cannot hold (a date past 9999, a 3 kB order number) → kept as failed with 200, nothing else written", async () => {
    const unappliable = fc.oneof(
      fc
        .record({
          event: validEvent,
          created: fc.integer({ min: 253_402_300_800, max: Number.MAX_SAFE_INTEGER }),
          where: fc.constantFrom("created", "data.object.created"),
        })
        .map(({ event, created, where }) =>
          // an unknown type's data.object is free-form (its "created" is just a number in jsonb); a charge's is a
          // timestamp
          where === "created"
            ? { ...event, created }
            : withPath({ ...chargeEvent, id: event.id }, ["data", "object", "created"], created),
        ),
      fc
        .record({
          event: validEvent,
          n: fc.integer({ min: 3_000, max: 20_000 }),
          where: fc.constantFrom("order_no", "transaction_no"),
        })
        .map(({ event, n, where }) =>
          // a charge's own numbers land in indexed columns of the charges table
          withPath(
            { ...chargeEvent, id: event.id },
            ["data", "object", where],
            crypto.randomBytes(n).toString("base64url").slice(0, n),
          ),
        ),
    );
    await fc.assert(
      fc.asyncProperty(unappliable, async (event) => {
        await kept("unappliable", JSON.stringify(event), foreign(event) ? "foreign" : "failed");
      }),
      { seed: 0xfa11, numRuns: NUM.unappliable },
    );
  });
});

describe("POST /api/webhooks/pingpp with a valid event of a type the console does not handle", () => {
  it("stores it once, whole, and acknowledges it (2xx); a redelivery is acknowledged without a second row", async () => {
    const word = fc.stringMatching(/^[a-z_]{1,16}$/);
    const cleanString = fc.string({ unit: "grapheme", maxLength: 20 }).filter((s) => !s.includes("\u0000"));
    const type = fc
      .oneof(
        fc.tuple(word, word).map(([a, b]) => `${a}.${b}`),
        fc.tuple(word, word, word).map(([a, b, c]) => `${a}.${b}.${c}`),
        // a type named like an Object.prototype member must not reach a "handler" that is not one
        fc.constantFrom(
          "constructor",
          "__proto__",
          "toString",
          "hasOwnProperty",
          "valueOf",
          "summary.daily.available",
          "transfer.succeeded",
          "customs.succeeded",
        ),
      )
      .filter((t) => eventObjectKind(t) === null && !Object.hasOwn(HANDLERS, t));
    const value = fc
      .jsonValue({ maxDepth: 3, stringUnit: "grapheme" })
      .filter((v) => !JSON.stringify(v).includes("\\u0000"));
    const event = fc.record({
      id: fc.stringMatching(/^evt_[A-Za-z0-9]{1,40}$/),
      object: fc.constant("event"),
      created: fc.integer({ min: 0, max: 4_102_444_800 }),
      livemode: fc.boolean(),
      type,
      data: fc.record({ object: fc.dictionary(cleanString, value, { maxKeys: 6 }) }),
      pending_webhooks: fc.nat({ max: 100 }),
      request: fc.option(cleanString, { nil: null }),
    });
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        fc.pre(!seen.has(e.id));
        seen.add(e.id);
        tried.unknownType = (tried.unknownType ?? 0) + 1;
        const body = bytes(JSON.stringify(e));
        const before = await counts();
        expect(await deliver({ body, signature: sign(body) })).toEqual({ status: 200, text: "ok" });
        expect(await deliver({ body, signature: sign(body) })).toEqual({ status: 200, text: "duplicate" });
        expect(await counts()).toEqual({ ...before, pingpp_events: before.pingpp_events! + 1 });
        const [row] = await db.select().from(pingppEvents).where(eq(pingppEvents.id, e.id));
        // this console runs in live mode: a test-mode event is kept, as not ours
        expect(row).toMatchObject({
          type: e.type,
          status: e.livemode ? "ignored" : "foreign",
          receiveCount: 2,
          signatureVerified: true,
          livemode: e.livemode,
        });
        expect(row!.createdAt.getTime()).toBe(e.created * 1000);
        expect(row!.payload).toEqual(JSON.parse(new TextDecoder().decode(body))); // stored whole (rule 2)
      }),
      { seed: 0x2004, numRuns: NUM.unknownType },
    );
  });
});

describe("cases tried", () => {
  it("is above the floor", () => {
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    console.log(
      `fuzz-webhook: ${total} deliveries tried (${Object.entries(tried)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")})`,
    );
    for (const [kind, n] of Object.entries(NUM)) expect(tried[kind] ?? 0, kind).toBeGreaterThanOrEqual(n);
    expect(total).toBeGreaterThanOrEqual(MIN_TOTAL_CASES);
  });
});
