import "server-only";
import bcrypt from "bcryptjs";
import { and, count, eq, isNull, or, lt, sql } from "drizzle-orm";
import { getDb } from "../db";
import { staffRecoveryCodes, staffUsers, type StaffUser } from "../db/schema";
import { env } from "../env";
import {
  decryptSecret,
  encryptSecret,
  hashRecoveryCode,
  looksLikeRecoveryCode,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  totpUri,
} from "../auth/totp";
import { audit } from "./audit";
import { AppError } from "./errors";
import { generatePassword, hashPassword } from "./staff";
import type { Actor } from "./actor";

/**
 * One's own account (change password, two-factor sign-in) and the ways back in (an admin resets
 * someone's 2FA; the operator's `npm run admin:reset`). Every change is audited.
 */

/**
 * What a signed-in person must do before anything else: change a password an admin set
 * ("password"), or, with REQUIRE_2FA_FOR_ADMINS=true, an admin enroll in two-factor sign-in
 * ("twoFactor"). Pages redirect to /account, actions and routes refuse, until it is done.
 */
export type AccountGate = "password" | "twoFactor" | null;

export function gateFor(u: { role: string; mustChangePassword: boolean; totpEnabledAt: Date | null }): AccountGate {
  if (u.mustChangePassword) return "password";
  if (u.role === "admin" && !u.totpEnabledAt && env().require2faForAdmins) return "twoFactor";
  return null;
}

type AuditActor = { id: string | null; email: string; ip?: string };

/**
 * The second step of a login: a 6-digit code from the authenticator (now or one 30-second step
 * either side), accepted once: the step is recorded by one conditional update, so the same code
 * (or an older one) cannot be used again, even by two logins at once. Or one of the recovery
 * codes, each spent by one conditional update. A failure is audited.
 */
export async function checkSecondFactor(
  user: StaffUser,
  code: string,
  actor: AuditActor,
  at = Date.now(),
): Promise<boolean> {
  const db = await getDb();
  const target = { type: "staff", id: user.id };
  if (looksLikeRecoveryCode(code)) {
    const used = await db
      .update(staffRecoveryCodes)
      .set({ usedAt: new Date(at) })
      .where(
        and(
          eq(staffRecoveryCodes.staffId, user.id),
          eq(staffRecoveryCodes.codeHash, hashRecoveryCode(code)),
          isNull(staffRecoveryCodes.usedAt),
        ),
      )
      .returning({ id: staffRecoveryCodes.id });
    if (used.length) {
      const [left] = await db
        .select({ n: count() })
        .from(staffRecoveryCodes)
        .where(and(eq(staffRecoveryCodes.staffId, user.id), isNull(staffRecoveryCodes.usedAt)));
      await audit({
        actor,
        action: "account.recovery_code_used",
        target,
        params: { left: left?.n ?? 0 },
        result: "ok",
      });
      return true;
    }
    await audit({
      actor,
      action: "account.two_factor_failed",
      target,
      result: "refused",
      message: "invalid recovery code",
    });
    return false;
  }
  const step = user.totpSecretEnc ? matchTotp(decryptSecret(user.totpSecretEnc), code, at) : null;
  if (step !== null) {
    const taken = await db
      .update(staffUsers)
      .set({ totpLastStep: step })
      .where(and(eq(staffUsers.id, user.id), or(isNull(staffUsers.totpLastStep), lt(staffUsers.totpLastStep, step))))
      .returning({ id: staffUsers.id });
    if (taken.length) return true;
    await audit({
      actor,
      action: "account.two_factor_failed",
      target,
      result: "refused",
      message: "code already used",
    });
    return false;
  }
  await audit({ actor, action: "account.two_factor_failed", target, result: "refused", message: "invalid code" });
  return false;
}

async function ownRow(actor: Actor): Promise<StaffUser> {
  const db = await getDb();
  const [u] = await db.select().from(staffUsers).where(eq(staffUsers.id, actor.id));
  if (!u) throw new AppError("staffNotFound");
  return u;
}

export interface AccountStatus {
  email: string;
  name: string;
  role: StaffUser["role"];
  mustChangePassword: boolean;
  twoFactorEnabled: boolean;
  twoFactorRequired: boolean;
  recoveryCodesLeft: number;
  gate: AccountGate;
}

export async function accountStatus(actor: Actor): Promise<AccountStatus> {
  const u = await ownRow(actor);
  const db = await getDb();
  const [left] = await db
    .select({ n: count() })
    .from(staffRecoveryCodes)
    .where(and(eq(staffRecoveryCodes.staffId, u.id), isNull(staffRecoveryCodes.usedAt)));
  return {
    email: u.email,
    name: u.name,
    role: u.role,
    mustChangePassword: u.mustChangePassword,
    twoFactorEnabled: !!u.totpEnabledAt,
    twoFactorRequired: u.role === "admin" && env().require2faForAdmins,
    recoveryCodesLeft: u.totpEnabledAt ? (left?.n ?? 0) : 0,
    gate: gateFor(u),
  };
}

/**
 * Change one's own password: the current one is checked, the new one follows the same rules as
 * a new staff member's (10-128 characters) and must differ. The must-change flag clears and the
 * session version moves on: every other session of this account ends. Answers the new version,
 * so the caller re-issues this session's cookie with it (the person stays signed in here).
 */
export async function changeOwnPassword(
  actor: Actor,
  input: { current: string; next: string },
): Promise<{ sessionVersion: number }> {
  const u = await ownRow(actor);
  const target = { type: "staff", id: u.id };
  if (!(await bcrypt.compare(input.current, u.passwordHash))) {
    await audit({
      actor,
      action: "account.change_password",
      target,
      result: "refused",
      message: "wrong current password",
    });
    throw new AppError("wrongPassword", {}, undefined, "current");
  }
  if (input.current === input.next) {
    await audit({ actor, action: "account.change_password", target, result: "refused", message: "same password" });
    throw new AppError("samePassword", {}, undefined, "next");
  }
  const db = await getDb();
  const [row] = await db
    .update(staffUsers)
    .set({
      passwordHash: await hashPassword(input.next),
      mustChangePassword: false,
      updatedAt: new Date(),
      sessionVersion: sql`${staffUsers.sessionVersion} + 1`,
    })
    .where(and(eq(staffUsers.id, u.id), eq(staffUsers.passwordHash, u.passwordHash)))
    .returning({ sv: staffUsers.sessionVersion });
  if (!row) throw new AppError("conflict"); // changed elsewhere in between: try again
  await audit({
    actor,
    action: "account.change_password",
    target,
    params: { wasRequired: u.mustChangePassword },
    result: "ok",
  });
  return { sessionVersion: row.sv };
}

/**
 * Start enrolling in two-factor sign-in: a new secret is kept (encrypted) as pending and shown
 * once, as a QR (otpauth:// URI) and as text. Nothing changes at login until it is confirmed.
 */
export async function startTwoFactor(actor: Actor): Promise<{ secret: string; uri: string }> {
  const u = await ownRow(actor);
  if (u.totpEnabledAt) throw new AppError("twoFactorAlreadyOn");
  const secret = newTotpSecret();
  const db = await getDb();
  await db
    .update(staffUsers)
    .set({ totpSecretEnc: encryptSecret(secret), totpLastStep: null, updatedAt: new Date() })
    .where(eq(staffUsers.id, u.id));
  return { secret, uri: totpUri(secret, u.email) };
}

/**
 * Confirm enrollment with a code from the app: two-factor sign-in is on from now, and 10
 * one-time recovery codes are made (any older ones are gone), answered once, kept hashed.
 */
export async function confirmTwoFactor(
  actor: Actor,
  code: string,
  at = Date.now(),
): Promise<{ recoveryCodes: string[] }> {
  const u = await ownRow(actor);
  const target = { type: "staff", id: u.id };
  if (u.totpEnabledAt) throw new AppError("twoFactorAlreadyOn");
  if (!u.totpSecretEnc) throw new AppError("twoFactorNotStarted");
  const step = matchTotp(decryptSecret(u.totpSecretEnc), code, at);
  if (step === null) {
    await audit({ actor, action: "account.two_factor_enable", target, result: "refused", message: "invalid code" });
    throw new AppError("invalidCode", {}, undefined, "code");
  }
  const codes = newRecoveryCodes();
  const db = await getDb();
  const done = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(staffUsers)
      .set({ totpEnabledAt: new Date(at), totpLastStep: step, updatedAt: new Date() })
      .where(
        and(eq(staffUsers.id, u.id), isNull(staffUsers.totpEnabledAt), eq(staffUsers.totpSecretEnc, u.totpSecretEnc!)),
      )
      .returning({ id: staffUsers.id });
    if (!row) return false;
    await tx.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, u.id));
    await tx.insert(staffRecoveryCodes).values(codes.map((c) => ({ staffId: u.id, codeHash: hashRecoveryCode(c) })));
    return true;
  });
  if (!done) throw new AppError("conflict");
  await audit({ actor, action: "account.two_factor_enable", target, result: "ok" });
  return { recoveryCodes: codes };
}

async function clearTwoFactor(id: string): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(staffUsers)
      .set({ totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null, updatedAt: new Date() })
      .where(eq(staffUsers.id, id))
      .returning({ id: staffUsers.id });
    await tx.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, id));
    return !!row;
  });
}

/**
 * Turn one's own two-factor sign-in off (the password is asked again). Refused for an admin while
 * REQUIRE_2FA_FOR_ADMINS=true.
 */
export async function disableTwoFactor(actor: Actor, password: string): Promise<void> {
  const u = await ownRow(actor);
  const target = { type: "staff", id: u.id };
  if (!u.totpEnabledAt) return;
  if (!(await bcrypt.compare(password, u.passwordHash))) {
    await audit({ actor, action: "account.two_factor_disable", target, result: "refused", message: "wrong password" });
    throw new AppError("wrongPassword", {}, undefined, "password");
  }
  if (u.role === "admin" && env().require2faForAdmins) {
    await audit({
      actor,
      action: "account.two_factor_disable",
      target,
      result: "refused",
      message: "required for admins",
    });
    throw new AppError("twoFactorRequired");
  }
  await clearTwoFactor(u.id);
  await audit({ actor, action: "account.two_factor_disable", target, result: "ok" });
}

/**
 * An admin turns off someone's two-factor sign-in (lost phone and codes): they log in with the password alone, and may
 * enroll again.
 */
export async function resetTwoFactor(actor: Actor, id: string): Promise<void> {
  const target = { type: "staff", id };
  if (!(await clearTwoFactor(id))) {
    await audit({ actor, action: "staff.reset_two_factor", target, result: "refused", message: "not found" });
    throw new AppError("staffNotFound");
  }
  await audit({ actor, action: "staff.reset_two_factor", target, result: "ok" });
}

/**
 * The operator's way back in (`npm run admin:reset -- <email>`): a new one-time password for an
 * account, to be changed at the next login; every session of the account ends. With
 * `twoFactor`, its two-factor sign-in is turned off too. Audited as the operator.
 */
export async function operatorResetPassword(
  email: string,
  opts: { twoFactor?: boolean } = {},
): Promise<{ email: string; password: string; role: string; disabled: boolean }> {
  const db = await getDb();
  const normal = email.trim().toLowerCase();
  const actor = { id: null, email: "operator (admin:reset)" };
  const password = generatePassword();
  const [row] = await db
    .update(staffUsers)
    .set({
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
      updatedAt: new Date(),
      sessionVersion: sql`${staffUsers.sessionVersion} + 1`,
    })
    .where(sql`lower(${staffUsers.email}) = ${normal}`)
    .returning();
  if (!row) {
    await audit({
      actor,
      action: "staff.operator_reset_password",
      params: { email: normal },
      result: "refused",
      message: "not found",
    });
    throw new AppError("staffNotFound");
  }
  if (opts.twoFactor) await clearTwoFactor(row.id);
  await audit({
    actor,
    action: "staff.operator_reset_password",
    target: { type: "staff", id: row.id },
    params: { email: normal, twoFactor: !!opts.twoFactor },
    result: "ok",
  });
  return { email: row.email, password, role: row.role, disabled: !!row.disabledAt };
}
