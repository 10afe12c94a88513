import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { closeDb, freshDb } from "@/tests/helpers/db";
import type { Db } from "@/lib/db";
import { auditLogs, charges, royaltySettlements } from "@/lib/db/schema";
import { PingppConnectionError, PingppError } from "@/lib/pingpp";
import { IN_PROGRESS, RETRY_SAME_KEY, UNKNOWN_OUTCOME, retriesWithSameKey } from "@/lib/retry-codes";
import { loadMessages } from "@/lib/i18n/request";
import { LOCALES } from "@/lib/i18n/locales";
import { callPingpp } from "./pingpp-audited-call";
import { claimByKey, expiredLease, keepClaim, LEASE_MS, retakeClaim, undoClaim } from "./idempotent-claim";
import type { AppError } from "./errors";

let db: Db;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(closeDb);
beforeEach(async () => {
  await db.delete(charges);
  await db.delete(royaltySettlements);
  await db.delete(auditLogs);
});

const alice = { id: crypto.randomUUID(), email: "a@shop.cn", ip: "10.0.0.1" };
const bob = crypto.randomUUID();

/** The values a charge form's key claims (status `creating`, as every service claims). */
const chargeClaim = (key: string, createdBy: string = alice.id) => ({
  idempotencyKey: key,
  orderNo: `o${crypto.randomInt(1e9)}`,
  appId: "app_1",
  channel: "alipay_qr",
  amount: 100,
  currency: "cny",
  subject: "s",
  body: "b",
  status: "creating" as const,
  createdBy,
});
const claimCharge = (key: string, createdBy?: string) =>
  claimByKey(charges, chargeClaim(key, createdBy), { inProgress: IN_PROGRESS.charge });
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "no error",
    (e: AppError) => e.code,
  );
const rowOf = async (id: string) => (await db.select().from(charges).where(eq(charges.id, id)))[0];
/** Stamp a claim as made `ms` ago (its lease runs from its stamp). */
const stampedAgo = (id: string, ms: number) =>
  db
    .update(charges)
    .set({ updatedAt: new Date(Date.now() - ms) })
    .where(eq(charges.id, id));
const entry = (id: string) => ({
  actor: alice,
  action: "charge.create",
  target: { type: "charge", id },
  params: { amount: 100 },
});
const audits = async () => (await db.select().from(auditLogs)).map((a) => [a.action, a.result]);

describe("claimByKey", () => {
  it("claims a key once: the same key again, while the first request holds it, is in progress", async () => {
    const key = crypto.randomUUID();
    const first = await claimCharge(key);
    expect(first.state).toBe("new");
    expect(first.row.status).toBe("creating");
    expect(await codeOf(claimCharge(key))).toBe("chargeInProgress");
    expect(await db.select().from(charges)).toHaveLength(1);
  });

  it("of two claims of one key at once, exactly one gets it", async () => {
    const key = crypto.randomUUID();
    const both = await Promise.allSettled([claimCharge(key), claimCharge(key)]);
    expect(both.filter((r) => r.status === "fulfilled").map((r) => r.value.state)).toEqual(["new"]);
    expect(both.filter((r) => r.status === "rejected").map((r) => (r.reason as AppError).code)).toEqual([
      "chargeInProgress",
    ]);
    expect(await db.select().from(charges)).toHaveLength(1);
  });

  it("another person's key is a conflict, whatever state its row is in", async () => {
    const key = crypto.randomUUID();
    const { row } = await claimCharge(key);
    expect(await codeOf(claimCharge(key, bob))).toBe("idempotencyConflict");
    await stampedAgo(row.id, LEASE_MS + 1_000);
    expect(await codeOf(claimCharge(key, bob))).toBe("idempotencyConflict");
    expect((await rowOf(row.id))!.createdBy).toBe(alice.id);
  });

  it("an ended lease lets a retry with the same key retake the claim, which starts a new lease", async () => {
    const key = crypto.randomUUID();
    const { row } = await claimCharge(key);
    await stampedAgo(row.id, LEASE_MS - 5_000); // still inside the lease
    expect(await codeOf(claimCharge(key))).toBe("chargeInProgress");
    await stampedAgo(row.id, LEASE_MS + 1_000);
    const retry = await claimCharge(key);
    expect(retry).toMatchObject({ state: "retaken", row: { id: row.id, status: "creating" } });
    expect(Date.now() - retry.row.updatedAt.getTime()).toBeLessThan(LEASE_MS);
    expect(await codeOf(claimCharge(key))).toBe("chargeInProgress"); // the retry holds it now
  });

  it("answers a key that has its answer with its row, without retaking it", async () => {
    const key = crypto.randomUUID();
    const { row } = await claimCharge(key);
    await db
      .update(charges)
      .set({ status: "pending", pingppId: "ch_1", updatedAt: new Date(0) })
      .where(eq(charges.id, row.id));
    const again = await claimCharge(key);
    expect(again).toMatchObject({ state: "settled", row: { id: row.id, status: "pending", pingppId: "ch_1" } });
    expect((await rowOf(row.id))!.updatedAt.getTime()).toBe(0);
  });

  it("takes the caller's idea of answered, and sets more on a retake", async () => {
    const key = crypto.randomUUID();
    const { row } = await claimCharge(key);
    await db
      .update(charges)
      .set({ status: "pending", updatedAt: new Date(0) })
      .where(eq(charges.id, row.id));
    // answered only once it has a Ping++ id (as an order is answered once it has its charge)
    const opts = {
      inProgress: IN_PROGRESS.charge,
      settled: (r: { pingppId: string | null }) => r.pingppId !== null,
      retake: (now: Date) => ({ lastSyncedAt: now }),
    };
    const retry = await claimByKey(charges, chargeClaim(key), { ...opts, open: eq(charges.status, "pending") });
    expect(retry.state).toBe("retaken");
    expect(retry.row.lastSyncedAt?.getTime()).toBe(retry.row.updatedAt.getTime());
    // `open` is checked again as the claim is retaken: a row that moved on is not taken over
    await stampedAgo(row.id, LEASE_MS + 1_000);
    expect(await codeOf(claimByKey(charges, chargeClaim(key), { ...opts, open: eq(charges.status, "creating") }))).toBe(
      "chargeInProgress",
    );
  });
});

describe("a claim around a Ping++ call", () => {
  const failed = (failureMsg: string) => ({ status: "failed" as const, failureMsg });

  it("a refusal releases the claim: the row fails with Ping++'s message, audited, and the key is answered", async () => {
    const key = crypto.randomUUID();
    const { row } = await claimCharge(key);
    let sent = 0;
    const refusal = new PingppError({
      status: 400,
      type: "invalid_request_error",
      message: "金额不合法",
      rawBody: "{}",
    });
    const call = callPingpp(
      entry(row.id),
      async () => ((sent += 1), Promise.reject(refusal)),
      undoClaim(charges, row.id, failed),
    );
    expect(await codeOf(call)).toBe("pingppRefused");
    expect(await rowOf(row.id)).toMatchObject({ status: "failed", failureMsg: "金额不合法" });
    expect(await audits()).toEqual([["charge.create", "refused"]]);
    // the same form again: its answer, not a second send
    expect(await claimCharge(key)).toMatchObject({ state: "settled", row: { id: row.id, status: "failed" } });
    expect(sent).toBe(1);
  });

  it("a refusal may delete the claim instead (nothing exists at Ping++): the key is free again", async () => {
    const key = crypto.randomUUID();
    const values = {
      idempotencyKey: key,
      payerApp: "app_1",
      method: "balance" as const,
      status: "creating" as const,
      params: {},
      createdBy: alice.id,
    };
    const { row } = await claimByKey(royaltySettlements, values, { inProgress: IN_PROGRESS.settlement });
    const refusal = new PingppError({ status: 402, type: "invalid_request_error", message: "no", rawBody: "{}" });
    await expect(
      callPingpp(entry(row.id), () => Promise.reject(refusal), undoClaim(royaltySettlements, row.id, "delete")),
    ).rejects.toThrow();
    expect(await db.select().from(royaltySettlements)).toEqual([]);
    expect((await claimByKey(royaltySettlements, values, { inProgress: IN_PROGRESS.settlement })).state).toBe("new");
  });

  it("no answer keeps the claim with its lease ended: a retry with the same key retakes it at once, knowing it may have gone through", async () => {
    const key = crypto.randomUUID();
    const { row } = await claimCharge(key);
    const lost = new PingppConnectionError("socket hang up", { mayHaveReachedPingpp: true });
    const call = callPingpp(entry(row.id), () => Promise.reject(lost), undoClaim(charges, row.id, failed));
    expect(await codeOf(call)).toBe(UNKNOWN_OUTCOME);
    expect(retriesWithSameKey(UNKNOWN_OUTCOME)).toBe(true);
    const kept = (await rowOf(row.id))!;
    expect(kept.status).toBe("creating");
    expect(kept.updatedAt.getTime()).toBe(expiredLease().getTime());
    expect(await audits()).toEqual([["charge.create", "error"]]);
    // the retry is told this claim was tried before ("retaken", not "new"): it asks Ping++ first
    expect(await claimCharge(key)).toMatchObject({ state: "retaken", row: { id: row.id } });
  });

  it("success is persisted by the caller: the same key again gets that row and Ping++ is not asked twice", async () => {
    const key = crypto.randomUUID();
    let sent = 0;
    const create = async () => {
      const claim = await claimCharge(key);
      if (claim.state === "settled") return claim.row;
      const ch = await callPingpp(
        entry(claim.row.id),
        async () => ({ id: `ch_${(sent += 1)}` }),
        undoClaim(charges, claim.row.id, failed),
      );
      const [saved] = await db
        .update(charges)
        .set({ status: "pending", pingppId: ch.id, updatedAt: new Date() })
        .where(eq(charges.id, claim.row.id))
        .returning();
      return saved!;
    };
    const first = await create();
    const again = await create();
    expect(first).toMatchObject({ status: "pending", pingppId: "ch_1" });
    expect(again).toEqual(first);
    expect(sent).toBe(1);
  });

  it("retakeClaim and keepClaim work on a claim made elsewhere (a refund's, claimed in its own transaction)", async () => {
    const { row } = await claimCharge(crypto.randomUUID());
    expect(await retakeClaim(charges, row.id)).toBeUndefined(); // inside its lease
    await keepClaim(charges, row.id);
    const retaken = await retakeClaim(charges, row.id);
    expect(retaken?.id).toBe(row.id);
    expect(await retakeClaim(charges, row.id)).toBeUndefined();
    await db
      .update(charges)
      .set({ status: "pending", updatedAt: new Date(0) })
      .where(eq(charges.id, row.id));
    expect(await retakeClaim(charges, row.id)).toBeUndefined(); // answered: no longer a claim
  });
});

describe("retry codes", () => {
  it("are the unknown outcome and every in-progress code, and nothing else", () => {
    expect([...RETRY_SAME_KEY].sort()).toEqual([UNKNOWN_OUTCOME, ...Object.values(IN_PROGRESS)].sort());
    for (const code of ["pingppRefused", "idempotencyConflict", "refunds.errors.overRefund", undefined])
      expect(retriesWithSameKey(code)).toBe(false);
  });

  it.each(LOCALES)("each has a message in %s (what the form shows while it keeps the key)", async (locale) => {
    const messages = await loadMessages(locale);
    const at = (k: string) =>
      k.split(".").reduce<unknown>((v, p) => (v as Record<string, unknown> | undefined)?.[p], messages);
    for (const code of RETRY_SAME_KEY)
      expect(at(code.includes(".") ? code : `errors.${code}`), code).toEqual(expect.any(String));
  });
});
