import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { loadMessages } from "@/lib/i18n/request";
import { LOCALES } from "@/lib/i18n/locales";
import { resolveAttentionSchema, syncAttentionKindSchema, syncAttentionSchema } from "@/lib/validations/attention";
import { fixDifferenceSchema, noteDifferenceSchema, runReconciliationSchema } from "@/lib/validations/reconciliation";
import { chargeIdSchema, createChargeSchema } from "@/lib/validations/charges";
import { cancelOrderSchema, createOrderSchema, orderIdSchema } from "@/lib/validations/orders";
import { batchDryRunSchema, redEnvelopeIdSchema, sendRedEnvelopeSchema } from "@/lib/validations/red-envelopes";
import { refundChargeSchema, refundIdSchema, refundOrderSchema } from "@/lib/validations/refunds";
import { refundApprovalSchema, refundDecisionSchema, refundWithdrawSchema } from "@/lib/validations/refund-approval";
import { createSettlementSchema, previewSettlementSchema, settlementIdSchema } from "@/lib/validations/settlements";
import {
  assignTerminalSchema,
  changePasswordSchema,
  changeRoleSchema,
  createStaffSchema,
  disableTwoFactorSchema,
  setDisabledSchema,
  staffIdSchema,
  twoFactorCodeSchema,
} from "@/lib/validations/staff";

/**
 * Issue #10 "Bad input" (ARCHITECTURE.md rule 8): every server action, fed thousands of generated bad
 * inputs (fast-check, fixed seeds), answers with a clear refusal: it returns (never throws),
 * `ok: false` with a short human message that is not the generic "internal"/"unavailable" one
 * nor a raw catalogue key, and writes nothing (the row count and a content fingerprint of every
 * table, compared around each action's run of generated inputs). As in
 * tests/actions-authorization.test.ts the session check is real (it re-reads the staff row);
 * only next-auth's cookie decoding and Next's request context are stood in for.
 */
const state = vi.hoisted(() => ({
  session: null as { uid: string; sv: number } | null,
  messages: {} as Record<string, unknown>,
  cookieSets: 0,
}));
vi.mock("@/lib/auth/config", () => ({ signIn: vi.fn(), signOut: vi.fn(), LoginRefused: class {} }));
vi.mock("@/lib/auth/claims", () => ({ sessionClaims: async () => state.session }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.9" }),
  cookies: async () => ({ get: () => undefined, set: () => void state.cookieSets++ }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("next-auth", () => ({ AuthError: class AuthError extends Error {} }));
vi.mock("next-intl/server", () => {
  // The whole zh-CN catalogue (every capability's file, merged as the app merges them).
  const lookup = (key: string): unknown =>
    key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], state.messages);
  const t = Object.assign(
    (key: string, values?: Record<string, unknown>) =>
      String(lookup(key) ?? key).replace(/\{(\w+)\}/g, (m, name: string) =>
        values && name in values ? String(values[name]) : m,
      ),
    { has: (key: string) => typeof lookup(key) === "string" },
  );
  return { getTranslations: async () => t, getRequestConfig: (f: unknown) => f };
});

/**
 * Each action's own input schema: "bad" means "this schema refuses it", so an input that happens
 * to be valid is not counted (and never reaches a service). Three actions declare their schema
 * inline (not importable); those are mirrored here, word for word, from lib/actions/.
 */
const SCHEMAS: Record<string, z.ZodType> = {
  "attention.syncAttentionAction": syncAttentionSchema,
  "attention.resolveAttentionAction": resolveAttentionSchema,
  "attention.syncAttentionKindAction": syncAttentionKindSchema,
  "reconciliation.runReconciliationAction": runReconciliationSchema,
  "reconciliation.fixDifferenceAction": fixDifferenceSchema,
  "reconciliation.noteDifferenceAction": noteDifferenceSchema,
  "charges.createChargeAction": createChargeSchema,
  "charges.reverseChargeAction": chargeIdSchema,
  // inline in lib/actions/events.ts
  "events.applyAgainAction": z.object({ id: z.string().regex(/^evt_[A-Za-z0-9]+$/, "invalidId") }),
  "orders.createOrderChargeAction": createOrderSchema,
  "orders.cancelOrderAction": cancelOrderSchema,
  "orders.refreshOrderAction": orderIdSchema,
  "orders.syncOrdersAction": z.looseObject({}), // inline in lib/actions/orders.ts: any object; only non-objects are bad
  "red-envelopes.sendRedEnvelopeAction": sendRedEnvelopeSchema,
  "red-envelopes.refreshRedEnvelopeAction": redEnvelopeIdSchema,
  "red-envelopes.dryRunBatchAction": batchDryRunSchema,
  "red-envelopes.startBatchAction": redEnvelopeIdSchema,
  "red-envelopes.deleteBatchAction": redEnvelopeIdSchema,
  "refunds.refundOrderAction": refundOrderSchema,
  "refunds.refundChargeAction": refundChargeSchema,
  "refunds.refreshRefundAction": refundIdSchema,
  "refunds.approveRefundAction": refundDecisionSchema,
  "refunds.rejectRefundAction": refundDecisionSchema,
  "refunds.withdrawRefundAction": refundWithdrawSchema,
  "settings.setRefundApprovalAction": refundApprovalSchema,
  // inline in lib/actions/settings.ts: any object; only non-objects are bad
  "settings.checkWebhookAction": z.object({}),
  "settlements.previewSettlementAction": previewSettlementSchema,
  "settlements.createSettlementAction": createSettlementSchema,
  "settlements.confirmSettlementAction": settlementIdSchema,
  "settlements.cancelSettlementAction": settlementIdSchema,
  "staff.createStaffAction": createStaffSchema,
  "staff.changeRoleAction": changeRoleSchema,
  "staff.assignTerminalAction": assignTerminalSchema,
  "staff.setDisabledAction": setDisabledSchema,
  "staff.resetPasswordAction": staffIdSchema,
  "account.changeOwnPasswordAction": changePasswordSchema,
  // inline in lib/actions/account.ts: any object; only non-objects are bad
  "account.startTwoFactorAction": z.object({}),
  "account.confirmTwoFactorAction": twoFactorCodeSchema,
  "account.disableTwoFactorAction": disableTwoFactorSchema,
  "account.resetTwoFactorAction": staffIdSchema,
};

/**
 * A valid input per action (checked below against its schema): the generator breaks one field
 * of it at a time, so every field's rule is reached, not only the first one zod looks at.
 */
const id = "7b0c1a52-3f7e-4d0b-9a7e-2f9d8c6b5a41";
const texts = { sendName: "店铺", subject: "红包", body: "恭喜发财", description: "活动" };
const VALID: Record<string, Record<string, unknown>> = {
  "attention.syncAttentionAction": { kind: "chargeStuck", objectId: "ch_abc" },
  "attention.resolveAttentionAction": { kind: "chargeStuck", objectId: "ch_abc", note: "checked" },
  "attention.syncAttentionKindAction": { kind: "chargeStuck" },
  "reconciliation.runReconciliationAction": { day: "2026-01-02" },
  "reconciliation.fixDifferenceAction": { id },
  "reconciliation.noteDifferenceAction": { id, note: "已核对" },
  "charges.createChargeAction": {
    idempotencyKey: id,
    amount: "12.34",
    channel: "alipay_qr",
    subject: "咖啡",
    body: "拿铁",
  },
  "charges.reverseChargeAction": { id },
  "events.applyAgainAction": { id: "evt_abc" },
  "orders.createOrderChargeAction": {
    idempotencyKey: id,
    amount: "12.34",
    channel: "alipay_qr",
    subject: "咖啡",
    body: "拿铁",
    uid: "u1",
  },
  "orders.cancelOrderAction": { id, idempotencyKey: id },
  "orders.refreshOrderAction": { id },
  "orders.syncOrdersAction": {},
  "red-envelopes.sendRedEnvelopeAction": { idempotencyKey: id, recipient: "openid_1", amount: "1.00", ...texts },
  "red-envelopes.refreshRedEnvelopeAction": { id },
  "red-envelopes.dryRunBatchAction": { fileName: "a.csv", csv: "openid_1,1.00", budget: "10", ...texts },
  "red-envelopes.startBatchAction": { id },
  "red-envelopes.deleteBatchAction": { id },
  "refunds.refundOrderAction": { idempotencyKey: id, amount: "1", description: "退货", orderId: id },
  "refunds.refundChargeAction": { idempotencyKey: id, amount: "1", description: "退货", chargeId: "ch_abc" },
  "refunds.refreshRefundAction": { id },
  "refunds.approveRefundAction": { id, note: "核对无误" },
  "refunds.rejectRefundAction": { id, note: "金额不对" },
  "refunds.withdrawRefundAction": { id, note: "填错了" },
  "settings.setRefundApprovalAction": { threshold: "1,000.00", dayLimit: "" },
  "settings.checkWebhookAction": {},
  "settlements.previewSettlementAction": { payerApp: "app_1", method: "balance" },
  "settlements.createSettlementAction": { payerApp: "app_1", method: "balance", idempotencyKey: id },
  "settlements.confirmSettlementAction": { id },
  "settlements.cancelSettlementAction": { id },
  "staff.createStaffAction": { email: "new@example.com", name: "新员工", role: "cashier" },
  "staff.changeRoleAction": { id, role: "finance" },
  "staff.assignTerminalAction": { id, terminalId: "T02" },
  "staff.setDisabledAction": { id, disabled: true },
  "staff.resetPasswordAction": { id },
  "account.changeOwnPasswordAction": { current: "old-password", next: "new-password-1", confirm: "new-password-1" },
  "account.startTwoFactorAction": {},
  "account.confirmTwoFactorAction": { code: "123456" },
  "account.disableTwoFactorAction": { password: "pw" },
  "account.resetTwoFactorAction": { id },
};
/** Functions exported from "use server" files that take no input to refuse: logout has no argument. */
const NO_INPUT = new Set(["auth.logoutAction"]);
/**
 * A display preference returning void (it ignores what it does not know): held to "no throw, no cookie, no write"
 * below.
 */
const LOCALE = "locale.setLocaleAction";

const NUM_RUNS = 200;
/** The floor the total must clear, so the count cannot silently drop (to zero actions, or few runs). */
const MIN_TOTAL_CASES = 25 * NUM_RUNS;

// ------------------------------------------------------------------ generators of bad values

/** Characters that break naive code: NUL, lone surrogates, bidi overrides, zero-width, emoji, CJK, quotes. */
const junkChar = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.constantFrom(
    "\u0000",
    "\ud800",
    "\udfff",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\uffff",
    "😀",
    "👩‍👩‍👧",
    "中",
    "'",
    '"',
    "\\",
    "%",
    "\n",
    "\r",
  ),
);
const junkString = fc.array(junkChar, { maxLength: 40 }).map((cs) => cs.join(""));
/** Around 100k characters (every field's limit is far lower, the CSV's is 400k characters). */
const huge = fc
  .tuple(junkChar, fc.integer({ min: 100_000, max: 120_000 }))
  .map(([c, n]) => c.repeat(Math.ceil(n / c.length)));
const sqlish = fc.constantFrom(
  "'; drop table staff_users; --",
  "' OR '1'='1",
  "1; select pg_sleep(10)",
  "\\'; delete from audit_logs where true; --",
  "$1",
  "%' union select * from staff_users --",
  "evt_1' OR 1=1 --",
  "00000000-0000-0000-0000-000000000000' OR '1'='1",
);
/**
 * Amounts as a form would never send them: NaN, infinities, negative, fractional fen, exponent, full-width, too large.
 */
const badAmount = fc.oneof(
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -1,
    -0.01,
    0,
    0.001,
    1.5,
    1e21,
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_VALUE,
  ),
  fc.constantFrom(
    "NaN",
    "Infinity",
    "-Infinity",
    "-1",
    "-0.01",
    "0",
    "0.00",
    "0.001",
    "1.234",
    "1e3",
    "0x10",
    "１２",
    "12.",
    ".5",
    " ",
    "",
    "¥-5",
    "1,2,3.4.5",
    "9999999999999",
    "100000000.01",
  ),
  fc.double({ noDefaultInfinity: false }),
  fc.integer({ max: 0 }),
);
/** A value nested `depth` levels (built without recursion). */
const nest = (depth: number, asArray: boolean) => {
  let v: unknown = "x";
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
};
const deep = fc.tuple(fc.integer({ min: 1_000, max: 10_000 }), fc.boolean()).map(([d, arr]) => nest(d, arr));
/**
 * Objects carrying prototype-pollution keys as own properties, the way JSON.parse (and React's decoder) produce them.
 */
const protoKeys = fc
  .constantFrom(
    '{"__proto__":{"polluted":"yes","role":"admin"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"__proto__":{"__proto__":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}',
    '{"toString":"x","valueOf":1,"hasOwnProperty":null}',
  )
  .map((s) => JSON.parse(s) as Record<string, unknown>);
/** What React's server-action decoder can hand an action (plus boxed values and sparse arrays, for good measure). */
const anythingOpts = {
  maxDepth: 3,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withBoxedValues: true,
  key: fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "prototype", "id", "amount")),
} as const;
const anything = fc.anything(anythingOpts);
/** A value of the wrong type or shape for any field. */
const badValue = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, true, false, 0, -0, NaN, Infinity, [], {}, new Date(NaN), Symbol.for("x")),
  fc.bigInt(),
  fc.date(),
  badAmount,
  junkString,
  sqlish,
  huge,
  deep,
  protoKeys,
  fc.array(anything, { maxLength: 4 }),
  anything,
);

/** Bad inputs for an action whose valid input is `valid`. */
function badInputs(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const fields = Object.keys(valid);
  const top = [
    { weight: 3, arbitrary: anything },
    { weight: 1, arbitrary: fc.array(anything, { maxLength: 5 }) }, // an array instead of the object
    // the valid object, wrapped in an array
    { weight: 1, arbitrary: fc.constant(null).map(() => [structuredClone(valid)]) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, "", 0, NaN, true, "{}", JSON.stringify(valid)) },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: huge },
    { weight: 1, arbitrary: sqlish },
  ];
  if (!fields.length) return fc.oneof(...top);
  const broken = fc
    .record({
      field: fc.constantFrom(...fields),
      value: badValue,
      amount: badAmount,
      preferAmount: fc.boolean(),
      // the valid input, one field broken, sometimes with junk or pollution keys alongside
      extra: fc.option(fc.oneof(protoKeys, fc.dictionary(fc.oneof(junkString, sqlish), badValue, { maxKeys: 3 })), {
        nil: undefined,
      }),
      drop: fc.option(fc.constantFrom(...fields), { nil: undefined }),
    })
    .map(({ field, value, amount, preferAmount, extra, drop }) => {
      const input: Record<string, unknown> = Object.assign(Object.create(null) as object, extra ?? {}, valid);
      Object.setPrototypeOf(input, Object.prototype);
      if (drop && drop !== field) delete input[drop];
      // a money field gets a bad amount half the time (NaN, Infinity, negative, fractional fen, "1e3", ...)
      input[field] = preferAmount && /amount|budget/i.test(field) ? amount : value;
      return input;
    });
  const missing = fc.constantFrom(...fields).map((f) => {
    const input = { ...valid };
    delete input[f];
    return input;
  });
  return fc.oneof(...top, { weight: 8, arbitrary: broken }, { weight: 1, arbitrary: missing });
}

// ------------------------------------------------------------------ the database, table by table

let db: Db;
let tables: string[] = [];
const rowsOf = <T>(r: unknown) => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

/** Row count of every public table, in one query. */
async function counts(): Promise<Record<string, number>> {
  const q = tables.map((t) => `select '${t}' as t, count(*)::int as n from "${t}"`).join(" union all ");
  return Object.fromEntries(
    rowsOf<{ t: string; n: number }>(await db.execute(sql.raw(q))).map((r) => [r.t, Number(r.n)]),
  );
}
/** A fingerprint of every table's content: catches an update as well as an insert or delete. */
async function fingerprint(): Promise<Record<string, string>> {
  const q = tables
    .map((t) => `select '${t}' as t, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${t}" x`)
    .join(" union all ");
  return Object.fromEntries(rowsOf<{ t: string; h: string }>(await db.execute(sql.raw(q))).map((r) => [r.t, r.h]));
}

// ------------------------------------------------------------------ the actions

type Result = { ok: boolean; error?: unknown; fieldErrors?: unknown };
type Action = (input: unknown) => Promise<Result | void>;
const dir = path.join(import.meta.dirname, "../lib/actions");
const files = fs
  .readdirSync(dir)
  .filter(
    (f) =>
      f.endsWith(".ts") &&
      !f.endsWith(".test.ts") &&
      fs.readFileSync(path.join(dir, f), "utf8").startsWith('"use server"'),
  )
  .sort();
const discovered: [string, Action][] = [];
for (const f of files) {
  const mod = (await import(path.join(dir, f))) as Record<string, unknown>;
  for (const [k, v] of Object.entries(mod))
    if (typeof v === "function") discovered.push([`${f.replace(/\.ts$/, "")}.${k}`, v as Action]);
}
const fuzzed = discovered.filter(([name]) => !NO_INPUT.has(name) && name !== LOCALE);

let admin: { uid: string; sv: number };
const tried: Record<string, number> = {};
/** A stable seed per action (a hash of its name), so adding an action does not reshuffle the others. */
const seedOf = (name: string) => [...name].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 10);

let generic: string[] = [];
const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  state.messages = await loadMessages("zh-CN");
  const errors = state.messages.errors as Record<string, string>;
  generic = [errors.internal!, errors.unavailable!];
  db = await freshDb();
  tables = rowsOf<{ tablename: string }>(
    await db.execute(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`),
  ).map((r) => r.tablename);
  const [u] = await db
    .insert(staffUsers)
    .values({
      email: `fuzz-admin-${randomUUID()}@fuzz.test`,
      name: "fuzz",
      role: "admin",
      terminalId: "T01",
      passwordHash: "x",
    })
    .returning();
  admin = { uid: u!.id, sv: u!.sessionVersion };
});
afterAll(closeDb);

/** The refusal a human can act on: a short message in their language, not the generic failure, not a catalogue key. */
function expectClearRefusal(name: string, res: unknown) {
  expect(res, name).toMatchObject({ ok: false });
  const { error, fieldErrors } = res as Result;
  const messages = [error, ...Object.values((fieldErrors as Record<string, unknown> | undefined) ?? {})];
  for (const m of messages) {
    expect(typeof m, `${name}: message type`).toBe("string");
    const s = (m as string).trim();
    expect(s.length, `${name}: empty message`).toBeGreaterThan(0);
    expect(s.length, `${name}: a message, not an echo of the input`).toBeLessThan(300);
    expect(generic, `${name}: generic failure "${s}" for bad input`).not.toContain(s);
    expect(s, `${name}: untranslated key`).not.toMatch(/^[\w-]+(\.[\w-]+)+$/);
  }
}

describe("bad input to every server action: a clear refusal, never a server error, nothing written (ARCHITECTURE.md rule 8)", () => {
  it("discovers every action and knows a schema and a valid input for each", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(fuzzed.length).toBeGreaterThanOrEqual(25);
    for (const [name] of fuzzed) {
      expect(SCHEMAS[name], `${name}: add its schema to SCHEMAS`).toBeDefined();
      expect(VALID[name], `${name}: add a valid input to VALID`).toBeDefined();
      // the base really is valid, so breaking one field of it exercises that field's rule
      expect(SCHEMAS[name]!.safeParse(VALID[name]).success, `${name}: VALID input is refused by its schema`).toBe(true);
    }
    expect(discovered.map(([n]) => n)).toContain(LOCALE);
  });

  it.each(fuzzed.map(([name, fn]) => ({ name, fn })))("$name", async ({ name, fn }) => {
    const schema = SCHEMAS[name]!;
    // as admin, who may run every action (ARCHITECTURE.md §4); logging in is not an action (tests/login.test.ts)
    state.session = admin;
    const [rows, before] = [await counts(), await fingerprint()];
    tried[name] = 0;
    // Only inputs the action's own schema refuses are "bad"; one that happens to be valid is skipped.
    const refused = (input: unknown) => {
      try {
        return !schema.safeParse(input).success;
      } catch {
        return true; // a schema that throws is the action's problem: let the action meet it
      }
    };
    await fc.assert(
      fc.asyncProperty(badInputs(VALID[name]!).filter(refused), async (input) => {
        tried[name]!++;
        let res: unknown;
        try {
          res = await fn(input);
        } catch (e) {
          throw new Error(`${name} threw instead of refusing: ${String(e).slice(0, 300)}`);
        }
        expectClearRefusal(name, res);
        expect(Object.getOwnPropertyNames(Object.prototype).sort(), "Object.prototype polluted").toEqual(protoNames);
        expect(({} as Record<string, unknown>).polluted, "Object.prototype polluted").toBeUndefined();
      }),
      { seed: seedOf(name), numRuns: NUM_RUNS },
    );
    expect(await counts(), `${name}: rows written`).toEqual(rows);
    expect(await fingerprint(), `${name}: a table changed`).toEqual(before);
  });

  it(`${LOCALE}: an unknown locale is ignored (no throw, no cookie, nothing written)`, async () => {
    const setLocale = discovered.find(([n]) => n === LOCALE)![1];
    state.session = null;
    const before = await fingerprint();
    tried[LOCALE] = 0;
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(anything, junkString, huge, sqlish, deep, protoKeys)
          .filter((v) => !(LOCALES as readonly unknown[]).includes(v)),
        async (input) => {
          tried[LOCALE]!++;
          state.cookieSets = 0;
          await expect(setLocale(input)).resolves.toBeUndefined();
          expect(state.cookieSets).toBe(0);
        },
      ),
      { seed: seedOf(LOCALE), numRuns: NUM_RUNS },
    );
    expect(await fingerprint()).toEqual(before);
  });

  it("tried enough cases", () => {
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    console.log(`fuzz-actions: ${total} bad inputs tried across ${Object.keys(tried).length} actions`);
    expect(Object.keys(tried)).toHaveLength(fuzzed.length + 1);
    for (const [name, n] of Object.entries(tried)) expect(n, name).toBeGreaterThanOrEqual(NUM_RUNS);
    expect(total).toBeGreaterThanOrEqual(MIN_TOTAL_CASES);
  });
});
