import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { charges, pingppEvents } from "@/lib/db/schema";
import type { Db } from "@/lib/db";

/**
 * The three real webhooks Ping++ signed (fixtures, byte for byte), each under its own public
 * key given by PINGPP_PUBLIC_KEY_PATH, through the console's real route.
 */
const dir = path.join(import.meta.dirname, "../../pingpp/fixtures");
const manifest = JSON.parse(fs.readFileSync(path.join(dir, "webhooks.manifest.json"), "utf8")) as unknown;
const cases = [1, 2, 3].map((n) => ({
  n,
  body: fs.readFileSync(path.join(dir, `webhook-${n}.body.json`)),
  sig: fs.readFileSync(path.join(dir, `webhook-${n}.sig.txt`), "utf8"),
  key: path.join(dir, n === 1 ? "pingpp_rsa_public_key.pem" : `pingpp_rsa_public_key-${n}.pem`),
}));

let db: Db;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(closeDb);

/** The app and mode each fixture's charge belongs to: a console configured for them applies it. */
const OWNER: Record<number, { key: string; app: string } | undefined> = {
  1: { key: "sk_live_fixtureOwner1", app: "app_vcPcqDeS88ixrPlu" },
  3: { key: "sk_test_fixtureOwner3", app: "app_eTC8yLuj9GSSL0yv" },
};

/**
 * The route as a fresh module, so it reads the configuration (the key path, and the console's key
 * and app: the fixture's owner, or none, i.e. the sandbox's app in test mode) anew.
 */
async function routeWithKey(keyPath: string, owner?: { key: string; app: string }) {
  delete process.env.PINGPP_PUBLIC_KEY;
  process.env.PINGPP_PUBLIC_KEY_PATH = keyPath;
  if (owner) {
    process.env.PINGPP_API_KEY = owner.key;
    process.env.PINGPP_APP_ID = owner.app;
  } else {
    delete process.env.PINGPP_API_KEY;
    delete process.env.PINGPP_APP_ID;
  }
  vi.resetModules();
  return (await import("@/app/api/webhooks/pingpp/route")).POST;
}

const post = (POST: (r: Request) => Promise<Response>, body: Uint8Array, sig: string) =>
  POST(
    new Request("http://console.test/api/webhooks/pingpp", {
      method: "POST",
      headers: { "X-Pingplusplus-Signature": sig },
      body: new Uint8Array(body),
    }),
  );

describe.each(cases)("real signed webhook-$n", ({ n, body, sig, key }) => {
  it("is accepted and stored once when delivered 10 times at once; a one-byte change is refused", async () => {
    expect(manifest).toBeTruthy();
    const POST = await routeWithKey(key, OWNER[n]);
    const event = JSON.parse(body.toString("utf8")) as { id: string; type: string; data: { object: { id: string } } };
    const statuses = await Promise.all(Array.from({ length: 10 }, () => post(POST, body, sig).then((r) => r.status)));
    expect(statuses).toEqual(Array(10).fill(200));
    const rows = await db.select().from(pingppEvents).where(eq(pingppEvents.id, event.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.receiveCount).toBe(10);
    expect(rows[0]!.status).toBe(event.type === "charge.succeeded" ? "applied" : "ignored");
    if (event.type === "charge.succeeded") {
      const [c] = await db.select().from(charges).where(eq(charges.pingppId, event.data.object.id));
      expect(c?.status).toBe("paid");
    }
    const tampered = Buffer.from(body);
    tampered.writeUInt8(tampered.readUInt8(10) ^ 1, 10);
    expect((await post(POST, tampered, sig)).status).toBe(401);
    // and the signature of another fixture does not verify this body
    const other = cases.find((c) => c.n !== n)!;
    expect((await post(POST, body, other.sig)).status).toBe(401);
  });
});

describe("a real signed charge.succeeded of another app or the other mode", () => {
  afterAll(() => {
    delete process.env.PINGPP_API_KEY;
    delete process.env.PINGPP_APP_ID;
  });
  it.each([
    // webhook-1: live, app_vcPc…; webhook-3: test, app_eTC8…
    { n: 1, console: undefined, why: /live-mode event; this console runs in test mode/ }, // the sandbox's app, test mode
    {
      n: 1,
      console: { key: "sk_live_otherApp", app: "app_Other00000000001" },
      why: /for app app_vcPcqDeS88ixrPlu; this console's app is app_Other00000000001/,
    },
    {
      n: 3,
      console: { key: "sk_live_fixtureOwner3", app: "app_eTC8yLuj9GSSL0yv" },
      why: /test-mode event; this console runs in live mode/,
    },
  ])(
    "webhook-$n to a console of another app or mode: stored as not ours, acknowledged, no charge booked",
    async ({ n, console: owner, why }) => {
      const c = cases.find((x) => x.n === n)!;
      const event = JSON.parse(c.body.toString("utf8")) as { id: string; data: { object: { id: string } } };
      await db.delete(pingppEvents).where(eq(pingppEvents.id, event.id));
      await db.delete(charges).where(eq(charges.pingppId, event.data.object.id));
      const POST = await routeWithKey(c.key, owner);
      expect((await post(POST, c.body, c.sig)).status).toBe(200);
      expect((await post(POST, c.body, c.sig)).status).toBe(200);
      const [row] = await db.select().from(pingppEvents).where(eq(pingppEvents.id, event.id));
      expect(row).toMatchObject({
        status: "foreign",
        receiveCount: 2,
        signatureVerified: true,
        result: expect.stringMatching(why),
      });
      expect(row!.payload).toEqual(JSON.parse(c.body.toString("utf8")));
      expect(await db.$count(charges, eq(charges.pingppId, event.data.object.id))).toBe(0);
    },
  );
});
