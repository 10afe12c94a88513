import { describe, expect, it } from "vitest";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { webhookRouteTestbed } from "@/tests/helpers/webhook-route";
import { charges, pingppEvents, refunds, royaltySettlements } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";

// Every money column is bigint fen: what Ping++ sends above int4 (¥21,474,836.47) is stored exactly.
const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
process.env.PINGPP_PUBLIC_KEY = publicKey.export({ type: "spki", format: "pem" }).toString();

const fixtures = path.join(import.meta.dirname, "../lib/pingpp/fixtures/seed-samples");
const sample = JSON.parse(fs.readFileSync(path.join(fixtures, "qr-charge-10-charge.succeeded.json"), "utf8"));

const INT4_MAX = 2_147_483_647;
const BIG = 123_456_789_012; // ¥1,234,567,890.12
const BIG_REFUND = 3_000_000_001;

let db: Db;
let POST: (req: Request) => Promise<Response>;
webhookRouteTestbed((bed) => ({ db, POST } = bed));

const sign = (body: string) => crypto.sign("RSA-SHA256", Buffer.from(body), privateKey).toString("base64");
async function deliver(type: string, object: Record<string, unknown>) {
  // this console's app and mode (the sandbox's: test mode), so the event is ours and applied
  object = { ...object, app: env().pingpp.appId, livemode: false };
  const body = JSON.stringify({
    ...sample,
    livemode: false,
    id: `evt_${crypto.randomBytes(12).toString("hex")}`,
    type,
    data: { object },
  });
  const res = await POST(
    new Request("http://console.test/api/webhooks/pingpp", {
      method: "POST",
      headers: { "content-type": "application/json", "x-pingplusplus-signature": sign(body) },
      body,
    }),
  );
  return res.status;
}

describe("money above int4", () => {
  const ch = {
    ...sample.data.object,
    id: `ch_${crypto.randomBytes(12).toString("hex")}`,
    order_no: `big${Date.now()}`,
    amount: BIG,
    amount_settle: BIG,
  };

  it("a signed charge.succeeded for ¥1,234,567,890.12 is stored with the exact amount, and so are its refunds", async () => {
    expect(BIG).toBeGreaterThan(INT4_MAX);
    expect(await deliver("charge.succeeded", ch)).toBe(200);
    const [row] = await db.select().from(charges).where(eq(charges.pingppId, ch.id));
    expect(row).toMatchObject({ status: "paid", amount: BIG, amountRefunded: 0 });
    expect(typeof row!.amount).toBe("number");

    // the same charge again with a refunded amount above int4: the forward-only update path
    expect(await deliver("charge.succeeded", { ...ch, amount_refunded: BIG_REFUND, refunded: true })).toBe(200);
    const [again] = await db.select().from(charges).where(eq(charges.pingppId, ch.id));
    expect(again).toMatchObject({ amount: BIG, amountRefunded: BIG_REFUND });

    // a refund above int4: stored exactly, and the charge's refunded total follows (sum in SQL)
    const re = {
      id: `re_${crypto.randomBytes(12).toString("hex")}`,
      object: "refund",
      order_no: ch.order_no,
      amount: BIG - 1,
      created: ch.created,
      succeed: true,
      status: "succeeded",
      time_succeed: ch.created,
      description: "r",
      failure_code: null,
      failure_msg: null,
      metadata: {},
      charge: ch.id,
      transaction_no: null,
    };
    expect(await deliver("refund.succeeded", re)).toBe(200);
    const [refund] = await db.select().from(refunds).where(eq(refunds.pingppId, re.id));
    expect(refund).toMatchObject({ amount: BIG - 1, status: "succeeded" });
    const [after] = await db.select().from(charges).where(eq(charges.pingppId, ch.id));
    expect(after!.amountRefunded).toBe(BIG - 1);

    const events = await db.select().from(pingppEvents);
    expect(events.map((e) => e.status)).toEqual(["applied", "applied", "applied"]);
  });

  it("sums above int4 come back as exact numbers (refunds per charge, settlement totals)", async () => {
    const { refundedByCharge } = await import("@/lib/services/orders");
    expect((await refundedByCharge(db, [ch.id])).get(ch.id)).toBe(BIG - 1);

    const { listSettlements } = await import("@/lib/services/settlements");
    await db.insert(royaltySettlements).values([
      {
        payerApp: "app_1",
        method: "alipay",
        status: "succeeded",
        amount: 2_000_000_000,
        amountSucceeded: 2_000_000_000,
      },
      {
        payerApp: "app_1",
        method: "alipay",
        status: "succeeded",
        amount: 2_000_000_001,
        amountSucceeded: 2_000_000_001,
        fee: INT4_MAX + 1,
      },
    ]);
    const { totals } = await listSettlements({});
    expect(totals).toMatchObject({ count: 2, amount: 4_000_000_001, amountSucceeded: 4_000_000_001 });
    expect(typeof totals.amount).toBe("number");
  });
});
