import { beforeEach, describe, expect, it, vi } from "vitest";
import bcrypt from "bcryptjs";
import { desc, eq } from "drizzle-orm";
import { initialAdminTestbed } from "@/tests/helpers/staff";
import { auditLogs, loginAttempts, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import * as staff from "./staff";
import { listAudit } from "./audit";
import { AppError } from "./errors";
import type { Actor } from "./actor";

let db: Db;
let admin: Actor;
let boot: Awaited<ReturnType<typeof staff.ensureInitialAdmin>>;

initialAdminTestbed((bed) => ({ db, admin, boot } = bed));
beforeEach(() => {
  expect(boot?.generatedPassword).toMatch(/^[A-Za-z0-9]{16}$/);
});

const lastAudit = async () => (await db.select().from(auditLogs).orderBy(desc(auditLogs.id)).limit(1))[0]!;

describe("first admin", () => {
  it("is created once, with a generated password that logs in", async () => {
    expect(await staff.ensureInitialAdmin()).toBeNull();
    expect(await db.$count(staffUsers)).toBe(1);
  });

  it("logs in with the generated password and not with another", async () => {
    await db.delete(staffUsers);
    const boot = await staff.ensureInitialAdmin();
    const ok = await staff.authenticate({
      email: boot!.email.toUpperCase(),
      password: boot!.generatedPassword!,
      ip: "1.1.1.1",
    });
    expect(ok.ok).toBe(true);
    const bad = await staff.authenticate({ email: boot!.email, password: "wrong-password", ip: "1.1.1.1" });
    expect(bad).toEqual({ ok: false, reason: "invalid" });
  });
});

describe("login throttling", () => {
  it("refuses an account after 5 failures in the window, even with the right password", async () => {
    const { user } = await staff.createStaff(admin, {
      email: "c@x.cn",
      name: "C",
      role: "cashier",
      password: "correct-horse",
    });
    for (let i = 0; i < staff.THROTTLE.perAccount; i++) {
      expect(await staff.authenticate({ email: user.email, password: "nope-nope-nope", ip: `2.2.2.${i}` })).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    expect(await staff.authenticate({ email: user.email, password: "correct-horse", ip: "3.3.3.3" })).toEqual({
      ok: false,
      reason: "throttled",
    });
    const a = await lastAudit();
    expect([a.action, a.result, a.message]).toEqual(["auth.login", "refused", "throttled"]);
  });

  it("refuses an IP after 20 failures across accounts; other IPs still log in", async () => {
    const { user } = await staff.createStaff(admin, {
      email: "f@x.cn",
      name: "F",
      role: "finance",
      password: "correct-horse",
    });
    for (let i = 0; i < staff.THROTTLE.perIp; i++) {
      await staff.authenticate({ email: `nobody${i}@x.cn`, password: "x", ip: "6.6.6.6" });
    }
    expect((await staff.authenticate({ email: user.email, password: "correct-horse", ip: "6.6.6.6" })).ok).toBe(false);
    expect((await staff.authenticate({ email: user.email, password: "correct-horse", ip: "7.7.7.7" })).ok).toBe(true);
  });

  it("30 concurrent wrong passwords for one account: exactly 5 are checked, the rest refused as throttled", async () => {
    const { user } = await staff.createStaff(admin, {
      email: "race@x.cn",
      name: "R",
      role: "cashier",
      password: "correct-horse",
    });
    const compare = vi.spyOn(bcrypt, "compare");
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          staff.authenticate({ email: user.email, password: `wrong-${i}`, ip: `9.9.${i}.1` }),
        ),
      );
      expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(staff.THROTTLE.perAccount);
      expect(results.filter((r) => !r.ok && r.reason === "throttled")).toHaveLength(30 - staff.THROTTLE.perAccount);
      expect(compare).toHaveBeenCalledTimes(staff.THROTTLE.perAccount);
    } finally {
      compare.mockRestore();
    }
    const attempts = await db.select().from(loginAttempts).where(eq(loginAttempts.email, user.email));
    expect(attempts).toHaveLength(staff.THROTTLE.perAccount);
    expect(attempts.every((a) => !a.success)).toBe(true);
    // and the right password is refused too until the window passes
    expect(await staff.authenticate({ email: user.email, password: "correct-horse", ip: "9.9.9.9" })).toEqual({
      ok: false,
      reason: "throttled",
    });
  });

  it("30 concurrent attempts from one address across accounts: exactly 20 are checked", async () => {
    const compare = vi.spyOn(bcrypt, "compare");
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          staff.authenticate({ email: `nobody${i}@x.cn`, password: "x", ip: "5.5.5.5" }),
        ),
      );
      expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(staff.THROTTLE.perIp);
      expect(compare).toHaveBeenCalledTimes(staff.THROTTLE.perIp);
    } finally {
      compare.mockRestore();
    }
    expect(await db.$count(loginAttempts, eq(loginAttempts.ip, "5.5.5.5"))).toBe(staff.THROTTLE.perIp);
  });

  it("a successful login is recorded as one, and does not count against the account", async () => {
    const { user } = await staff.createStaff(admin, {
      email: "ok@x.cn",
      name: "K",
      role: "cashier",
      password: "correct-horse",
    });
    for (let i = 0; i < 6; i++)
      expect((await staff.authenticate({ email: user.email, password: "correct-horse", ip: "4.4.4.4" })).ok).toBe(true);
    const attempts = await db.select().from(loginAttempts).where(eq(loginAttempts.email, user.email));
    expect(attempts.map((a) => a.success)).toEqual([true, true, true, true, true, true]);
  });

  it("forgets failures older than the window", async () => {
    const { user } = await staff.createStaff(admin, {
      email: "o@x.cn",
      name: "O",
      role: "cashier",
      password: "correct-horse",
    });
    const old = new Date(Date.now() - (staff.THROTTLE.windowMinutes + 1) * 60_000);
    await db
      .insert(loginAttempts)
      .values(Array.from({ length: 10 }, () => ({ email: user.email, ip: "8.8.8.8", success: false, createdAt: old })));
    expect((await staff.authenticate({ email: user.email, password: "correct-horse", ip: "8.8.8.8" })).ok).toBe(true);
  });
});

describe("staff management", () => {
  it("creates staff with a generated password and refuses a duplicate e-mail (case-insensitive)", async () => {
    const { user, generatedPassword } = await staff.createStaff(admin, {
      email: "new@x.cn",
      name: "N",
      role: "cashier",
      terminalId: "T01",
    });
    expect(generatedPassword).toHaveLength(16);
    expect(user.terminalId).toBe("T01");
    expect(user).not.toHaveProperty("passwordHash");
    await expect(staff.createStaff(admin, { email: "NEW@x.cn", name: "N2", role: "finance" })).rejects.toMatchObject({
      code: "emailTaken",
    });
    const a = await lastAudit();
    expect([a.action, a.result, a.actorEmail]).toEqual(["staff.create", "refused", admin.email]);
  });

  it("ends older sessions on disable, role change and password reset", async () => {
    const { user } = await staff.createStaff(admin, {
      email: "s@x.cn",
      name: "S",
      role: "cashier",
      password: "correct-horse",
    });
    const v1 = user.sessionVersion;
    expect(await staff.activeStaff(user.id, v1)).not.toBeNull();

    const role = await staff.changeRole(admin, user.id, "finance");
    expect(await staff.activeStaff(user.id, v1)).toBeNull();
    expect(await staff.activeStaff(user.id, role.sessionVersion)).not.toBeNull();

    const { user: afterReset, password } = await staff.resetPassword(admin, user.id);
    expect(await staff.activeStaff(user.id, role.sessionVersion)).toBeNull();
    expect((await staff.authenticate({ email: "s@x.cn", password: "correct-horse", ip: "9.9.9.9" })).ok).toBe(false);
    expect((await staff.authenticate({ email: "s@x.cn", password, ip: "9.9.9.9" })).ok).toBe(true);

    await staff.setDisabled(admin, user.id, true);
    expect(await staff.activeStaff(user.id, afterReset.sessionVersion)).toBeNull();
    expect((await staff.authenticate({ email: "s@x.cn", password, ip: "9.9.9.10" })).ok).toBe(false);

    const enabled = await staff.setDisabled(admin, user.id, false);
    expect(await staff.activeStaff(user.id, enabled.sessionVersion)).not.toBeNull();
  });

  it("never leaves the console without an active admin, and an admin cannot disable themselves", async () => {
    await expect(staff.changeRole(admin, admin.id, "finance")).rejects.toMatchObject({ code: "lastAdmin" });
    await expect(staff.setDisabled(admin, admin.id, true)).rejects.toBeInstanceOf(AppError);
    const { user: second } = await staff.createStaff(admin, { email: "a2@x.cn", name: "A2", role: "admin" });
    expect((await staff.changeRole(admin, admin.id, "finance")).role).toBe("finance");
    await expect(staff.changeRole(admin, second.id, "cashier")).rejects.toMatchObject({ code: "lastAdmin" });
  });

  it("assigns a terminal and records every change in the audit log with who and what", async () => {
    const { user } = await staff.createStaff(admin, { email: "t@x.cn", name: "T", role: "cashier" });
    await staff.assignTerminal(admin, user.id, "T09");
    const [row] = await db.select().from(staffUsers).where(eq(staffUsers.id, user.id));
    expect(row!.terminalId).toBe("T09");
    const a = await lastAudit();
    expect(a).toMatchObject({
      action: "staff.assign_terminal",
      targetType: "staff",
      targetId: user.id,
      result: "ok",
      actorId: admin.id,
      ip: "10.0.0.1",
    });
    expect(a.params).toEqual({ terminalId: "T09", from: null });
    await expect(staff.assignTerminal(admin, "00000000-0000-4000-8000-000000000000", "T1")).rejects.toMatchObject({
      code: "staffNotFound",
    });
  });

  it("never writes a password into the audit log", async () => {
    await staff.createStaff(admin, { email: "p@x.cn", name: "P", role: "cashier", password: "super-secret-pw" });
    const all = await db.select().from(auditLogs);
    expect(JSON.stringify(all)).not.toContain("super-secret-pw");
  });
});

describe("audit log queries", () => {
  it("filters by actor, action prefix, result and time, newest first, with a total", async () => {
    await staff.createStaff(admin, { email: "q1@x.cn", name: "Q", role: "cashier" });
    await staff.createStaff(admin, { email: "q2@x.cn", name: "Q", role: "cashier" });
    await staff.authenticate({ email: "q1@x.cn", password: "wrong", ip: "1.2.3.4" });
    const creates = await listAudit({ action: "staff.create" });
    expect(creates.total).toBe(2);
    expect(creates.rows.map((r) => (r.params as { email: string }).email)).toEqual(["q2@x.cn", "q1@x.cn"]);
    expect((await listAudit({ result: "refused" })).rows.map((r) => r.action)).toEqual(["auth.login"]);
    expect((await listAudit({ actor: "q1@" })).total).toBe(1);
    expect((await listAudit({ action: "%" })).total).toBe(0); // LIKE wildcards are literal
    expect((await listAudit({ from: new Date(Date.now() + 60_000) })).total).toBe(0);
    const paged = await listAudit({ perPage: 1, page: 2 });
    expect(paged.rows).toHaveLength(1);
    expect(paged.total).toBeGreaterThanOrEqual(4);
  });
});
