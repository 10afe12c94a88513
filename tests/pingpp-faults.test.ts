/**
 * Issue #10 "Faults", Ping++ part: every money operation × every way Ping++ can fail to give an
 * answer. For each cell: the user gets the product's AppError with a clear zh-CN message, nothing
 * is half-written (the claim is kept for a retry, no money-moved state, an "error" audit row), and
 * once Ping++ is back the same form goes through: exactly one object at Ping++, a matching row here.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { startConsoleSandbox, eventually } from "@/tests/helpers/console-sandbox";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addActor } from "@/tests/helpers/actors";
import { qrChargeForm, qrOrderForm } from "@/tests/helpers/payments";
import type { Db } from "@/lib/db";
import {
  auditLogs,
  charges,
  orders,
  pingppEvents,
  redEnvelopes,
  refunds,
  royaltySettlements,
  royaltyTransactions,
  staffUsers,
} from "@/lib/db/schema";
import { shanghaiDayStart } from "@/lib/dates";
import { loadMessages } from "@/lib/i18n/request";
import { chargeFilterSchema } from "@/lib/validations/charges";
import { refundChargeSchema, refundFilterSchema, refundOrderSchema } from "@/lib/validations/refunds";
import { sendRedEnvelopeSchema } from "@/lib/validations/red-envelopes";
import { createSettlementSchema } from "@/lib/validations/settlements";
import type { Actor } from "@/lib/services/actor";
import { AppError } from "@/lib/services/errors";
import { createCharge, listCharges, recentCharges } from "@/lib/services/charges";
import { cancelOrder, createOrderCharge } from "@/lib/services/orders";
import { listRefunds, refundCharge, refundOrder } from "@/lib/services/refunds";
import { sendRedEnvelope } from "@/lib/services/red-envelopes";
import { confirmSettlement, createSettlement, getSettlement, REQUEST_KEY_METADATA } from "@/lib/services/settlements";

/**
 * Two test-only variants of the Ping++ client, used for the one faulted call of a cell; every other
 * call goes through the product's own client (lib/services/pingpp-client.ts) unchanged. Both are built the
 * same way from the same configuration:
 * - "short": the product waits 15 s for an answer (PINGPP_TIMEOUT_MS, for every call) and the
 *   console sandbox holds a "timeout" fault for 30 s (startConsoleSandbox passes no faultTimeoutMs);
 *   a short PINGPP_TIMEOUT_MS for the whole file would also cut calls a busy host answers late, so
 *   only the faulted call uses this client, which waits `knob.ms`, and the real transport's own timeout fires;
 * - "lost": the request reaches Ping++ and is carried out, then the connection drops before the
 *   answer is read (what a timeout or a gateway error can hide at the real Ping++; the sandbox's
 *   faults all fail before Ping++ acts).
 */
const knob = vi.hoisted(() => ({ client: null as "short" | "lost" | null, ms: 300 }));
vi.mock("@/lib/services/pingpp-client", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/services/pingpp-client")>();
  const { createPingpp } = await import("@/lib/pingpp");
  const { env } = await import("@/lib/env");
  const variants: Partial<Record<"short" | "lost", ReturnType<typeof createPingpp>>> = {};
  const loseAnswer: typeof fetch = async (input, init) => {
    await (await fetch(input, init)).text();
    throw new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });
  };
  return {
    pingpp: () => {
      if (!knob.client) return real.pingpp();
      const { apiKey, apiBase, privateKeyPem } = env().pingpp;
      const extra = knob.client === "short" ? { timeoutMs: knob.ms } : { fetch: loseAnswer };
      return (variants[knob.client] ??= createPingpp({ apiKey, apiBase, privateKeyPem, ...extra }));
    },
  };
});

let h: Awaited<ReturnType<typeof startConsoleSandbox>>;
let db: Db;
let cashier: Actor;
let finance: Actor;
let zh: Record<string, unknown>;

beforeAll(async () => {
  h = await startConsoleSandbox();
  db = await freshDb();
  zh = await loadMessages("zh-CN");
});
afterAll(async () => {
  await h.close();
  await closeDb();
});

/**
 * Until every webhook the sandbox holds has reached the console's route. Setting the URL again
 * makes the sandbox retry the waiting ones now rather than on its retry schedule.
 */
const flushWebhooks = () =>
  eventually(async () => {
    h.sandbox.setWebhookUrl(h.webhookUrl);
    return (await (await fetch(`${h.sandbox.url}/_sim/deliveries?status=pending`)).json()).data.length === 0;
  }, "webhooks delivered");

beforeEach(async () => {
  await h.sim("faults", { mode: "none" });
  await flushWebhooks(); // the previous cell's land first, so they cannot re-create rows after the clean-up
  for (const t of [
    refunds,
    orders,
    charges,
    royaltyTransactions,
    royaltySettlements,
    redEnvelopes,
    pingppEvents,
    auditLogs,
    staffUsers,
  ])
    await db.delete(t);
  cashier = await addActor(db, "c1@shop.cn", "cashier", "T01");
  finance = await addActor(db, "f@shop.cn", "finance");
});

// ---------------------------------------------------------------- Ping++'s own view (the sandbox API, as Ping++
// itself)

async function api<T = Record<string, unknown>>(path: string): Promise<T> {
  const res = await fetch(`${h.sandbox.url}/v1${path}`, { headers: { authorization: `Bearer ${h.sandbox.apiKey}` } });
  if (!res.ok) throw new Error(`GET ${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every object of a cursor list (`limit`/`starting_after`). */
async function cursorList<T extends { id: string }>(path: string): Promise<T[]> {
  const out: T[] = [];
  for (let after = ""; ;) {
    const sep = path.includes("?") ? "&" : "?";
    const page = await api<{ data: T[]; has_more: boolean }>(
      `${path}${sep}limit=100${after ? `&starting_after=${after}` : ""}`,
    );
    out.push(...page.data);
    if (!page.has_more || page.data.length === 0) return out;
    after = page.data[page.data.length - 1]!.id;
  }
}

type RemoteCharge = { id: string; order_no: string; paid: boolean; amount_refunded: number };
type RemoteRefund = { id: string; amount: number; status: string; metadata: Record<string, unknown> };
type RemoteOrder = { id: string; status: string; amount_refunded: number };
type RemoteEnvelope = { id: string; order_no: string; status: string; amount: number };
type RemoteSettlement = {
  id: string;
  status: string;
  amount: number;
  amount_succeeded: number;
  metadata: Record<string, unknown>;
};

const remoteCharges = () => cursorList<RemoteCharge>(`/charges?app[id]=${h.sandbox.appId}`);
const remoteRefunds = (chargeId: string) => cursorList<RemoteRefund>(`/charges/${chargeId}/refunds`);
// the list, never a retrieve: that moves an envelope on
const remoteEnvelopes = () => cursorList<RemoteEnvelope>("/red_envelopes");
const remoteSettlements = async () =>
  (await api<{ data: RemoteSettlement[] }>(`/royalty_settlements?payer_app=${h.sandbox.appId}&per_page=100`)).data;

// ---------------------------------------------------------------- local rows and set-up

const one = async <T>(rows: Promise<T[]>): Promise<T> => {
  const list = await rows;
  expect(list).toHaveLength(1);
  return list[0]!;
};
const chargeRow = (id: string) => one(db.select().from(charges).where(eq(charges.id, id)));
const refundByKey = (key: string) => one(db.select().from(refunds).where(eq(refunds.idempotencyKey, key)));
const orderRow = (id: string) => one(db.select().from(orders).where(eq(orders.id, id)));
const envelopeByKey = (key: string) => one(db.select().from(redEnvelopes).where(eq(redEnvelopes.idempotencyKey, key)));
const settlementRow = (id: string) => one(db.select().from(royaltySettlements).where(eq(royaltySettlements.id, id)));
const audits = (action: string) => db.select().from(auditLogs).where(eq(auditLogs.action, action));

const chargeForm = () => qrChargeForm();
const orderForm = () => qrOrderForm("30.00");

/** A QR charge the customer paid (webhook applied): our row and its ch_ id. */
async function paidCharge() {
  const v = await createCharge(cashier, chargeForm());
  const { pingppId } = await chargeRow(v.id);
  await h.sim(`charges/${pingppId}/pay`);
  await eventually(async () => (await chargeRow(v.id)).status === "paid", "charge paid");
  return { id: v.id, chargeId: pingppId! };
}

/** An order (order mode on the cashier screen), unpaid: our order row. */
async function openOrder() {
  await createOrderCharge(cashier, orderForm());
  const [o] = await db.select().from(orders);
  expect(o).toMatchObject({ status: "created" });
  return o!;
}

/** An order the customer paid (webhooks applied): our order row id, its Ping++ id and the charge's ch_ id. */
async function paidOrder() {
  const o = await openOrder();
  await h.sim(`charges/${o.chargeId}/pay`);
  await eventually(async () => (await orderRow(o.id)).status === "paid", "order paid");
  return { id: o.id, pingppId: o.pingppId!, chargeId: o.chargeId! };
}

/** A created royalty settlement over a pool of its own (a past day no other cell uses). */
let days = 0;
async function createdSettlement() {
  days += 1;
  const day = `2025-12-${String(days).padStart(2, "0")}`;
  const created = Math.floor(shanghaiDayStart(day).getTime() / 1000) + 12 * 3600;
  await h.sim("royalties", {
    royalties: [
      { source_user: "user_a", amount: 1500, created },
      { source_user: "user_b", amount: 700, created },
    ],
  });
  const key = crypto.randomUUID();
  const s = await createSettlement(
    finance,
    createSettlementSchema.parse({
      idempotencyKey: key,
      payerApp: h.sandbox.appId,
      method: "alipay",
      from: day,
      to: day,
    }),
  );
  expect(s).toMatchObject({ status: "created", amount: 2200 });
  return { id: s.id, pingppId: s.pingppId!, key };
}

// ---------------------------------------------------------------- the operations

type Mode = "500" | "timeout" | "502_html" | "lost";

/** One cell's operation: `run` is the user's form (the same idempotency key every time). */
interface Cell {
  run(): Promise<unknown>;
  /**
   * After the failed call: here, the documented "outcome unknown" state (no webhook has said
   * otherwise); at Ping++, nothing, or (`acted`) the one object the lost request made.
   */
  unknown(acted: boolean): Promise<void>;
  /** After the successful retry: exactly one object at Ping++, and our row says the same. */
  done(result: unknown): Promise<void>;
}
interface Operation {
  name: string;
  /** its audit action */
  action: string;
  /** who submits the form */
  actor: () => Actor;
  /** set-up before the fault is armed */
  prepare(): Promise<Cell>;
}

const OPERATIONS: Operation[] = [
  {
    name: "charge create (createCharge)",
    action: "charge.create",
    actor: () => cashier,
    async prepare() {
      const input = chargeForm();
      const claim = () => one(db.select().from(charges).where(eq(charges.idempotencyKey, input.idempotencyKey)));
      return {
        run: () => createCharge(cashier, input),
        async unknown(acted) {
          // the claim is kept, with its order_no, for the retry; it is not a charge anyone sees
          const c = await claim();
          expect(c).toMatchObject({ status: "creating", pingppId: null, timePaid: null, qrPayload: null });
          expect(await recentCharges(cashier)).toEqual([]);
          expect((await listCharges(finance, chargeFilterSchema.parse({}))).rows).toEqual([]);
          expect((await remoteCharges()).filter((r) => r.order_no === c.orderNo)).toHaveLength(acted ? 1 : 0);
        },
        async done(result) {
          const c = await claim();
          const remote = (await remoteCharges()).filter((r) => r.order_no === c.orderNo);
          expect(remote).toHaveLength(1);
          expect(remote[0]!.paid).toBe(false);
          expect(c).toMatchObject({ status: "pending", pingppId: remote[0]!.id, amount: 2000 });
          expect(result).toMatchObject({ id: c.id, chargeId: remote[0]!.id, status: "pending" });
        },
      };
    },
  },
  {
    name: "refund of a QR charge (refundCharge)",
    action: "refund.create",
    actor: () => finance,
    async prepare() {
      const ch = await paidCharge();
      const input = refundChargeSchema.parse({
        idempotencyKey: crypto.randomUUID(),
        chargeId: ch.chargeId,
        amount: "3.00",
        description: "多收了",
      });
      return {
        run: () => refundCharge(finance, input),
        async unknown(acted) {
          const claim = await refundByKey(input.idempotencyKey);
          expect(claim).toMatchObject({ status: "creating", pingppId: null, amount: 300 });
          expect(await chargeRow(ch.id)).toMatchObject({ status: "paid", amountRefunded: 0, refunded: false });
          expect((await listRefunds(refundFilterSchema.parse({}))).rows).toEqual([]); // a claim is not a refund yet
          expect((await remoteRefunds(ch.chargeId)).map((r) => r.metadata.console_refund)).toEqual(
            acted ? [claim.id] : [],
          );
        },
        async done(result) {
          const claim = await refundByKey(input.idempotencyKey);
          const remote = await remoteRefunds(ch.chargeId);
          expect(remote).toHaveLength(1);
          expect(remote[0]).toMatchObject({ id: claim.pingppId, amount: 300, metadata: { console_refund: claim.id } });
          expect(result).toMatchObject({ id: claim.id, pingppId: remote[0]!.id });
          // The channel finishes it; refund.succeeded arrives: refunded once, here and there.
          await eventually(
            async () => (await refundByKey(input.idempotencyKey)).status === "succeeded",
            "refund succeeded",
          );
          await eventually(async () => (await chargeRow(ch.id)).amountRefunded === 300, "charge refunded amount");
          expect((await api<RemoteCharge>(`/charges/${ch.chargeId}`)).amount_refunded).toBe(300);
          expect((await remoteRefunds(ch.chargeId))[0]!.status).toBe("succeeded");
        },
      };
    },
  },
  {
    name: "refund of an order (refundOrder)",
    action: "refund.create",
    actor: () => finance,
    async prepare() {
      const o = await paidOrder();
      const input = refundOrderSchema.parse({
        idempotencyKey: crypto.randomUUID(),
        orderId: o.id,
        amount: "4.00",
        description: "顾客退货",
      });
      return {
        run: () => refundOrder(finance, input),
        async unknown(acted) {
          const claim = await refundByKey(input.idempotencyKey);
          expect(claim).toMatchObject({ status: "creating", pingppId: null, amount: 400, orderId: o.id });
          expect(await orderRow(o.id)).toMatchObject({ status: "paid", amountRefunded: 0, refunded: false });
          expect((await listRefunds(refundFilterSchema.parse({}))).rows).toEqual([]);
          expect((await api<{ data: unknown[] }>(`/orders/${o.pingppId}/order_refunds`)).data).toHaveLength(
            acted ? 1 : 0,
          );
          expect((await remoteRefunds(o.chargeId)).map((r) => r.metadata.console_refund)).toEqual(
            acted ? [claim.id] : [],
          );
        },
        async done(result) {
          const claim = await refundByKey(input.idempotencyKey);
          const remote = await remoteRefunds(o.chargeId);
          expect(remote).toHaveLength(1);
          expect(remote[0]).toMatchObject({ id: claim.pingppId, amount: 400, metadata: { console_refund: claim.id } });
          expect(
            (await api<{ data: { id: string }[] }>(`/orders/${o.pingppId}/order_refunds`)).data.map((r) => r.id),
          ).toEqual([claim.pingppId]);
          expect(result).toMatchObject({ id: claim.id, pingppId: remote[0]!.id });
          await eventually(
            async () => (await refundByKey(input.idempotencyKey)).status === "succeeded",
            "refund succeeded",
          );
          await eventually(async () => (await orderRow(o.id)).amountRefunded === 400, "order refunded amount");
          expect((await orderRow(o.id)).status).toBe("refunded");
          expect((await api<RemoteOrder>(`/orders/${o.pingppId}`)).amount_refunded).toBe(400);
        },
      };
    },
  },
  {
    name: "order cancel (cancelOrder)",
    action: "order.cancel",
    actor: () => finance,
    async prepare() {
      const o = await openOrder();
      const key = crypto.randomUUID();
      return {
        run: () => cancelOrder(finance, o.id, key),
        async unknown(acted) {
          // still open here: only our own call could say otherwise (Ping++ sends no webhook for a cancel)
          expect(await orderRow(o.id)).toMatchObject({ status: "created", canceled: false, canceledAt: null });
          expect((await api<RemoteOrder>(`/orders/${o.pingppId}`)).status).toBe(acted ? "canceled" : "created");
        },
        async done(result) {
          expect((await api<RemoteOrder>(`/orders/${o.pingppId}`)).status).toBe("canceled");
          expect(await orderRow(o.id)).toMatchObject({ status: "canceled", canceled: true, cancelKey: key });
          expect(result).toMatchObject({ id: o.id, status: "canceled" });
        },
      };
    },
  },
  {
    name: "red envelope send (sendRedEnvelope)",
    action: "red_envelope.send",
    actor: () => finance,
    async prepare() {
      const input = sendRedEnvelopeSchema.parse({
        idempotencyKey: crypto.randomUUID(),
        recipient: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        amount: "8.88",
        sendName: "示例商户",
        subject: "新年红包",
        body: "恭喜发财，大吉大利",
        description: "年会抽奖",
      });
      return {
        run: () => sendRedEnvelope(finance, input),
        async unknown(acted) {
          const claim = await envelopeByKey(input.idempotencyKey);
          expect(claim).toMatchObject({ status: "creating", pingppId: null, amount: 888 });
          expect((await remoteEnvelopes()).filter((r) => r.order_no === claim.orderNo)).toHaveLength(acted ? 1 : 0);
        },
        async done(result) {
          const claim = await envelopeByKey(input.idempotencyKey);
          const remote = (await remoteEnvelopes()).filter((r) => r.order_no === claim.orderNo);
          expect(remote).toHaveLength(1);
          expect(remote[0]).toMatchObject({ amount: 888, status: "sending" });
          expect(claim).toMatchObject({ pingppId: remote[0]!.id, status: "sending" });
          expect(result).toMatchObject({ id: claim.id, pingppId: remote[0]!.id, status: "sending" });
        },
      };
    },
  },
  {
    name: "settlement confirm (confirmSettlement)",
    action: "royalty_settlement.confirm",
    actor: () => finance,
    async prepare() {
      const s = await createdSettlement();
      const remote = async () => {
        const list = (await remoteSettlements()).filter((r) => r.metadata[REQUEST_KEY_METADATA] === s.key);
        expect(list).toHaveLength(1);
        return list[0]!;
      };
      return {
        run: () => confirmSettlement(finance, s.id),
        async unknown(acted) {
          // the confirm claim is kept (its lease ended at once, so the retry may go now, asking Ping++ first)
          const row = await settlementRow(s.id);
          expect(row).toMatchObject({ status: "created", action: "confirm", amountSucceeded: 0, timeFinished: null });
          expect(row.actionAt?.getTime()).toBe(0);
          const r = await remote();
          expect(r.id).toBe(s.pingppId);
          if (acted) expect(["pending", "succeeded"]).toContain(r.status);
          else expect(r).toMatchObject({ status: "created", amount_succeeded: 0 });
        },
        async done(result) {
          expect(["pending", "succeeded"]).toContain((result as { status: string }).status);
          const r = await remote();
          expect(r.id).toBe(s.pingppId);
          // paid out once: the whole amount, no more
          const v = await eventually(async () => {
            const x = await getSettlement(s.id);
            return x.status === "succeeded" ? x : null;
          }, "settlement succeeded");
          expect(v).toMatchObject({ amount: 2200, amountSucceeded: 2200, countSucceeded: 2, amountFailed: 0 });
          expect(await api<RemoteSettlement>(`/royalty_settlements/${s.pingppId}`)).toMatchObject({
            status: "succeeded",
            amount_succeeded: 2200,
          });
        },
      };
    },
  },
];

// ---------------------------------------------------------------- the matrix

/**
 * How Ping++ fails to answer, and what the audit row says about it (the technical text, never shown
 * to the user). The first three are the sandbox's faults (`POST /_sim/faults`): Ping++ did nothing.
 */
const MODES: [what: string, mode: Mode, audit: RegExp][] = [
  ["answers 5xx", "500", /服务器内部错误|Internal server error/],
  ["does not answer", "timeout", new RegExp(`did not answer within ${knob.ms} ms`)],
  ["answers a non-JSON 502", "502_html", /HTTP 502 with a non-JSON body/],
  ["acts, but its answer is lost", "lost", /could not reach Ping\+\+ \(ECONNRESET\)/],
];

/** What the user reads for an AppError (lib/actions/safe-action.ts): `errors.<code>` in zh-CN. */
function zhText(code: string): unknown {
  const key = code.includes(".") ? code : `errors.${code}`;
  return key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], zh);
}

const NOWHERE = "http://127.0.0.1:9/nowhere";

describe.each(OPERATIONS)("$name", (op) => {
  for (const [what, mode, audit] of MODES) {
    it(`Ping++ ${what} (${mode}): a clear error, nothing half-written, the retry makes exactly one`, async () => {
      const cell = await op.prepare();
      await flushWebhooks();
      // From the fault until the retry has answered, no webhook tells the console anything: what it
      // shows comes from its own calls alone. (Undelivered webhooks wait at the sandbox, see below.)
      h.sandbox.setWebhookUrl(NOWHERE);
      try {
        if (mode === "lost") knob.client = "lost";
        else {
          await h.sim("faults", { mode, count: 1 });
          if (mode === "timeout") knob.client = "short";
        }
        const failure = await cell.run().then(
          () => null,
          (e: unknown) => e,
        );
        knob.client = null;

        // 1. the product's AppError, whose code is a clear zh-CN message; nothing technical is shown
        expect(failure).toBeInstanceOf(AppError);
        expect(failure).toMatchObject({ code: "pingppUnavailable", detail: undefined });
        const text = zhText((failure as AppError).code);
        expect(text).toEqual(expect.stringMatching(/[\u4e00-\u9fff]/));
        expect(text).toMatch(/重试/); // it tells the user what to do

        // 2. nothing half-written: the outcome-unknown state, and the attempt audited as an error
        await cell.unknown(mode === "lost");
        const failed = await audits(op.action);
        expect(failed).toMatchObject([{ result: "error", actorId: op.actor().id }]);
        expect(failed[0]!.message).toMatch(audit);

        // 3. Ping++ is back: the same form goes through, once
        await h.sim("faults", { mode: "none" });
        const result = await cell.run();
        expect((await audits(op.action)).map((a) => a.result).sort()).toEqual(["error", "ok"]);

        // the webhooks held back arrive now: everything agrees with Ping++, still exactly one
        await flushWebhooks();
        await cell.done(result);

        // …and submitting the form yet again changes nothing anywhere
        const again = await cell.run();
        expect((again as { id: string }).id).toBe((result as { id: string }).id);
        await cell.done(again);
        // one "ok" row made the object; a repeated form answered with it is marked as a replay
        expect(
          (await audits(op.action)).filter(
            (a) => a.result === "ok" && !(a.params as { replay?: boolean } | null)?.replay,
          ),
        ).toHaveLength(1);
      } finally {
        knob.client = null;
        h.sandbox.setWebhookUrl(h.webhookUrl);
      }
    });
  }
});
