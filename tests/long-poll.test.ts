import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { consoleTestbed, type ConsoleSandbox } from "@/tests/helpers/testbed";
import { eventually } from "@/tests/helpers/console-sandbox";
import { addActor } from "@/tests/helpers/actors";
import { startTcpProxy } from "@/tests/helpers/tcp-proxy";
import { auditLogs, charges, pingppEvents, staffUsers } from "@/lib/db/schema";
import { wakeHub, wakeSource, type Db } from "@/lib/db";
import {
  chargeKey,
  createWakeHub,
  LISTENER_OPTIONS,
  postgresListen,
  terminalKey,
  type WakeHub,
  type WakeSource,
} from "@/lib/db/wakeups";
import { createChargeSchema } from "@/lib/validations/charges";
import * as svc from "@/lib/services/charges";
import type { Actor } from "@/lib/services/actor";
import type { ChargeView } from "@/lib/services/charge-view";
import { GET as statusGET } from "@/app/api/charges/[id]/status/route";
import { GET as terminalGET } from "@/app/api/terminals/[terminal]/active/route";

/**
 * Long polls of the status routes (ARCHITECTURE.md rule 5), through the real route handlers, the real
 * session check, the real sandbox's signed webhooks and the database's own NOTIFY. Only
 * next-auth's cookie decoding is stood in for: the signed-in staff id comes in a test header,
 * so a held request re-checks the very account it started with.
 */
vi.mock("@/lib/auth/claims", () => ({
  sessionClaims: async (req?: Request) => {
    const uid = req?.headers.get("x-test-uid");
    return uid ? { uid, sv: 1 } : null;
  },
}));

let h: ConsoleSandbox;
let db: Db;
let cashier: Actor;
let other: Actor;
let hub: WakeHub;

consoleTestbed((bed) => ({ h, db } = bed), { clean: [charges, pingppEvents, auditLogs, staffUsers] });

beforeEach(async () => {
  cashier = await addActor(db, "c1@poll.cn", "cashier", "T01");
  other = await addActor(db, "c2@poll.cn", "cashier", "T02");
  hub = await wakeHub();
  await eventually(async () => hub.up, "the process's listener is up");
});
afterEach(() => expect(hub.waiting, "every waiter was cancelled").toBe(0));

const form = (terminalId?: string) =>
  createChargeSchema.parse({
    idempotencyKey: crypto.randomUUID(),
    amount: "8.80",
    channel: "alipay_qr",
    subject: "门店消费",
    body: "收银台收款",
    terminalId,
  });

function request(path: string, who: Actor | null, o: { etag?: string; signal?: AbortSignal } = {}) {
  const headers: Record<string, string> = {};
  if (who) headers["x-test-uid"] = who.id;
  if (o.etag) headers["if-none-match"] = o.etag;
  return new Request(`http://console.test${path}`, { headers, signal: o.signal });
}
const status = (id: string, who: Actor | null, query = "", o: { etag?: string; signal?: AbortSignal } = {}) =>
  statusGET(request(`/api/charges/${id}/status${query}`, who, o), { params: Promise.resolve({ id }) });
const display = (terminal: string, who: Actor | null, query = "", o: { etag?: string; signal?: AbortSignal } = {}) =>
  terminalGET(request(`/api/terminals/${terminal}/active${query}`, who, o), { params: Promise.resolve({ terminal }) });

/** A promise that says whether it has settled yet. */
function tracked<T>(p: Promise<T>) {
  const t = { settled: false, p: p.finally(() => void (t.settled = true)) };
  return t;
}
const pingppIdOf = async (id: string) => (await db.select().from(charges).where(eq(charges.id, id)))[0]!.pingppId!;

/**
 * Every notification committed so far has reached `onto`: a NOTIFY sent now is delivered after
 * them (Postgres delivers in commit order), so once it arrives the earlier ones have too.
 */
async function drained(onto: WakeHub, source: WakeSource) {
  const id = crypto.randomUUID();
  const w = onto.subscribe([chargeKey(id)]);
  try {
    await source.notify("charge_status", JSON.stringify({ id }));
    expect(await w.wait(20_000)).toBe("woken");
  } finally {
    w.cancel();
  }
}

describe("GET /api/charges/{id}/status?wait=N", () => {
  it("a waiting poll answers with the new status once the webhook pays the charge, and not before", async () => {
    const v = await svc.createCharge(cashier, form());
    const first = await status(v.id, cashier);
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    const poll = tracked(status(v.id, cashier, "?wait=25", { etag }));
    await eventually(async () => hub.waiting === 1, "the poll waits");
    expect(poll.settled).toBe(false);

    await h.sim(`charges/${await pingppIdOf(v.id)}/pay`);
    const res = await poll.p;
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChargeView;
    expect(body).toMatchObject({ id: v.id, status: "paid", qrPayload: null });
    expect(res.headers.get("etag")).not.toBe(etag);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
  });

  it("answers 304 at the end of the wait when nothing changed", async () => {
    const v = await svc.createCharge(cashier, form());
    const etag = (await status(v.id, cashier)).headers.get("etag")!;
    const res = await status(v.id, cashier, "?wait=1", { etag });
    expect(res.status).toBe(304);
    expect(res.headers.get("etag")).toBe(etag);
    expect(await res.text()).toBe("");
  });

  it("answers at once when the client's ETag differs or is missing, without waiting", async () => {
    const v = await svc.createCharge(cashier, form());
    // A request whose client is already gone: any wait would end at once as "aborted" → 304.
    const gone = AbortSignal.abort();
    const stale = await status(v.id, cashier, "?wait=25", { etag: '"an-older-answer"', signal: gone });
    expect(stale.status).toBe(200);
    expect(((await stale.json()) as ChargeView).status).toBe("pending");
    const none = await status(v.id, cashier, "?wait=25", { signal: gone });
    expect(none.status).toBe(200);
    expect((await status(v.id, cashier, "?wait=25", { etag: stale.headers.get("etag")!, signal: gone })).status).toBe(
      304,
    );
  });

  it("stops waiting when the client goes away", async () => {
    const v = await svc.createCharge(cashier, form());
    const etag = (await status(v.id, cashier)).headers.get("etag")!;
    const client = new AbortController();
    const poll = tracked(status(v.id, cashier, "?wait=25", { etag, signal: client.signal }));
    await eventually(async () => hub.waiting === 1, "the poll waits");
    expect(poll.settled).toBe(false);
    client.abort();
    expect((await poll.p).status).toBe(304);
  });

  it("without wait it answers as before: 200 with an ETag, 304 for the same ETag", async () => {
    const v = await svc.createCharge(cashier, form());
    const res = await status(v.id, cashier);
    expect(res.status).toBe(200);
    expect((await status(v.id, cashier, "", { etag: res.headers.get("etag")! })).status).toBe(304);
    expect((await status(v.id, cashier, "?wait=soon")).status).toBe(400);
  });

  it("is authorised as before: no session 401, another terminal's cashier 404, at once and for the display too", async () => {
    const v = await svc.createCharge(cashier, form());
    const etag = (await status(v.id, cashier)).headers.get("etag")!;
    expect((await status(v.id, null, "?wait=25", { etag })).status).toBe(401);
    const refused = await status(v.id, other, "?wait=25", { etag });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toEqual({ error: "chargeNotFound" });
    expect((await display("T01", other, "?wait=25")).status).toBe(404);
    expect((await display("T01", null, "?wait=25")).status).toBe(401);
    expect(hub.waiting).toBe(0);
  });

  it("an account disabled while its poll waits gets 401 when the poll wakes, not the new status", async () => {
    const v = await svc.createCharge(cashier, form());
    const etag = (await status(v.id, cashier)).headers.get("etag")!;
    const poll = tracked(status(v.id, cashier, "?wait=25", { etag }));
    await eventually(async () => hub.waiting === 1, "the poll waits");
    await db.update(staffUsers).set({ disabledAt: new Date() }).where(eq(staffUsers.id, cashier.id));
    await h.sim(`charges/${await pingppIdOf(v.id)}/pay`);
    const res = await poll.p;
    expect(res.status).toBe(401);
  });
});

describe("GET /api/terminals/{t}/active?wait=N (customer display)", () => {
  it("an idle display's poll answers with the new charge the moment one is created on its terminal", async () => {
    const idle = await display("T01", cashier);
    expect(await idle.json()).toEqual({ charge: null, amountText: null, qrSvg: null });
    const poll = tracked(display("T01", cashier, "?wait=25", { etag: idle.headers.get("etag")! }));
    await eventually(async () => hub.waiting === 1, "the display waits");
    expect(poll.settled).toBe(false);
    const v = await svc.createCharge(cashier, form("T01"));
    const res = await poll.p;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { charge: ChargeView; amountText: string; qrSvg: string };
    expect(body.charge).toMatchObject({ id: v.id, status: "pending", terminalId: "T01" });
    // what the plain display page paints: the amount as text, the QR of the payment link as SVG
    expect(body.amountText).toBe("¥8.80");
    expect(body.qrSvg).toMatch(/^<svg\b[^>]*\bwidth="360"[^>]*>.*<path\b[^>]*\bd="M[^"]+".*<\/svg>$/s);
  });
});

describe("the wake-up hub", () => {
  it("a change of another charge does not wake a waiter; its own does", async () => {
    const source = await wakeSource();
    const a = await svc.createCharge(cashier, form());
    const b = await svc.createCharge(cashier, form());
    await drained(hub, source); // the two creations' own notifications are past
    const wa = hub.subscribe([chargeKey(a.id)]);
    const wb = hub.subscribe([chargeKey(b.id), terminalKey("T99")]);
    try {
      await h.sim(`charges/${await pingppIdOf(b.id)}/pay`);
      expect(await wb.wait(20_000)).toBe("woken");
      await drained(hub, source);
      expect(await wa.wait(0)).toBe("timeout");
      await h.sim(`charges/${await pingppIdOf(a.id)}/pay`);
      expect(await wa.wait(20_000)).toBe("woken");
    } finally {
      wa.cancel();
      wb.cancel();
    }
  });

  it("starts twice in one process: a change wakes the waiters of both hubs", async () => {
    const source = await wakeSource();
    const second = createWakeHub(source);
    try {
      await eventually(async () => second.up, "the second hub listens");
      const v = await svc.createCharge(cashier, form());
      await drained(hub, source);
      await drained(second, source);
      const w1 = hub.subscribe([chargeKey(v.id)]);
      const w2 = second.subscribe([chargeKey(v.id)]);
      try {
        await h.sim(`charges/${await pingppIdOf(v.id)}/pay`);
        expect(await w1.wait(20_000)).toBe("woken");
        expect(await w2.wait(20_000)).toBe("woken");
      } finally {
        w1.cancel();
        w2.cancel();
      }
    } finally {
      await second.close();
    }
  });
});

// Two listeners on two connections of their own, as two instances of the console would have.
describe.skipIf(!process.env.DATABASE_URL)(
  "across connections (Postgres only: PGlite is one process's database)",
  () => {
    const url = process.env.DATABASE_URL!;

    function instance(listenUrl = url) {
      const listener = postgres(listenUrl, LISTENER_OPTIONS);
      const pool = postgres(url, { max: 1, onnotice: () => {} });
      const source: WakeSource = {
        listen: postgresListen(listener),
        notify: async (c, p) => void (await pool`select pg_notify(${c}, ${p})`),
      };
      return { source, pool, listener };
    }

    it("a webhook applied on the console's connection wakes waiters listening on two other connections", async () => {
      const [one, two] = [instance(), instance()];
      const a = createWakeHub(one.source);
      const b = createWakeHub(two.source);
      try {
        await eventually(async () => a.up && b.up, "both listen");
        const v = await svc.createCharge(cashier, form());
        await drained(a, one.source);
        await drained(b, two.source);
        const wa = a.subscribe([chargeKey(v.id)]);
        const wb = b.subscribe([terminalKey("T01"), chargeKey(v.id)]);
        try {
          await h.sim(`charges/${await pingppIdOf(v.id)}/pay`);
          expect(await wb.wait(20_000)).toBe("woken");
          expect(await wa.wait(20_000)).toBe("woken");
          // notified on commit: whoever is woken reads the change
          const [row] = await two.pool`select status from charges where id = ${v.id}`;
          expect(row!.status).toBe("paid");
        } finally {
          wa.cancel();
          wb.cancel();
        }
        // a NOTIFY sent by one instance's connection reaches the other's listener
        const id = crypto.randomUUID();
        const wx = b.subscribe([chargeKey(id)]);
        try {
          await one.pool`select pg_notify('charge_status', ${JSON.stringify({ id, t: null })})`;
          expect(await wx.wait(20_000)).toBe("woken");
        } finally {
          wx.cancel();
        }
      } finally {
        await Promise.all([a.close(), b.close()]);
        await Promise.all([one, two].flatMap((i) => [i.pool.end(), i.listener.end()]));
      }
    });

    it("a lost listening connection: down while cut (callers then wait briefly), listening again by itself, and every waiter re-reads", async () => {
      const target = new URL(url);
      const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const i = instance(proxy.via(url));
      const hubViaProxy = createWakeHub(i.source, { heartbeatMs: 100 });
      try {
        await eventually(async () => hubViaProxy.up, "listening");
        const w = hubViaProxy.subscribe([chargeKey(crypto.randomUUID())]);
        try {
          proxy.setMode("down");
          await eventually(async () => !hubViaProxy.up, "the heartbeat notices");
          expect(await w.wait(0)).toBe("timeout");
          proxy.setMode("up");
          expect(await w.wait(20_000)).toBe("woken"); // nothing changed for it: woken to re-read what it may have missed
          expect(hubViaProxy.up).toBe(true);
        } finally {
          w.cancel();
        }
        // and notifications flow again
        const id = crypto.randomUUID();
        const w2 = hubViaProxy.subscribe([chargeKey(id)]);
        try {
          await db.execute(sql`select pg_notify('charge_status', ${JSON.stringify({ id })})`);
          expect(await w2.wait(20_000)).toBe("woken");
        } finally {
          w2.cancel();
        }
      } finally {
        await hubViaProxy.close();
        await i.pool.end();
        await i.listener.end({ timeout: 1 });
        await proxy.close();
      }
    });
  },
);
