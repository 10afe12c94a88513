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

/** The route as a fresh module, so it reads the configuration (the key path) anew. */
async function routeWithKey(keyPath: string) {
  delete process.env.PINGPP_PUBLIC_KEY;
  process.env.PINGPP_PUBLIC_KEY_PATH = keyPath;
  vi.resetModules();
  return (await import("@/app/api/webhooks/pingpp/route")).POST;
}

const post = (POST: (r: Request) => Promise<Response>, body: Uint8Array, sig: string) =>
  POST(new Request("http://console.test/api/webhooks/pingpp", { method: "POST", headers: { "X-Pingplusplus-Signature": sig }, body: new Uint8Array(body) }));

describe.each(cases)("real signed webhook-$n", ({ n, body, sig, key }) => {
  it("is accepted and stored once when delivered 10 times at once; a one-byte change is refused", async () => {
    expect(manifest).toBeTruthy();
    const POST = await routeWithKey(key);
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
