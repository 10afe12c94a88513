import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { startConsoleSandbox, eventually } from "@/tests/helpers/console-sandbox";
import { startConsoleInstance, type ConsoleInstance } from "@/tests/helpers/console-instance";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addActor } from "@/tests/helpers/actors";
import { startTcpProxy, type TcpProxy } from "@/tests/helpers/tcp-proxy";
import { auditLogs, charges, pingppEvents, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import type { Delivery } from "@/lib/pingpp-sandbox/types";
import type { Actor } from "@/lib/services/actor";
import { AppError } from "@/lib/services/errors";
import { createCharge } from "@/lib/services/charges";
import { createChargeSchema } from "@/lib/validations/charges";

/**
 * Issue #10 "Faults": two console instances on one database (this process and a child process
 * running the same code); the child is SIGKILLed in the middle of a request, and the survivor
 * must finish the job with nothing lost and nothing done twice.
 */

// Two processes cannot share PGlite (it runs inside one process): this needs the real Postgres
// (`npm run test:pg`, as CI runs it).
describe.skipIf(!process.env.DATABASE_URL)("a console instance killed mid-request loses nothing", () => {
  let h: Awaited<ReturnType<typeof startConsoleSandbox>>;
  let db: Db;
  /** The child's way to Ping++ (the sandbox), to hold its calls or lose their answers. */
  let toPingpp: TcpProxy;
  let cashier: Actor;
  let child: ConsoleInstance | undefined;

  beforeAll(async () => {
    h = await startConsoleSandbox({ timeScale: 0.01 }); // webhook retries after 50 ms, 100 ms, 1.2 s, …
    db = await freshDb();
    const u = new URL(h.sandbox.url);
    toPingpp = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
  });
  afterAll(async () => {
    await child?.kill();
    await toPingpp?.close();
    await h?.close();
    await closeDb();
  });
  beforeEach(async () => {
    toPingpp.setMode("up");
    h.sandbox.setWebhookUrl(h.webhookUrl);
    await db.delete(charges);
    await db.delete(pingppEvents);
    await db.delete(auditLogs);
    await db.delete(staffUsers);
    cashier = await addActor(db, "crash@shop.cn", "cashier", "T01");
  });
  afterEach(async () => {
    await child?.kill();
    child = undefined;
    // Nothing of this case still in flight when the next one starts (even when this one failed).
    h.sandbox.setWebhookUrl(h.webhookUrl);
    await eventually(
      async () => (await deliveriesOf()).every((d) => d.status !== "pending"),
      "no webhook delivery pending",
      10_000,
    ).catch(() => {});
  });

  /** The second instance: same database, same sandbox (its API calls through `toPingpp`). */
  const second = (appName: string) =>
    startConsoleInstance({
      DATABASE_URL: process.env.DATABASE_URL,
      PINGPP_API_BASE: toPingpp.via(h.sandbox.url),
      PINGPP_PUBLIC_KEY: h.sandbox.publicKeyPem,
      PGAPPNAME: appName,
    });

  const form = () =>
    createChargeSchema.parse({
      idempotencyKey: crypto.randomUUID(),
      amount: "88.00",
      channel: "alipay_qr",
      subject: "门店消费",
      body: "实例崩溃测试",
    });

  async function sandboxCharges(orderNo: string): Promise<{ id: string; order_no: string; paid: boolean }[]> {
    const res = await fetch(`${h.sandbox.url}/v1/charges?app[id]=${h.sandbox.appId}&limit=100`, {
      headers: { authorization: `Bearer ${h.sandbox.apiKey}` },
    });
    return ((await res.json()) as { data: { id: string; order_no: string; paid: boolean }[] }).data.filter(
      (c) => c.order_no === orderNo,
    );
  }
  const claimOf = async (key: string) => (await db.select().from(charges).where(eq(charges.idempotencyKey, key)))[0];
  const deliveriesOf = async (eventId?: string): Promise<Delivery[]> =>
    (
      (await (await fetch(`${h.sandbox.url}/_sim/deliveries${eventId ? `?event_id=${eventId}` : ""}`)).json()) as {
        data: Delivery[];
      }
    ).data;
  async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
    const r = await db.execute(query);
    return (Array.isArray(r) ? r : (r as unknown as { rows: T[] }).rows) as T[];
  }

  /**
   * After the kill, this instance retries with the same idempotency key: refused while the dead
   * request's claim lease runs (it cannot tell a dead instance from a slow one), accepted after it.
   */
  async function retryAfterLease(input: ReturnType<typeof form>, claimId: string) {
    await expect(createCharge(cashier, input)).rejects.toSatisfy((e: AppError) => e.code === "chargeInProgress");
    // The lease (CREATING_LEASE_MS, 20 s) runs out: moved back in time rather than waited for, as
    // the charges tests do for SYNC_AFTER_MS.
    await db
      .update(charges)
      .set({ updatedAt: new Date(Date.now() - 5 * 60_000) })
      .where(eq(charges.id, claimId));
    return createCharge(cashier, input);
  }

  /** One charge at Ping++ for the claim's order_no, one local row, the same charge, and it gets paid. */
  async function expectOneConsistentCharge(
    claim: { id: string; orderNo: string },
    view: { id: string; status: string; chargeId: string | null },
  ) {
    expect(view).toMatchObject({ id: claim.id, status: "pending" });
    const remote = await sandboxCharges(claim.orderNo);
    expect(remote).toHaveLength(1);
    const local = await db.select().from(charges).where(eq(charges.orderNo, claim.orderNo));
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({ id: claim.id, pingppId: remote[0]!.id, status: "pending" });
    expect(view.chargeId).toBe(remote[0]!.id);
    await h.sim(`charges/${remote[0]!.id}/pay`);
    await eventually(
      async () => (await claimOf(local[0]!.idempotencyKey!))?.status === "paid",
      "the charge paid locally",
    );
    expect(await db.$count(charges)).toBe(1);
  }

  it("killed while its Ping++ call is on the wire (Ping++ never got it): the retry makes exactly one charge", async () => {
    child = await second("console-instance-a1");
    const input = form();
    toPingpp.setMode("blackhole"); // the call leaves the instance and never arrives
    const before = toPingpp.bytesIn;
    const request = child.createCharge(cashier, input).catch((e: Error) => e);
    const claim = await eventually(async () => {
      const c = await claimOf(input.idempotencyKey);
      return c && toPingpp.bytesIn > before ? c : null;
    }, "the claim written and the Ping++ call sent");
    await child.kill();
    expect(String(await request)).toMatch(/console instance exited \(SIGKILL\)/);
    toPingpp.setMode("up");

    expect(claim).toMatchObject({ status: "creating", pingppId: null });
    expect(await sandboxCharges(claim.orderNo)).toEqual([]);
    const view = await retryAfterLease(input, claim.id);
    await expectOneConsistentCharge(claim, view);
  }, 60_000);

  it("killed after Ping++ made the charge, before its answer came back: the retry finds that charge, no second one", async () => {
    child = await second("console-instance-a2");
    const input = form();
    toPingpp.setMode("answers-lost");
    const request = child.createCharge(cashier, input).catch((e: Error) => e);
    const claim = await eventually(async () => {
      const c = await claimOf(input.idempotencyKey);
      return c && (await sandboxCharges(c.orderNo)).length === 1 ? c : null;
    }, "the claim written and the charge made at Ping++");
    await child.kill();
    expect(String(await request)).toMatch(/console instance exited \(SIGKILL\)/);
    toPingpp.setMode("up");

    expect(claim).toMatchObject({ status: "creating", pingppId: null });
    const [made] = await sandboxCharges(claim.orderNo);
    const view = await retryAfterLease(input, claim.id);
    expect(view.chargeId).toBe(made!.id); // the same order_no again: Ping++ answers with the charge it made
    await expectOneConsistentCharge(claim, view);
  }, 60_000);

  it("killed mid-ingestion (event inserted, transaction open): the retry to the survivor stores and applies it once", async () => {
    const v = await createCharge(cashier, form());
    const chargeId = v.chargeId!;
    child = await second("console-instance-b1");
    h.sandbox.setWebhookUrl(child.webhookUrl);

    // Hold the charge row, so the child's webhook transaction stops inside applyCharge's SELECT … FOR UPDATE.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db.transaction(async (tx) => {
      await tx.select().from(charges).where(eq(charges.id, v.id)).for("update");
      locked();
      await held;
    });
    await isLocked;
    const earlier = new Set((await deliveriesOf()).map((d) => d.id));
    try {
      await h.sim(`charges/${chargeId}/pay`);
      // The child's transaction has written (it has an xid: the event row) and waits for the charge lock.
      await eventually(
        async () =>
          (
            await rows<{ n: number }>(
              sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'console-instance-b1' and wait_event_type = 'Lock' and backend_xid is not null`,
            )
          )[0]!.n === 1,
        "the child's webhook transaction blocked on the charge row",
      );
      expect(await db.$count(pingppEvents)).toBe(0); // not committed
      await child.kill();
      h.sandbox.setWebhookUrl(h.webhookUrl); // the load balancer now sends everything to the survivor
    } finally {
      release();
      await holder;
    }

    // Postgres notices the dead client and rolls its transaction back; the retry lands here.
    const [delivery] = await eventually(async () => {
      const ds = (await deliveriesOf()).filter((d) => !earlier.has(d.id) && d.status === "delivered");
      return ds.length ? ds : null;
    }, "the event delivered to the survivor");
    const first = delivery!.attempts[0]!;
    expect(first).toMatchObject({ status_code: null }); // the killed instance never answered
    expect(first.error).toBeTruthy();
    const answered = delivery!.attempts.filter((a) => a.status_code !== null);
    // stored by the survivor, not a duplicate
    expect(answered.map((a) => [a.status_code, a.response_body])).toEqual([[200, "ok"]]);

    const events = await db.select().from(pingppEvents);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: delivery!.event_id,
      objectId: chargeId,
      status: "applied",
      receiveCount: 1,
      result: `charge ${chargeId} → paid`,
    });
    const [row] = await db.select().from(charges).where(eq(charges.id, v.id));
    expect(row).toMatchObject({ status: "paid", pingppId: chargeId });
    expect(row!.timePaid).not.toBeNull();
    // Charge and event written by one transaction (the survivor's): applied once.
    expect(
      (
        await rows<{ n: number }>(
          sql`select count(*)::int as n from charges c join pingpp_events e on e.object_id = c.pingpp_id where c.xmin = e.xmin`,
        )
      )[0]!.n,
    ).toBe(1);
    // And nothing of the dead instance is left in the database.
    await eventually(
      async () =>
        (
          await rows<{ n: number }>(
            sql`select count(*)::int as n from pg_stat_activity where application_name = 'console-instance-b1'`,
          )
        )[0]!.n === 0,
      "the dead instance's sessions gone",
    );
  }, 60_000);

  it("killed after storing an event, before answering: the survivor answers duplicate and does not apply it again", async () => {
    const v = await createCharge(cashier, form());
    const chargeId = v.chargeId!;
    child = await second("console-instance-b2");
    const toChild = await startTcpProxy({ host: "127.0.0.1", port: child.port });
    try {
      toChild.setMode("answers-lost"); // the child stores the event and answers 200, which never arrives
      h.sandbox.setWebhookUrl(toChild.via(child.webhookUrl));
      await h.sim(`charges/${chargeId}/pay`);
      const [stored] = await eventually(async () => {
        const r = await rows<{ id: string; charge_xmin: string; event_xmin: string }>(
          sql`select e.id, c.xmin::text as charge_xmin, e.xmin::text as event_xmin from pingpp_events e join charges c on c.pingpp_id = e.object_id where c.status = 'paid'`,
        );
        return r.length ? r : null;
      }, "the event stored and applied by the child");
      expect(stored!.charge_xmin).toBe(stored!.event_xmin); // one transaction, the child's
      await child.kill();
      h.sandbox.setWebhookUrl(h.webhookUrl);

      const [delivery] = await eventually(async () => {
        const ds = (await deliveriesOf(stored!.id)).filter((d) => d.status === "delivered");
        return ds.length ? ds : null;
      }, "the event redelivered to the survivor");
      expect(delivery!.attempts[0]).toMatchObject({ status_code: null }); // the answer was lost with the instance
      expect(
        delivery!.attempts.filter((a) => a.status_code !== null).map((a) => [a.status_code, a.response_body]),
      ).toEqual([[200, "duplicate"]]);

      const events = await db.select().from(pingppEvents);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        id: stored!.id,
        status: "applied",
        receiveCount: 2,
        result: `charge ${chargeId} → paid`,
      });
      // The charge row is still the version the child's transaction wrote: the duplicate was not applied.
      const [after] = await rows<{ xmin: string; status: string }>(
        sql`select xmin::text as xmin, status from charges where pingpp_id = ${chargeId}`,
      );
      expect(after).toEqual({ xmin: stored!.charge_xmin, status: "paid" });
      expect(await db.$count(charges)).toBe(1);
    } finally {
      await toChild.close();
    }
  }, 60_000);
});
