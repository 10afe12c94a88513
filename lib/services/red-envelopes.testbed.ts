import { beforeEach } from "vitest";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import { auditLogs, pingppEvents, redEnvelopeBatches, redEnvelopes, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import type { Actor } from "./actor";

/** Set up by setUpRedEnvelopeTestbed() (live bindings: read them inside tests). */
export let h: ConsoleSandbox;
export let db: Db;
export let finance: Actor;

/** The red envelope tests' world: the real sandbox with webhooks, a clean database, a finance user. */
export function setUpRedEnvelopeTestbed() {
  consoleTestbed((bed) => ({ h, db } = bed), {
    clean: [redEnvelopes, redEnvelopeBatches, pingppEvents, auditLogs, staffUsers],
  });
  beforeEach(async () => {
    const [u] = await db
      .insert(staffUsers)
      .values({ email: "f@shop.cn", name: "财务", role: "finance", passwordHash: "x" })
      .returning();
    finance = { id: u!.id, email: "f@shop.cn", name: "财务", role: "finance", terminalId: null, ip: "10.0.0.9" };
  });
}
