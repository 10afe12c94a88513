import { describe, expect, it } from "vitest";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { webhookRouteTestbed } from "@/tests/helpers/webhook-route";
import { charges } from "@/lib/db/schema";
import type { Db } from "@/lib/db";

// A small pool, so "every connection" is a handful: 5 per process, of which webhooks may hold 2.
process.env.DATABASE_POOL_MAX = "5";
// Locks held elsewhere fail a statement after 3 s here (10 s by default).
process.env.DATABASE_LOCK_TIMEOUT_MS = "3000";
const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
process.env.PINGPP_PUBLIC_KEY = publicKey.export({ type: "spki", format: "pem" }).toString();
// the console runs the app of Ping++'s samples in live mode, so the sample's events are its own
process.env.PINGPP_API_KEY = "sk_live_ingestSlotsTest";
process.env.PINGPP_APP_ID = "app_1Gqj58ynP0mHeX1q";
const sample = JSON.parse(
  fs.readFileSync(
    path.join(import.meta.dirname, "../../pingpp/fixtures/seed-samples/qr-charge-10-charge.succeeded.json"),
    "utf8",
  ),
);
const sign = (body: string) => crypto.sign("RSA-SHA256", Buffer.from(body), privateKey).toString("base64");

/** Another session takes the charge row's lock (optionally writing its status) and keeps it until release(). */
async function holdChargeRow(pingppId: string, setStatus?: string) {
  const other = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = other.begin(async (tx) => {
    if (setStatus) await tx`update charges set status = ${setStatus} where pingpp_id = ${pingppId}`;
    else await tx`select id from charges where pingpp_id = ${pingppId} for update`;
    locked();
    await held;
  });
  await isLocked;
  return {
    async release() {
      release();
      await holder;
      await other.end();
    },
  };
}

/**
 * A burst of webhooks whose transactions cannot finish (their charge row is locked by someone
 * else) must not take every database connection: the cashier screens' reads still get one.
 * Needs the real Postgres: PGlite is one in-process connection, there is no pool to exhaust
 * and no second session to hold the lock (CI runs this file in its `npm run test:pg` pass).
 */
describe.skipIf(!process.env.DATABASE_URL)("webhook transactions leave connections for reads", () => {
  let db: Db;
  let POST: (req: Request) => Promise<Response>;
  webhookRouteTestbed((bed) => ({ db, POST } = bed));

  it("12 webhooks stuck on a locked charge still leave the pool able to answer a read; all are applied once the lock goes", async () => {
    const o = sample.data.object;
    await db.insert(charges).values({
      pingppId: o.id,
      orderNo: o.order_no,
      appId: o.app,
      channel: o.channel,
      amount: o.amount,
      currency: o.currency,
      subject: o.subject,
      body: o.body,
      status: "pending",
    });
    // another session holds the charge row, as a slow transaction elsewhere would
    const lock = await holdChargeRow(o.id);

    const bodies = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ ...sample, id: `evt_slots${String(i).padStart(19, "0")}` }),
    );
    const deliveries = bodies.map((b) =>
      POST(
        new Request("http://console.test/api/webhooks/pingpp", {
          method: "POST",
          headers: { "content-type": "application/json", "x-pingplusplus-signature": sign(b) },
          body: b,
        }),
      ),
    );
    // the webhooks now wait on the lock (or for a slot); a read must not wait behind them
    await new Promise((r) => setTimeout(r, 300));
    // (held for less than the lock timeout: these deliveries wait, then succeed)
    const read = await Promise.race([
      db
        .select({ id: charges.id })
        .from(charges)
        .then(() => "answered"),
      new Promise((r) => setTimeout(() => r("starved"), 5_000)),
    ]);
    expect(read).toBe("answered");

    await lock.release();
    const statuses = await Promise.all(deliveries.map(async (d) => (await d).status));
    expect(statuses).toEqual(Array(12).fill(200));
    const [c] = await db.select().from(charges);
    expect(c!.status).toBe("paid");
  });

  it("a lock held longer than the lock timeout fails the webhook with a 503 (Ping++ retries), not a wait forever; the retry applies it", async () => {
    const o = sample.data.object;
    const lock = await holdChargeRow(o.id, "pending"); // committed on release: the charge is pending again
    const b = JSON.stringify({ ...sample, id: "evt_slotslocktimeout00000000" });
    const send = () =>
      POST(
        new Request("http://console.test/api/webhooks/pingpp", {
          method: "POST",
          headers: { "content-type": "application/json", "x-pingplusplus-signature": sign(b) },
          body: b,
        }),
      );
    const first = await send(); // waits the 3 s lock timeout, then gives up
    expect(first.status).toBe(503);
    await lock.release();
    const again = await send();
    expect([again.status, await again.text()]).toEqual([200, "ok"]);
    const [c] = await db.select().from(charges);
    expect(c!.status).toBe("paid");
  });
});
