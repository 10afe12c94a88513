import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { desc } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addAuthzUsers } from "@/tests/helpers/actors";
import { auditLogs, staffRole, staffUsers, type StaffRole } from "@/lib/db/schema";
import { rolesFor, type Capability } from "@/lib/auth/policy";
import type { Db } from "@/lib/db";
import zhCore from "@/lib/i18n/messages/zh-CN/core.json";

/**
 * Every server action, discovered from lib/actions/, called with no session, a disabled
 * account and each role. The real session check runs (lib/auth/session.ts → the staff row);
 * only next-auth's cookie decoding and Next's request context are stood in for.
 */
let session: { user: { id: string; sv: number } } | null = null;
vi.mock("@/lib/auth/config", () => ({ signIn: vi.fn(), signOut: vi.fn(), LoginRefused: class {} }));
vi.mock("@/lib/auth/claims", () => ({
  sessionClaims: async () => session && { uid: session.user.id, sv: session.user.sv },
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.9" }),
  cookies: async () => ({ get: () => undefined, set: () => {} }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("next-auth", () => ({ AuthError: class AuthError extends Error {} }));
vi.mock("next-intl/server", () => {
  const lookup = (key: string): unknown =>
    key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], zhCore);
  const t = Object.assign((key: string) => String(lookup(key) ?? key), {
    has: (key: string) => typeof lookup(key) === "string",
  });
  return { getTranslations: async () => t };
});

const ROLES: readonly StaffRole[] = staffRole.enumValues;
/** Actions that run without a session by nature (logout, language; logging in is the login page's own route). */
const PUBLIC = new Set(["auth.logoutAction", "locale.setLocaleAction"]);

/**
 * The capability each action needs (its roles: lib/auth/policy.ts, ARCHITECTURE.md §4). A new action that
 * is not listed here fails the suite; so does an action declaring another capability.
 */
const REQUIRES: Record<string, Capability> = {
  "staff.createStaffAction": "staff.manage",
  "staff.changeRoleAction": "staff.manage",
  "staff.assignTerminalAction": "staff.manage",
  "staff.setDisabledAction": "staff.manage",
  "staff.resetPasswordAction": "staff.manage",
  "account.changeOwnPasswordAction": "account.self",
  "account.startTwoFactorAction": "account.self",
  "account.confirmTwoFactorAction": "account.self",
  "account.disableTwoFactorAction": "account.self",
  "account.resetTwoFactorAction": "staff.manage",
  "settings.checkWebhookAction": "settings.manage",
  "charges.createChargeAction": "cashier.use",
  "charges.reverseChargeAction": "cashier.use",
  "orders.createOrderChargeAction": "cashier.use",
  "orders.cancelOrderAction": "orders.manage",
  "orders.refreshOrderAction": "orders.manage",
  "orders.syncOrdersAction": "orders.manage",
  "refunds.refundOrderAction": "refunds.create",
  "refunds.refundChargeAction": "refunds.create",
  "refunds.refreshRefundAction": "refunds.create",
  "refunds.approveRefundAction": "refunds.decide",
  "refunds.rejectRefundAction": "refunds.decide",
  "refunds.withdrawRefundAction": "refunds.decide",
  "settings.setRefundApprovalAction": "settings.manage",
  "red-envelopes.sendRedEnvelopeAction": "redEnvelopes.manage",
  "red-envelopes.refreshRedEnvelopeAction": "redEnvelopes.manage",
  "red-envelopes.dryRunBatchAction": "redEnvelopes.manage",
  "red-envelopes.startBatchAction": "redEnvelopes.manage",
  "red-envelopes.deleteBatchAction": "redEnvelopes.manage",
  "settlements.previewSettlementAction": "settlements.manage",
  "settlements.createSettlementAction": "settlements.manage",
  "settlements.confirmSettlementAction": "settlements.manage",
  "settlements.cancelSettlementAction": "settlements.manage",
  "events.applyAgainAction": "events.apply",
  "attention.syncAttentionAction": "attention.manage",
  "attention.resolveAttentionAction": "attention.manage",
  "attention.syncAttentionKindAction": "attention.manage",
  "reconciliation.runReconciliationAction": "reconciliation.manage",
  "reconciliation.fixDifferenceAction": "reconciliation.manage",
  "reconciliation.noteDifferenceAction": "reconciliation.manage",
};

type Action = ((input: unknown) => Promise<{ ok: boolean; error?: string }>) & {
  capability?: Capability;
  audit?: string;
};
const dir = path.join(import.meta.dirname, "../lib/actions");
const files = fs
  .readdirSync(dir)
  .filter(
    (f) =>
      f.endsWith(".ts") &&
      !f.endsWith(".test.ts") &&
      fs.readFileSync(path.join(dir, f), "utf8").startsWith('"use server"'),
  );

let db: Db;
const users: Record<string, { id: string; sv: number }> = {};
let actions: [string, Action][] = [];

beforeAll(async () => {
  db = await freshDb();
  Object.assign(users, await addAuthzUsers(db, "authz.test"));
  for (const f of files) {
    const mod = (await import(path.join(dir, f))) as Record<string, unknown>;
    for (const [k, v] of Object.entries(mod))
      if (typeof v === "function") actions.push([`${f.replace(/\.ts$/, "")}.${k}`, v as Action]);
  }
  actions = actions.filter(([name]) => !PUBLIC.has(name));
});
afterAll(closeDb);

const as = (who: string | null) => {
  session = who ? { user: users[who]! } : null;
};

describe("server action authorisation (ARCHITECTURE.md §4)", () => {
  it("discovers the actions", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(actions.length).toBeGreaterThanOrEqual(Object.keys(REQUIRES).length);
  });

  it("every action is listed and declares exactly the capability listed for it", () => {
    for (const [name, fn] of actions) {
      expect(REQUIRES[name], `${name} is missing from REQUIRES`).toBeDefined();
      expect(fn.capability, name).toBe(REQUIRES[name]);
    }
  });

  it("refuses every action without a session, for a disabled account, and for roles outside the policy, writing nothing but the audit of a refused money action", async () => {
    const staff = await db.$count(staffUsers);
    const moneyActions = actions.filter(([, fn]) => fn.audit).map(([name]) => name);
    // refunds, cancels, red envelopes and settlements keep a record of every attempt (issue: orders, "exactly once")
    expect(moneyActions.sort()).toEqual(
      [
        "orders.cancelOrderAction",
        "red-envelopes.sendRedEnvelopeAction",
        "red-envelopes.startBatchAction",
        "refunds.approveRefundAction",
        "refunds.refundChargeAction",
        "refunds.refundOrderAction",
        "refunds.rejectRefundAction",
        "refunds.withdrawRefundAction",
        "settlements.cancelSettlementAction",
        "settlements.confirmSettlementAction",
        "settlements.createSettlementAction",
      ].sort(),
    );
    for (const [name, fn] of actions) {
      for (const who of [null, "disabled"]) {
        as(who);
        const before = await db.$count(auditLogs);
        expect(await fn({}), `${name} as ${who}`).toEqual({ ok: false, error: zhCore.errors.unauthenticated });
        expect(await db.$count(auditLogs), `${name} as ${who} wrote an audit row`).toBe(before);
      }
      for (const role of ROLES.filter((r) => !rolesFor(REQUIRES[name]!).includes(r))) {
        as(role);
        const count = await db.$count(auditLogs);
        expect(await fn({}), `${name} as ${role}`).toEqual({ ok: false, error: zhCore.errors.forbidden });
        expect((await db.$count(auditLogs)) - count, `${name} as ${role}: audit rows written`).toBe(fn.audit ? 1 : 0);
        const [last] = await db.select().from(auditLogs).orderBy(desc(auditLogs.id)).limit(1);
        if (fn.audit)
          expect(last).toMatchObject({
            action: fn.audit,
            result: "refused",
            actorId: users[role]!.id,
            message: `forbidden for role ${role}`,
          });
      }
    }
    expect(await db.$count(staffUsers)).toBe(staff);
  });

  it("lets every role in the policy past the gate (the empty input then meets the schema or the service)", async () => {
    for (const [name, fn] of actions) {
      for (const role of rolesFor(REQUIRES[name]!)) {
        as(role);
        const res = await fn({});
        expect(res.error, `${name} as ${role}`).not.toBe(zhCore.errors.forbidden);
        expect(res.error, `${name} as ${role}`).not.toBe(zhCore.errors.unauthenticated);
      }
    }
  });
});
