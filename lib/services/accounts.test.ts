import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import bcrypt from "bcryptjs";
import { and, desc, eq } from "drizzle-orm";
import { initialAdminTestbed } from "@/tests/helpers/staff";
import { auditLogs, staffRecoveryCodes, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { resetEnv } from "@/lib/env";
import { decryptSecret, totpCode, TOTP_PERIOD } from "@/lib/auth/totp";
import * as staff from "./staff";
import * as accounts from "./accounts";
import { AppError } from "./errors";
import type { Actor } from "./actor";

let db: Db;
let admin: Actor;

initialAdminTestbed((bed) => ({ db, admin } = bed));
afterEach(() => {
  delete process.env.REQUIRE_2FA_FOR_ADMINS;
  resetEnv();
});

const actorOf = (u: { id: string; email: string; name: string; role: Actor["role"] }): Actor => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  terminalId: null,
  ip: "10.0.0.2",
});
const row = async (id: string) => (await db.select().from(staffUsers).where(eq(staffUsers.id, id)))[0]!;
const audits = async (action: string) =>
  db.select().from(auditLogs).where(eq(auditLogs.action, action)).orderBy(desc(auditLogs.id));

async function cashier(password?: string) {
  const { user, generatedPassword } = await staff.createStaff(admin, {
    email: `c${Math.random().toString(36).slice(2, 8)}@x.cn`,
    name: "C",
    role: "cashier",
    password,
  });
  return { user, password: password ?? generatedPassword!, actor: actorOf(user) };
}

/**
 * Enroll someone in two-factor sign-in; answers the secret (read back as the app would have scanned it) and the
 * recovery codes.
 */
async function enroll(actor: Actor, at = Date.now()) {
  const { secret, uri } = await accounts.startTwoFactor(actor);
  expect(uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
  expect(uri).toContain("algorithm=SHA1");
  expect(uri).toContain("digits=6");
  expect(uri).toContain("period=30");
  const { recoveryCodes } = await accounts.confirmTwoFactor(actor, totpCode(secret, at), at);
  return { secret, recoveryCodes };
}

describe("a password set by an admin must be changed at first login", () => {
  it("gates new staff (a generated or an admin-typed initial password) and a reset one; not once changed", async () => {
    const gen = await cashier();
    expect(accounts.gateFor(await row(gen.user.id))).toBe("password");
    const typed = await cashier("chosen-by-admin-1");
    expect(accounts.gateFor(await row(typed.user.id))).toBe("password"); // typed by the admin: still the admin's password
    await accounts.changeOwnPassword(typed.actor, { current: "chosen-by-admin-1", next: "my-own-password-1" });
    expect(accounts.gateFor(await row(typed.user.id))).toBeNull();
    await staff.resetPassword(admin, typed.user.id);
    expect(accounts.gateFor(await row(typed.user.id))).toBe("password");
    // the generated first-admin password (printed to a log) must be changed too
    expect(accounts.gateFor(await row(admin.id))).toBe("password");
  });

  it("changing it clears the gate, ends other sessions (new version answered), and is audited; the old password no longer works", async () => {
    const c = await cashier();
    const before = await row(c.user.id);
    const { sessionVersion } = await accounts.changeOwnPassword(c.actor, {
      current: c.password,
      next: "my-own-password-1",
    });
    const after = await row(c.user.id);
    expect(sessionVersion).toBe(before.sessionVersion + 1);
    expect(after.sessionVersion).toBe(sessionVersion);
    expect(accounts.gateFor(after)).toBeNull();
    expect(await staff.activeStaff(c.user.id, before.sessionVersion)).toBeNull(); // every older session is over
    expect((await staff.authenticate({ email: c.user.email, password: c.password, ip: "9.9.9.9" })).ok).toBe(false);
    expect((await staff.authenticate({ email: c.user.email, password: "my-own-password-1", ip: "9.9.9.9" })).ok).toBe(
      true,
    );
    const [a] = await audits("account.change_password");
    expect([a!.result, a!.actorId, a!.params]).toEqual(["ok", c.user.id, { wasRequired: true }]);
    expect(JSON.stringify(a)).not.toContain("my-own-password-1");
  });

  it("refuses a wrong current password (audited) and the same password again", async () => {
    const c = await cashier();
    await expect(
      accounts.changeOwnPassword(c.actor, { current: "not-the-password", next: "my-own-password-1" }),
    ).rejects.toMatchObject({ code: "wrongPassword", field: "current" });
    await expect(accounts.changeOwnPassword(c.actor, { current: c.password, next: c.password })).rejects.toMatchObject({
      code: "samePassword",
    });
    expect((await row(c.user.id)).mustChangePassword).toBe(true);
    expect((await audits("account.change_password")).map((a) => [a.result, a.message])).toEqual([
      ["refused", "same password"],
      ["refused", "wrong current password"],
    ]);
  });

  it("with REQUIRE_2FA_FOR_ADMINS=true an admin without two-factor is gated to enroll; a cashier is not; enrolling lifts it", async () => {
    await accounts.changeOwnPassword(admin, { current: (await resetAdmin()).password, next: "admin-own-password" });
    expect(accounts.gateFor(await row(admin.id))).toBeNull();
    process.env.REQUIRE_2FA_FOR_ADMINS = "true";
    resetEnv();
    expect(accounts.gateFor(await row(admin.id))).toBe("twoFactor");
    const c = await cashier("chosen-by-admin-1");
    await accounts.changeOwnPassword(c.actor, { current: "chosen-by-admin-1", next: "my-own-password-1" });
    expect(accounts.gateFor(await row(c.user.id))).toBeNull(); // REQUIRE_2FA_FOR_ADMINS is for admins only
    await enroll(admin);
    expect(accounts.gateFor(await row(admin.id))).toBeNull();
    // …and cannot turn it off while it is required
    await expect(accounts.disableTwoFactor(admin, "admin-own-password")).rejects.toMatchObject({
      code: "twoFactorRequired",
    });
  });
});

async function resetAdmin() {
  return accounts.operatorResetPassword(admin.email);
}

describe("two-factor sign-in (TOTP, RFC 6238)", () => {
  // The clock stands still in the middle of a 30-second step, so "now ± one step" never straddles a step change
  // mid-test.
  beforeEach(() => {
    const step = TOTP_PERIOD * 1000;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Math.floor(Date.now() / step) * step + step / 2);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the secret is stored encrypted, never in clear, and not in what the service hands out", async () => {
    const c = await cashier("pw-cashier-123");
    const { secret } = await enroll(c.actor);
    const r = await row(c.user.id);
    expect(r.totpSecretEnc).not.toContain(secret);
    expect(decryptSecret(r.totpSecretEnc!)).toBe(secret);
    expect(JSON.stringify(await staff.activeStaff(c.user.id, r.sessionVersion))).not.toContain(r.totpSecretEnc!);
    expect(JSON.stringify(await staff.listStaff())).not.toContain("totpSecretEnc");
    expect((await audits("account.two_factor_enable"))[0]!.result).toBe("ok");
  });

  it("a wrong code does not enroll (audited); one from the app does, with 10 hashed recovery codes", async () => {
    const c = await cashier("pw-cashier-123");
    const { secret } = await accounts.startTwoFactor(c.actor);
    await expect(
      accounts.confirmTwoFactor(
        c.actor,
        "000000".replace(/0/g, (_, i) => String((Number(totpCode(secret)[i]) + 1) % 10)),
      ),
    ).rejects.toMatchObject({ code: "invalidCode" });
    expect((await row(c.user.id)).totpEnabledAt).toBeNull();
    const { recoveryCodes } = await accounts.confirmTwoFactor(c.actor, totpCode(secret));
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const stored = await db.select().from(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, c.user.id));
    expect(stored).toHaveLength(10);
    for (const code of recoveryCodes) expect(JSON.stringify(stored)).not.toContain(code.replace("-", ""));
    expect((await accounts.accountStatus(c.actor)).recoveryCodesLeft).toBe(10);
  });

  it("login asks for the code after the right password, accepts now ±1 step, refuses ±2 steps and a replayed code", async () => {
    const c = await cashier("pw-cashier-123");
    const t0 = Date.now() - 10 * TOTP_PERIOD * 1000; // enrolled five minutes ago: later steps are all new
    const { secret } = await enroll(c.actor, t0);
    const login = (code?: string, ip = "7.7.7.7") =>
      staff.authenticate({ email: c.user.email, password: "pw-cashier-123", code, ip });
    expect(await login()).toEqual({ ok: false, reason: "codeRequired" });
    expect(await staff.authenticate({ email: c.user.email, password: "wrong-pass", ip: "7.7.7.7" })).toEqual({
      ok: false,
      reason: "invalid",
    }); // the code step reveals nothing without the password
    const now = Date.now();
    expect(await login(totpCode(secret, now - 2 * TOTP_PERIOD * 1000))).toEqual({ ok: false, reason: "invalidCode" });
    expect(await login(totpCode(secret, now + 2 * TOTP_PERIOD * 1000))).toEqual({ ok: false, reason: "invalidCode" });
    const prev = totpCode(secret, now - TOTP_PERIOD * 1000);
    expect((await login(prev, "7.7.7.8")).ok).toBe(true); // one step of drift
    expect(await login(prev, "7.7.7.9")).toEqual({ ok: false, reason: "invalidCode" }); // used: no replay
    const next = totpCode(secret, now + TOTP_PERIOD * 1000);
    expect((await login(next, "7.7.7.10")).ok).toBe(true);
    // an older step than the last one used
    expect(await login(totpCode(secret, now), "7.7.7.11")).toEqual({ ok: false, reason: "invalidCode" });
    const failed = await audits("account.two_factor_failed");
    expect(failed.map((a) => a.message)).toEqual([
      "code already used",
      "code already used",
      "invalid code",
      "invalid code",
    ]);
  });

  it("the same code sent by two logins at once lets exactly one in", async () => {
    const c = await cashier("pw-cashier-123");
    const { secret } = await enroll(c.actor, Date.now() - 10 * TOTP_PERIOD * 1000);
    const code = totpCode(secret);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        staff.authenticate({ email: c.user.email, password: "pw-cashier-123", code, ip: `6.6.6.${i}` }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("wrong codes count against the login throttle: after 5, even the right code is refused", async () => {
    const c = await cashier("pw-cashier-123");
    const { secret } = await enroll(c.actor, Date.now() - 10 * TOTP_PERIOD * 1000);
    const bad = String((Number(totpCode(secret)) + 500_000) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < staff.THROTTLE.perAccount; i++) {
      expect(
        await staff.authenticate({ email: c.user.email, password: "pw-cashier-123", code: bad, ip: `5.5.5.${i}` }),
      ).toEqual({ ok: false, reason: "invalidCode" });
    }
    expect(
      await staff.authenticate({
        email: c.user.email,
        password: "pw-cashier-123",
        code: totpCode(secret),
        ip: "5.5.6.1",
      }),
    ).toEqual({ ok: false, reason: "throttled" });
  });

  it("a recovery code logs in once (any case, with or without the dash), is audited, and is spent", async () => {
    const c = await cashier("pw-cashier-123");
    const { recoveryCodes } = await enroll(c.actor);
    const login = (code: string) =>
      staff.authenticate({ email: c.user.email, password: "pw-cashier-123", code, ip: "4.4.4.4" });
    expect((await login(recoveryCodes[3]!.toUpperCase().replace("-", ""))).ok).toBe(true);
    expect(await login(recoveryCodes[3]!)).toEqual({ ok: false, reason: "invalidCode" });
    expect(await login("abcde-fghjk")).toEqual({ ok: false, reason: "invalidCode" });
    const [used] = await audits("account.recovery_code_used");
    expect([used!.result, used!.params]).toEqual(["ok", { left: 9 }]);
    expect((await accounts.accountStatus(c.actor)).recoveryCodesLeft).toBe(9);
    const spent = await db
      .select()
      .from(staffRecoveryCodes)
      .where(and(eq(staffRecoveryCodes.staffId, c.user.id)));
    expect(spent.filter((r) => r.usedAt)).toHaveLength(1);
  });

  it("turning it off asks for the password; an admin can reset someone's; both audited, codes gone", async () => {
    const c = await cashier("pw-cashier-123");
    await enroll(c.actor);
    await expect(accounts.disableTwoFactor(c.actor, "nope-nope-nope")).rejects.toMatchObject({ code: "wrongPassword" });
    await accounts.disableTwoFactor(c.actor, "pw-cashier-123");
    expect((await row(c.user.id)).totpEnabledAt).toBeNull();
    expect((await staff.authenticate({ email: c.user.email, password: "pw-cashier-123", ip: "3.3.3.3" })).ok).toBe(
      true,
    );
    await enroll(c.actor);
    await accounts.resetTwoFactor(admin, c.user.id);
    const r = await row(c.user.id);
    expect([r.totpEnabledAt, r.totpSecretEnc]).toEqual([null, null]);
    expect(await db.$count(staffRecoveryCodes, eq(staffRecoveryCodes.staffId, c.user.id))).toBe(0);
    expect((await audits("account.two_factor_disable")).map((a) => a.result)).toEqual(["ok", "refused"]);
    expect((await audits("staff.reset_two_factor"))[0]).toMatchObject({
      actorId: admin.id,
      targetId: c.user.id,
      result: "ok",
    });
  });
});

describe("the last active admin", () => {
  it("cannot be demoted or disabled; role changes are audited with from/to", async () => {
    await expect(staff.changeRole(admin, admin.id, "finance")).rejects.toBeInstanceOf(AppError);
    const { user: second } = await staff.createStaff(admin, {
      email: "a2@x.cn",
      name: "A2",
      role: "finance",
      password: "pw-admin2-123",
    });
    await staff.changeRole(admin, second.id, "admin");
    const [a] = await audits("staff.change_role");
    expect([a!.result, a!.params]).toEqual(["ok", { role: "admin", from: "finance" }]);
    await staff.setDisabled(admin, second.id, true);
    await expect(staff.changeRole(admin, admin.id, "cashier")).rejects.toMatchObject({ code: "lastAdmin" });
    expect((await row(admin.id)).role).toBe("admin");
  });

  it("two admins demoting each other at once: exactly one succeeds, one active admin remains", async () => {
    const { user: b } = await staff.createStaff(admin, {
      email: "b@x.cn",
      name: "B",
      role: "admin",
      password: "pw-admin-b-123",
    });
    const bActor = actorOf(b);
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled([
        staff.changeRole(bActor, admin.id, "finance"),
        staff.changeRole(admin, b.id, "finance"),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: "lastAdmin" });
      const admins = (await db.select().from(staffUsers).where(eq(staffUsers.role, "admin"))).filter(
        (u) => !u.disabledAt,
      );
      expect(admins).toHaveLength(1);
      await db.update(staffUsers).set({ role: "admin" }); // both admins again for the next round
    }
  });

  it("an admin disabling the other while being demoted by them: one active admin remains", async () => {
    const { user: b } = await staff.createStaff(admin, {
      email: "b@x.cn",
      name: "B",
      role: "admin",
      password: "pw-admin-b-123",
    });
    const results = await Promise.allSettled([
      staff.setDisabled(admin, b.id, true),
      staff.changeRole(actorOf(b), admin.id, "cashier"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const admins = (await db.select().from(staffUsers).where(eq(staffUsers.role, "admin"))).filter(
      (u) => !u.disabledAt,
    );
    expect(admins).toHaveLength(1);
  });
});

describe("operator reset (npm run admin:reset)", () => {
  it("sets a new one-time password that must be changed, ends sessions, optionally clears 2FA, audited; unknown e-mail refused", async () => {
    await accounts.changeOwnPassword(admin, { current: (await resetAdmin()).password, next: "admin-own-password" });
    await enroll({ ...admin });
    const before = await row(admin.id);
    const out = await accounts.operatorResetPassword(admin.email.toUpperCase(), { twoFactor: true });
    const after = await row(admin.id);
    expect(await bcrypt.compare(out.password, after.passwordHash)).toBe(true);
    expect(after.mustChangePassword).toBe(true);
    expect(after.sessionVersion).toBe(before.sessionVersion + 1);
    expect(after.totpEnabledAt).toBeNull();
    const [a] = await audits("staff.operator_reset_password");
    expect([a!.result, a!.actorId, a!.actorEmail, a!.targetId]).toEqual([
      "ok",
      null,
      "operator (admin:reset)",
      admin.id,
    ]);
    expect(JSON.stringify(a)).not.toContain(out.password);
    await expect(accounts.operatorResetPassword("nobody@x.cn")).rejects.toMatchObject({ code: "staffNotFound" });
  });
});
