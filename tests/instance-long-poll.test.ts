import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { startConsoleSandbox } from "@/tests/helpers/console-sandbox";
import { startConsoleInstance } from "@/tests/helpers/console-instance";
import { noStandaloneBuild, startStandaloneServer } from "@/tests/helpers/standalone-server";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addActor } from "@/tests/helpers/actors";
import { charges, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import * as svc from "@/lib/services/charges";
import type { Actor } from "@/lib/services/actor";
import type { ChargeView } from "@/lib/services/charges";
import { createChargeSchema, type CreateChargeData } from "@/lib/validations/charges";

/**
 * Issue #16's proof, its long-poll half: two console instances (two processes) on one Postgres,
 * one Ping++ sandbox. A cashier screen's long poll (`?wait=25`) held by instance B is answered as
 * soon as instance A applies the signed webhook that pays the charge, and a customer display's
 * long poll on B as soon as A creates a charge on its terminal: the `charge_status` trigger's
 * NOTIFY (drizzle/0004) reaches B's listener (lib/db/wakeups.ts), whichever process made the change.
 * A and B are both the built standalone server exactly as production runs it (the charge then
 * created through the service, in this process: there is no HTTP route that creates one), or,
 * without a build needed, both console instance processes (tests/helpers/console-instance-main.ts,
 * the same route handlers behind node:http; the charge created on A). One session cookie, signed
 * with the shared AUTH_SECRET, is valid on both.
 */
// Two processes cannot share PGlite (it runs inside one process): this needs the real Postgres.
describe.skipIf(!process.env.DATABASE_URL)("a long poll on one instance is woken by a change made on another", () => {
  const AUTH_SECRET = "instance-long-poll-test-secret-0123456789abcdef";
  let h: Awaited<ReturnType<typeof startConsoleSandbox>>;
  let db: Db;
  /** Two cashiers, each with a terminal of their own (so one case's charges are not on the other's display). */
  const cashiers: { actor: Actor; cookie: string }[] = [];
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    h = await startConsoleSandbox();
    db = await freshDb();
    for (const terminal of ["T07", "T08"]) {
      const actor = await addActor(db, `poll-${terminal}@two.cn`, "cashier", terminal);
      const [staff] = await db.select().from(staffUsers).where(eq(staffUsers.id, actor.id));
      const name = "authjs.session-token";
      const token = await encode({
        token: { uid: actor.id, sv: staff!.sessionVersion, loginAt: Math.floor(Date.now() / 1000) },
        secret: AUTH_SECRET,
        salt: name,
        maxAge: 3600,
      });
      cashiers.push({ actor, cookie: `${name}=${token}` });
    }
  });
  afterAll(async () => {
    for (const r of running.splice(0)) await r.stop();
    await h?.close();
    await closeDb();
  });

  interface Instance {
    url: string;
    /** Creates a charge "on" this instance (see above). */
    createCharge(by: Actor, input: CreateChargeData): Promise<ChargeView>;
  }
  const common = () => ({
    DATABASE_URL: process.env.DATABASE_URL!,
    PINGPP_PUBLIC_KEY: h.sandbox.publicKeyPem,
    AUTH_SECRET,
  });
  const kinds: Record<string, { skip: string | null; start(name: string): Promise<Instance> }> = {
    "console instance processes": {
      skip: null,
      async start(name) {
        const i = await startConsoleInstance({
          ...common(),
          PINGPP_API_BASE: h.sandbox.url,
          PGAPPNAME: `long-poll-${name}`,
        });
        running.push({ stop: () => i.kill() });
        return { url: `http://127.0.0.1:${i.port}`, createCharge: (by, input) => i.createCharge(by, input) };
      },
    },
    "built standalone servers": {
      skip: noStandaloneBuild,
      async start(name) {
        const server = await startStandaloneServer({
          ...common(),
          // a key, so the server talks to this test's sandbox instead of starting its own
          PINGPP_API_BASE: h.sandbox.url,
          PINGPP_API_KEY: h.sandbox.apiKey,
          PINGPP_APP_ID: h.sandbox.appId,
          ADMIN_EMAIL: "admin@long-poll.test",
          ADMIN_PASSWORD: "long-poll-admin-password",
          PGAPPNAME: `long-poll-${name}`,
        });
        running.push({ stop: () => server.stop() });
        return { url: server.url, createCharge: (by, input) => svc.createCharge(by, input) };
      },
    },
  };

  const form = (by: Actor) =>
    createChargeSchema.parse({
      idempotencyKey: crypto.randomUUID(),
      amount: "8.80",
      channel: "alipay_qr",
      subject: "门店消费",
      body: "收银台收款",
      terminalId: by.terminalId,
    });
  const get = (cookie: string, url: string, etag?: string) =>
    fetch(url, { headers: { cookie, ...(etag ? { "if-none-match": etag } : {}) } });

  /** A long poll that says whether it has answered yet. */
  function held(cookie: string, url: string, etag: string) {
    const t = { settled: false, p: get(cookie, url, etag).finally(() => void (t.settled = true)) };
    return t;
  }
  /**
   * The poll is held, not answered. Nothing outside B tells when its wait has begun: a second
   * is ample for it to read and subscribe; were it slower, the change made next would still be
   * answered (from its first read), so this can only make the proof weaker, never flaky.
   */
  async function stillWaiting(poll: { settled: boolean }) {
    await new Promise((r) => setTimeout(r, 1_000));
    expect(poll.settled, "B answered before anything changed").toBe(false);
  }
  /** Webhooks of the sandbox go to A's route, signed with the key both instances were given. */
  const deliverTo = (a: Instance) => h.sim("config", { webhookUrl: `${a.url}/api/webhooks/pingpp` });

  // The kind is in each case's name: CI picks the standalone ones by it (-t "standalone server").
  for (const [kind, { skip, start }] of Object.entries(kinds)) {
    describe(kind, () => {
      let a: Instance;
      let b: Instance;
      beforeAll(async () => {
        if (skip) return;
        [a, b] = await Promise.all([start("a"), start("b")]);
        await deliverTo(a);
      }, 120_000);
      afterAll(async () => {
        for (const r of running.splice(0)) await r.stop();
      });

      it.skipIf(skip)(
        `a charge's status poll on B answers "paid" once A applies the signed webhook, not the 304 of its wait's end (${kind})${skip ? ` (skipped: ${skip})` : ""}`,
        async () => {
          const { actor, cookie } = cashiers[0]!;
          const v = await a.createCharge(actor, form(actor));
          expect(v.status).toBe("pending");
          const statusUrl = `${b.url}/api/charges/${v.id}/status`;
          const first = await get(cookie, statusUrl);
          expect(first.status).toBe(200);
          const etag = first.headers.get("etag")!;
          expect(((await first.json()) as ChargeView).status).toBe("pending");

          const poll = held(cookie, `${statusUrl}?wait=25`, etag);
          await stillWaiting(poll);

          const [row] = await db.select().from(charges).where(eq(charges.id, v.id));
          await h.sim(`charges/${row!.pingppId}/pay`); // charge.succeeded, signed, POSTed to A's webhook route
          const res = await poll.p;
          expect(res.status).toBe(200);
          expect(res.headers.get("etag")).not.toBe(etag);
          expect(await res.json()).toMatchObject({ id: v.id, status: "paid", qrPayload: null });
        },
        60_000,
      );

      it.skipIf(skip)(
        `the customer display's poll on B shows the charge A creates on its terminal (${kind})${skip ? ` (skipped: ${skip})` : ""}`,
        async () => {
          const { actor, cookie } = cashiers[1]!;
          const displayUrl = `${b.url}/api/terminals/${actor.terminalId}/active`;
          // idle (the other kind's run left one)
          await db.delete(charges).where(eq(charges.terminalId, actor.terminalId!));
          const idle = await get(cookie, displayUrl);
          expect(idle.status).toBe(200);
          expect(await idle.json()).toEqual({ charge: null, amountText: null, qrSvg: null });

          const poll = held(cookie, `${displayUrl}?wait=25`, idle.headers.get("etag")!);
          await stillWaiting(poll);

          const v = await a.createCharge(actor, form(actor));
          const res = await poll.p;
          expect(res.status).toBe(200);
          expect(await res.json()).toMatchObject({
            charge: { id: v.id, status: "pending", terminalId: actor.terminalId },
            amountText: expect.stringMatching(/^¥\d/),
            qrSvg: expect.stringMatching(/^<svg role="img"/),
          });
        },
        60_000,
      );
    });
  }
});
