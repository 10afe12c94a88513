import { afterAll, beforeAll, beforeEach } from "vitest";
import { startConsoleSandbox } from "@/tests/helpers/console-sandbox";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { auditLogs, pingppEvents, redEnvelopeBatches, redEnvelopes, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import type { Actor } from "./actor";

/** Set up by setUpRedEnvelopeTestbed() (live bindings: read them inside tests). */
export let h: Awaited<ReturnType<typeof startConsoleSandbox>>;
export let db: Db;
export let finance: Actor;

/** The red envelope tests' world: the real sandbox with webhooks, a clean database, a finance user. */
export function setUpRedEnvelopeTestbed() {
  beforeAll(async () => {
    h = await startConsoleSandbox();
    db = await freshDb();
  });
  afterAll(async () => {
    await h.close();
    await closeDb();
  });
  beforeEach(async () => {
    for (const t of [redEnvelopes, redEnvelopeBatches, pingppEvents, auditLogs, staffUsers]) await db.delete(t);
    const [u] = await db.insert(staffUsers).values({ email: "f@shop.cn", name: "财务", role: "finance", passwordHash: "x" }).returning();
    finance = { id: u!.id, email: "f@shop.cn", name: "财务", role: "finance", terminalId: null, ip: "10.0.0.9" };
  });
}
