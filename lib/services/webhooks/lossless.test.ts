import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addActor } from "@/tests/helpers/actors";
import {
  attentionResolutions,
  auditLogs,
  charges,
  pingppEvents,
  royaltySettlements,
  royaltyTransactions,
  staffUsers,
} from "@/lib/db/schema";
import { rowsOf, type Db } from "@/lib/db";
import { seedSample } from "@/lib/pingpp/test-fixtures";
import {
  EVENT_OBJECT_SCHEMAS,
  ROYALTY_TRANSACTION_STATUSES,
  pageListSchema,
  royaltySettlementSchema,
  royaltyTransactionSchema,
  type Charge,
} from "@/lib/pingpp/schemas";
import { z } from "@/lib/zod";
import { HANDLERS, type EventHandler } from "./handlers";
import type { Actor } from "../actor";
import { AppError } from "../errors";

/**
 * Issue 15, items 6 and 7, through the real webhook route with events signed like Ping++ signs
 * them (RSA-SHA256 over the raw body): an event of another app or of the other mode is kept as
 * not ours and changes nothing; an event that cannot be applied is kept as failed (never lost),
 * acknowledged, listed in needs-attention, and 「重新应用」 applies it after the upgrade.
 */
const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const OUR_APP = "app_1Gqj58ynP0mHeX1q"; // the app of Ping++'s own samples (all live mode)
// before the first env() read: this console runs Ping++'s sample app in live mode
process.env.PINGPP_PUBLIC_KEY = publicKey.export({ type: "spki", format: "pem" }).toString();
process.env.PINGPP_API_KEY = "sk_live_losslessEventsTest";
process.env.PINGPP_APP_ID = OUR_APP;

const chargeSample = seedSample("qr-charge-10-charge.succeeded.json") as { data: { object: Charge } };
const settlementSample = seedSample("royalty-settlement-02-royalty_settlement.failed.json") as {
  data: { object: { royalty_transactions: { data: Record<string, unknown>[] } } & Record<string, unknown> };
};

let db: Db;
let POST: (req: Request) => Promise<Response>;
let finance: Actor;
let services: {
  listAttention: typeof import("../attention").listAttention;
  syncAttention: typeof import("../attention").syncAttention;
  applyAgain: typeof import("../event-log").applyAgain;
  overviewStats: typeof import("../overview").overviewStats;
  applyCharge: typeof import("../charges").applyCharge;
};
beforeAll(async () => {
  db = await freshDb();
  ({ POST } = await import("@/app/api/webhooks/pingpp/route"));
  const [attention, eventLog, overview, chargesSvc] = await Promise.all([
    import("../attention"),
    import("../event-log"),
    import("../overview"),
    import("../charges"),
  ]);
  services = { ...attention, ...eventLog, ...overview, ...chargesSvc };
});
afterAll(closeDb);
beforeEach(async () => {
  for (const t of [
    attentionResolutions,
    auditLogs,
    pingppEvents,
    royaltyTransactions,
    royaltySettlements,
    charges,
    staffUsers,
  ])
    await db.delete(t);
  finance = await addActor(db, "f@lossless.test", "finance");
});

const sign = (body: string) => crypto.sign("RSA-SHA256", Buffer.from(body), privateKey).toString("base64");
const newId = (prefix: string) => `${prefix}_${crypto.randomBytes(12).toString("hex")}`;

async function deliver(body: string, signature: string | null = sign(body)) {
  const headers = new Headers({ "content-type": "application/json" });
  if (signature !== null) headers.set("x-pingplusplus-signature", signature);
  const res = await POST(new Request("http://console.test/api/webhooks/pingpp", { method: "POST", headers, body }));
  return { status: res.status, text: await res.text() };
}

/** A charge.succeeded event (JSON text) of Ping++'s sample, with its own ids and these overrides. */
function chargeEvent(over: { event?: Record<string, unknown>; charge?: Record<string, unknown> } = {}) {
  const id = newId("evt");
  const charge = {
    ...chargeSample.data.object,
    id: newId("ch"),
    order_no: crypto.randomBytes(8).toString("hex"),
    ...over.charge,
  };
  return {
    id,
    chargeId: charge.id,
    body: JSON.stringify({ ...chargeSample, id, ...over.event, data: { object: charge } }),
  };
}

const eventRow = async (id: string) => (await db.select().from(pingppEvents).where(eq(pingppEvents.id, id)))[0];
const chargeRow = async (pingppId: string) =>
  (await db.select().from(charges).where(eq(charges.pingppId, pingppId)))[0];
/** The year of Ping++'s samples (time_paid 2016-03-23): the overview of it shows every sample charge paid. */
const SAMPLE_YEAR = { from: new Date("2016-01-01T00:00:00+08:00"), to: new Date("2017-01-01T00:00:00+08:00") };
const overview = () => services.overviewStats(finance, SAMPLE_YEAR);
const attentionOf = async (objectId: string) => (await services.listAttention()).filter((i) => i.objectId === objectId);

describe("an event of another app or of the other mode", () => {
  it.each([
    {
      name: "another app",
      over: { charge: { app: "app_NotOurs000000001" } },
      why: /for app app_NotOurs000000001; this console's app is app_1Gqj58ynP0mHeX1q/,
    },
    {
      name: "test mode (the event)",
      over: { event: { livemode: false }, charge: { livemode: false } },
      why: /a test-mode event; this console runs in live mode/,
    },
    {
      name: "test mode (its charge only)",
      over: { charge: { livemode: false } },
      why: /its charge is test-mode; this console runs in live mode/,
    },
  ])(
    "$name: a new charge.succeeded is stored as not ours, acknowledged, listed in needs-attention, and books nothing",
    async ({ over, why }) => {
      // our own payment first: the overview of the period counts it (so it would count another one)
      const empty = await overview();
      const ours = chargeEvent();
      expect(await deliver(ours.body)).toEqual({ status: 200, text: "ok" });
      const before = await overview();
      expect(before).not.toEqual(empty);
      const chargesBefore = await db.select().from(charges);

      const foreign = chargeEvent(over);
      expect(await deliver(foreign.body)).toEqual({ status: 200, text: "ok" });
      expect(await deliver(foreign.body)).toEqual({ status: 200, text: "duplicate" });
      const row = await eventRow(foreign.id);
      expect(row).toMatchObject({
        type: "charge.succeeded",
        objectId: foreign.chargeId,
        status: "foreign",
        receiveCount: 2,
        signatureVerified: true,
        result: expect.stringMatching(why),
      });
      expect(row!.payload).toEqual(JSON.parse(foreign.body)); // kept whole
      expect(await chargeRow(foreign.chargeId)).toBeUndefined();
      expect(await db.select().from(charges)).toEqual(chargesBefore);
      expect(await overview()).toEqual(before);
      expect(await attentionOf(foreign.id)).toEqual([
        expect.objectContaining({
          kind: "eventForeign",
          label: `charge.succeeded ${foreign.id}`,
          detail: expect.stringMatching(why),
          href: `/events/${foreign.id}`,
        }),
      ]);
      // never applied, not even by hand; it leaves the queue when someone resolves it with a note
      await expect(services.applyAgain(finance, foreign.id)).rejects.toMatchObject({ code: "eventNotFailed" });
      await expect(services.syncAttention(finance, "eventForeign", foreign.id)).rejects.toMatchObject({
        code: "eventNotFailed",
      });
      expect((await eventRow(foreign.id))!.status).toBe("foreign");
    },
  );

  it("does not touch a charge of ours with the same id: a test-mode event saying it is paid and refunded neither pays nor refunds it", async () => {
    const pending = { ...(seedSample("qr-charge-01-charge.json") as unknown as Charge), id: newId("ch") };
    await db.transaction((tx) => services.applyCharge(tx, pending));
    const before = await chargeRow(pending.id);
    expect(before).toMatchObject({ refunded: false, amountRefunded: 0 });
    expect(before!.status).not.toBe("paid");
    const overviewBefore = await overview();

    const other = chargeEvent({
      event: { livemode: false },
      charge: {
        ...pending,
        livemode: false,
        paid: true,
        refunded: true,
        amount_refunded: pending.amount,
        time_paid: 1458736930,
      },
    });
    expect(await deliver(other.body)).toEqual({ status: 200, text: "ok" });
    expect((await eventRow(other.id))!.status).toBe("foreign");
    expect(await chargeRow(pending.id)).toEqual(before);
    expect(await overview()).toEqual(overviewBefore);
  });
});

describe("an event that cannot be applied is kept as failed, never lost", () => {
  /** Ping++'s royalty_settlement.failed sample whose transaction has a status this version does not know. */
  function processingSettlement() {
    const id = newId("evt");
    const s = structuredClone(settlementSample.data.object);
    s.id = `${Date.now()}${crypto.randomInt(1e6)}`;
    s.royalty_transactions.data = s.royalty_transactions.data.map((t) => ({
      ...t,
      id: `${s.id}1`,
      status: "processing",
    }));
    return { id, settlementId: s.id as string, body: JSON.stringify({ ...settlementSample, id, data: { object: s } }) };
  }

  /** The upgrade: a schema that knows `processing` (Ping++'s word for a transaction still pending). */
  function upgradeSchema() {
    const schemas = EVENT_OBJECT_SCHEMAS as Record<string, z.ZodType>;
    const before = schemas.royalty_settlement!;
    const status = z
      .enum([...ROYALTY_TRANSACTION_STATUSES, "processing"])
      .transform((s) => (s === "processing" ? "pending" : s));
    schemas.royalty_settlement = royaltySettlementSchema.extend({
      royalty_transactions: pageListSchema(royaltyTransactionSchema.extend({ status })).nullable().optional(),
    });
    return () => void (schemas.royalty_settlement = before);
  }

  it("a value the schema does not know: 200, stored failed with the reason, in needs-attention; applied by 重新应用 after the upgrade", async () => {
    const e = processingSettlement();
    expect(await deliver(e.body)).toEqual({ status: 200, text: "ok" });
    expect(await deliver(e.body)).toEqual({ status: 200, text: "duplicate" });
    const row = await eventRow(e.id);
    expect(row).toMatchObject({
      type: "royalty_settlement.failed",
      objectId: e.settlementId,
      status: "failed",
      receiveCount: 2,
    });
    expect(row!.result).toMatch(
      /does not match the schema: data\.object\.royalty_transactions\.data\[0\]\.status: Invalid option/,
    );
    expect(row!.payload).toEqual(JSON.parse(e.body));
    expect(await db.$count(royaltySettlements)).toBe(0);
    expect(await attentionOf(e.id)).toEqual([
      expect.objectContaining({ kind: "eventFailed", detail: row!.result, href: `/events/${e.id}` }),
    ]);

    // before the upgrade, applying again changes nothing and says why
    expect(await services.applyAgain(finance, e.id)).toMatchObject({ status: "failed", result: row!.result });
    expect(await db.$count(royaltySettlements)).toBe(0);

    const downgrade = upgradeSchema();
    try {
      await services.syncAttention(finance, "eventFailed", e.id); // needs-attention's 重新应用
    } finally {
      downgrade();
    }
    expect(await eventRow(e.id)).toMatchObject({
      status: "applied",
      result: expect.stringContaining(`royalty_settlement ${e.settlementId}`),
    });
    const [s] = await db.select().from(royaltySettlements).where(eq(royaltySettlements.pingppId, e.settlementId));
    expect(s).toMatchObject({ status: "failed" });
    expect(
      (await db.select().from(royaltyTransactions).where(eq(royaltyTransactions.settlementId, s!.id))).map(
        (t) => t.status,
      ),
    ).toEqual(["pending"]);
    expect(await attentionOf(e.id)).toEqual([]);
    const audits = await db.select().from(auditLogs).where(eq(auditLogs.action, "event.apply_again"));
    expect(audits.map((a) => a.result).sort()).toEqual(["error", "ok"]);
  });

  describe("a handler that fails", () => {
    const original = HANDLERS["charge.succeeded"]!;
    afterEach(() => void (HANDLERS["charge.succeeded"] = original));
    /** A broken version of the handler: it writes the charge, then throws. */
    const brokenAfterWriting =
      (error: Error): EventHandler =>
      async (tx, event) => {
        await original(tx, event);
        throw error;
      };

    it("leaves nothing half-applied, keeps the event failed with the reason (200), and the fixed handler applies it", async () => {
      HANDLERS["charge.succeeded"] = brokenAfterWriting(
        new TypeError("Cannot read properties of undefined (reading 'terminal')"),
      );
      const e = chargeEvent();
      expect(await deliver(e.body)).toEqual({ status: 200, text: "ok" });
      expect(await eventRow(e.id)).toMatchObject({
        status: "failed",
        receiveCount: 1,
        result: "could not be applied: Cannot read properties of undefined (reading 'terminal')",
      });
      expect(await chargeRow(e.chargeId)).toBeUndefined(); // the charge the handler wrote was rolled back
      expect(await attentionOf(e.id)).toHaveLength(1);
      // still broken: applying again keeps it failed, and still writes nothing
      expect(await services.applyAgain(finance, e.id)).toMatchObject({ status: "failed" });
      expect(await chargeRow(e.chargeId)).toBeUndefined();

      HANDLERS["charge.succeeded"] = original; // the fix
      expect(await services.applyAgain(finance, e.id)).toMatchObject({ status: "applied" });
      expect(await chargeRow(e.chargeId)).toMatchObject({ status: "paid", amount: chargeSample.data.object.amount });
      await expect(services.applyAgain(finance, e.id)).rejects.toMatchObject({ code: "eventNotFailed" }); // once only
    });

    it("a database that cannot serve us now (a lock wait timed out) answers 503 and stores nothing: Ping++ retries", async () => {
      HANDLERS["charge.succeeded"] = brokenAfterWriting(
        Object.assign(new Error("canceling statement due to lock timeout"), { code: "55P03" }),
      );
      const e = chargeEvent();
      expect((await deliver(e.body)).status).toBe(503);
      expect(await eventRow(e.id)).toBeUndefined();
      expect(await chargeRow(e.chargeId)).toBeUndefined();
      HANDLERS["charge.succeeded"] = original;
      expect(await deliver(e.body)).toEqual({ status: 200, text: "ok" }); // the retry
      expect(await chargeRow(e.chargeId)).toMatchObject({ status: "paid" });
    });

    /** An error as postgres.js raises it itself (Errors.generic / Errors.connection): a code, no severity. */
    const driverError = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

    it.each([
      ["UNSAFE_TRANSACTION", driverError("UNSAFE_TRANSACTION", "Only use sql.begin, sql.reserved or max: 1")],
      [
        "a driver code wrapped by drizzle",
        new Error("Failed query: begin", { cause: driverError("MESSAGE_NOT_SUPPORTED", "x (B) is not supported") }),
      ],
      ["a Node socket code", Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32, syscall: "write" })],
      [
        "a Node stream code",
        Object.assign(new Error("Cannot call write after a stream was destroyed"), { code: "ERR_STREAM_DESTROYED" }),
      ],
      [
        "the server: a BEGIN inside a transaction (25001)",
        Object.assign(new Error("there is already a transaction in progress"), { code: "25001", severity: "WARNING" }),
      ],
    ])(
      "the driver could not talk to the database properly (%s): 503, nothing stored, the retry applies it",
      async (_, error) => {
        HANDLERS["charge.succeeded"] = brokenAfterWriting(error);
        const e = chargeEvent();
        expect((await deliver(e.body)).status).toBe(503);
        expect(await eventRow(e.id)).toBeUndefined();
        expect(await chargeRow(e.chargeId)).toBeUndefined();
        HANDLERS["charge.succeeded"] = original;
        expect(await deliver(e.body)).toEqual({ status: 200, text: "ok" });
        expect(await chargeRow(e.chargeId)).toMatchObject({ status: "paid" });
      },
    );

    it.each([
      ["a domain refusal (an AppError's camelCase code)", new AppError("chargeNotFound")],
      [
        "a value the database refuses (22003)",
        Object.assign(new Error('value "3000000000" is out of range for type integer'), {
          code: "22003",
          severity: "ERROR",
        }),
      ],
      [
        "an integrity refusal other than a unique one (23503)",
        Object.assign(new Error("violates foreign key constraint"), { code: "23503", severity: "ERROR" }),
      ],
    ])(
      "the event cannot be applied (%s): kept failed with the reason (200), nothing half-applied",
      async (_, error) => {
        HANDLERS["charge.succeeded"] = brokenAfterWriting(error);
        const e = chargeEvent();
        expect(await deliver(e.body)).toEqual({ status: 200, text: "ok" });
        expect(await eventRow(e.id)).toMatchObject({
          status: "failed",
          result: expect.stringContaining(error.message),
        });
        expect(await chargeRow(e.chargeId)).toBeUndefined();
      },
    );
  });

  it("an amount above int4: acknowledged and stored, applied if the column holds it, else failed with the reason", async () => {
    const amount = 3_000_000_000; // ¥30,000,000.00
    const e = chargeEvent({ charge: { amount, amount_settle: amount } });
    expect(await deliver(e.body)).toEqual({ status: 200, text: "ok" });
    const [col] = rowsOf<{ data_type: string }>(
      await db.execute(
        sql`select data_type from information_schema.columns where table_name = 'charges' and column_name = 'amount'`,
      ),
    );
    if (col!.data_type === "bigint") {
      expect(await eventRow(e.id)).toMatchObject({ status: "applied" });
      expect(Number((await chargeRow(e.chargeId))!.amount)).toBe(amount);
    } else {
      expect(await eventRow(e.id)).toMatchObject({
        status: "failed",
        result: expect.stringMatching(/out of range for type integer/),
      });
      expect(await chargeRow(e.chargeId)).toBeUndefined();
    }
  });

  it("a signed event with an id and a type but nothing else is kept (failed); a bad signature (401) and an unreadable body (400) store nothing", async () => {
    const bare = JSON.stringify({ id: newId("evt"), type: "charge.succeeded" });
    expect(await deliver(bare)).toEqual({ status: 200, text: "ok" });
    expect(await eventRow(JSON.parse(bare).id)).toMatchObject({
      status: "failed",
      objectId: null,
      result: expect.stringMatching(/does not match the schema/),
    });

    const before = await db.$count(pingppEvents);
    const e = chargeEvent({ charge: { amount: "100" } });
    expect((await deliver(e.body, sign(e.body.replace('"evt_', '"evt_x')))).status).toBe(401);
    expect((await deliver(e.body, null)).status).toBe(401);
    for (const body of [
      "{not json",
      "[]",
      '"evt_x"',
      JSON.stringify({ type: "charge.succeeded" }),
      JSON.stringify({ id: "", type: "charge.succeeded" }),
      JSON.stringify({ id: newId("evt") }),
      JSON.stringify({ id: 12345, type: "charge.succeeded" }),
    ]) {
      expect((await deliver(body)).status, body).toBe(400);
    }
    expect(await db.$count(pingppEvents)).toBe(before);
    expect(await db.$count(charges)).toBe(0);
    // the charge with a wrong amount type, correctly signed, is kept failed
    expect(await deliver(e.body)).toEqual({ status: 200, text: "ok" });
    expect(await db.$count(pingppEvents, and(eq(pingppEvents.id, e.id), eq(pingppEvents.status, "failed")))).toBe(1);
  });
});
