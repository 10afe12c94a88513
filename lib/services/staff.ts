import "server-only";
import crypto from "node:crypto";
import bcrypt from "bcryptjs";
import { and, asc, count, eq, gte, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import { getDb, preparedQuery, type Tx } from "../db";
import { loginAttempts, staffUsers, type StaffRole, type StaffUser } from "../db/schema";
import { env } from "../env";
import { audit } from "./audit";
import { AppError } from "./errors";
import type { Actor } from "./actor";

/** Failed logins allowed per account / per IP within the window before further tries are refused. */
export const THROTTLE = { windowMinutes: 15, perAccount: 5, perIp: 20 } as const;

/** A staff row without its secrets (password hash, TOTP secret and step): what may leave the service. */
export type PublicStaff = Omit<StaffUser, "passwordHash" | "totpSecretEnc" | "totpLastStep">;

export function toPublic(u: StaffUser): PublicStaff {
  const { passwordHash: _omit, totpSecretEnc: _secret, totpLastStep: _step, ...rest } = u;
  void _omit;
  void _secret;
  void _step;
  return rest;
}

export function generatePassword(): string {
  // 16 chars from a set without look-alikes; ~95 bits.
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = crypto.randomBytes(16);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

export async function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, env().bcryptCost);
}

// Compared against when the account does not exist, so timing does not reveal which e-mails exist.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => (dummyHash ??= hashPassword(crypto.randomBytes(16).toString("hex")));

/**
 * First start: create an admin from ADMIN_EMAIL/ADMIN_PASSWORD, or with a generated password
 * that the caller prints once. Does nothing when any staff account exists.
 */
export async function ensureInitialAdmin(): Promise<{ email: string; generatedPassword?: string } | null> {
  const db = await getDb();
  const [existing] = await db.select({ n: count() }).from(staffUsers);
  if ((existing?.n ?? 0) > 0) return null;
  const email = (env().adminEmail ?? "admin@example.com").toLowerCase();
  const generatedPassword = env().adminPassword ? undefined : generatePassword();
  const password = env().adminPassword ?? generatedPassword!;
  const inserted = await db
    .insert(staffUsers)
    // A generated password was printed to a log: changed at the first login. ADMIN_PASSWORD is the operator's own
    // choice: kept.
    .values({
      email,
      name: "Admin",
      role: "admin",
      passwordHash: await hashPassword(password),
      mustChangePassword: !!generatedPassword,
    })
    .onConflictDoNothing()
    .returning({ id: staffUsers.id });
  if (inserted.length === 0) return null; // another instance won the race
  await audit({
    actor: { id: null, email: "system" },
    action: "staff.bootstrap_admin",
    target: { type: "staff", id: inserted[0]!.id },
    params: { email },
    result: "ok",
  });
  return { email, generatedPassword };
}

export type LoginResult =
  { ok: true; user: PublicStaff } | { ok: false; reason: "invalid" | "throttled" | "codeRequired" | "invalidCode" };

/** Advisory-lock namespaces (two-key form): one account's login attempts, one address's. */
const LOGIN_LOCK_ACCOUNT = 72_071_101;
const LOGIN_LOCK_IP = 72_071_102;

/**
 * Check e-mail + password, throttled per account and per IP in the database (holds across
 * instances). The count and the claim of a slot happen under the account's and the address's
 * advisory locks, in one short transaction, before the password is checked: each attempt is
 * recorded as a failure first (and turned into a success after a correct check), so concurrent
 * attempts see each other and exactly the limit is checked however many arrive at once. The
 * slow bcrypt check runs outside the transaction. Locks are always taken account first, then
 * address, so two attempts never wait for each other in a cycle.
 */
export async function authenticate(input: {
  email: string;
  password: string;
  code?: string;
  ip: string;
}): Promise<LoginResult> {
  const db = await getDb();
  const email = input.email.trim().toLowerCase();
  const since = new Date(Date.now() - THROTTLE.windowMinutes * 60_000);
  const actor = { id: null, email, ip: input.ip };
  const attemptId = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOGIN_LOCK_ACCOUNT}::int, hashtext(${email}))`);
    await tx.execute(sql`select pg_advisory_xact_lock(${LOGIN_LOCK_IP}::int, hashtext(${input.ip}))`);
    const [[byAccount], [byIp]] = await Promise.all([
      tx
        .select({ n: count() })
        .from(loginAttempts)
        .where(
          and(eq(loginAttempts.email, email), eq(loginAttempts.success, false), gte(loginAttempts.createdAt, since)),
        ),
      tx
        .select({ n: count() })
        .from(loginAttempts)
        .where(
          and(eq(loginAttempts.ip, input.ip), eq(loginAttempts.success, false), gte(loginAttempts.createdAt, since)),
        ),
    ]);
    if ((byAccount?.n ?? 0) >= THROTTLE.perAccount || (byIp?.n ?? 0) >= THROTTLE.perIp) return null;
    const [row] = await tx
      .insert(loginAttempts)
      .values({ email, ip: input.ip, success: false })
      .returning({ id: loginAttempts.id });
    return row!.id;
  });
  if (attemptId === null) {
    await audit({ actor, action: "auth.login", result: "refused", message: "throttled" });
    return { ok: false, reason: "throttled" };
  }
  const [user] = await db
    .select()
    .from(staffUsers)
    .where(sql`lower(${staffUsers.email}) = ${email}`);
  const matches = await bcrypt.compare(input.password, user?.passwordHash ?? (await getDummyHash()));
  const ok = !!user && matches && !user.disabledAt;
  if (!ok) {
    await audit({
      actor,
      action: "auth.login",
      target: user ? { type: "staff", id: user.id } : undefined,
      result: "refused",
      message: user?.disabledAt && matches ? "disabled" : "invalid credentials",
    });
    return { ok: false, reason: "invalid" };
  }
  if (user.totpEnabledAt) {
    // Two-factor: the right password alone is a step, not a login. Asking for the code does not
    // count against the throttle; a wrong code does (this attempt stays a failure), so code
    // guessing is held to the same 5 per account / 20 per address in 15 minutes.
    const code = input.code?.trim();
    if (!code) {
      await db.update(loginAttempts).set({ success: true }).where(eq(loginAttempts.id, attemptId));
      return { ok: false, reason: "codeRequired" };
    }
    const { checkSecondFactor } = await import("./accounts");
    const second = await checkSecondFactor(user, code, { ...actor, id: user.id });
    if (!second) {
      await audit({
        actor: { ...actor, id: user.id },
        action: "auth.login",
        target: { type: "staff", id: user.id },
        result: "refused",
        message: "invalid code",
      });
      return { ok: false, reason: "invalidCode" };
    }
  }
  await db.update(loginAttempts).set({ success: true }).where(eq(loginAttempts.id, attemptId));
  await audit({
    actor: { ...actor, id: user.id },
    action: "auth.login",
    target: { type: "staff", id: user.id },
    result: "ok",
  });
  return { ok: true, user: toPublic(user) };
}

/**
 * How long login attempts are kept: the throttle reads only its 15-minute window; a week is left
 * for looking into a wave of failed logins (each is in the audit log too, which is kept).
 */
export const LOGIN_ATTEMPTS_KEPT_MS = 7 * 24 * 60 * 60_000;

/**
 * The scheduler's pruning: delete login attempts older than LOGIN_ATTEMPTS_KEPT_MS, a slice at a
 * time (a short lock each, however many piled up). Answers how many went.
 */
export async function pruneLoginAttempts(opts: { now?: number; signal?: AbortSignal } = {}): Promise<number> {
  const before = new Date((opts.now ?? Date.now()) - LOGIN_ATTEMPTS_KEPT_MS);
  const db = await getDb();
  let deleted = 0;
  for (;;) {
    const slice = db
      .select({ id: loginAttempts.id })
      .from(loginAttempts)
      .where(lt(loginAttempts.createdAt, before))
      .limit(5_000);
    const gone = await db
      .delete(loginAttempts)
      .where(inArray(loginAttempts.id, slice))
      .returning({ id: loginAttempts.id });
    deleted += gone.length;
    if (gone.length < 5_000 || opts.signal?.aborted) return deleted;
  }
}

/** The staff member behind a session, or null when the account is gone, disabled or the session is stale. */
const activeStaffById = preparedQuery((db) =>
  db
    .select()
    .from(staffUsers)
    .where(and(eq(staffUsers.id, sql.placeholder("id")), isNull(staffUsers.disabledAt)))
    .prepare("active_staff_by_id"),
);

export async function activeStaff(id: string, sessionVersion: number): Promise<PublicStaff | null> {
  const [user] = await activeStaffById({ id });
  if (!user || user.sessionVersion !== sessionVersion) return null;
  return toPublic(user);
}

/**
 * Sign-out, on the server: the session version moves on, so the signed-out cookie, and any copy
 * of it, stops working at once (getActor re-reads the version on every call, so nothing is added
 * to the status-poll path). It ends every session of this account, like a password reset: a
 * session is a stateless cookie, and the version is what the server can take back. A cookie
 * that is already stale changes nothing.
 */
export async function endSession(s: { uid: string; sv: number; ip: string }): Promise<boolean> {
  const db = await getDb();
  const ended = await db
    .update(staffUsers)
    .set({ sessionVersion: sql`${staffUsers.sessionVersion} + 1`, updatedAt: new Date() })
    .where(and(eq(staffUsers.id, s.uid), eq(staffUsers.sessionVersion, s.sv)))
    .returning({ id: staffUsers.id, email: staffUsers.email });
  const user = ended[0];
  if (user)
    await audit({
      actor: { id: user.id, email: user.email, ip: s.ip },
      action: "auth.logout",
      target: { type: "staff", id: user.id },
      result: "ok",
    });
  return !!user;
}

export async function listStaff(): Promise<PublicStaff[]> {
  const db = await getDb();
  const rows = await db.select().from(staffUsers).orderBy(asc(staffUsers.createdAt));
  return rows.map(toPublic);
}

export async function createStaff(
  actor: Actor,
  input: { email: string; name: string; role: StaffRole; terminalId?: string | null; password?: string },
): Promise<{ user: PublicStaff; generatedPassword?: string }> {
  const db = await getDb();
  const generatedPassword = input.password ? undefined : generatePassword();
  const params = { email: input.email, name: input.name, role: input.role, terminalId: input.terminalId ?? null };
  const [user] = await db
    .insert(staffUsers)
    // Generated or typed by the admin, it is the admin's password, not the person's: changed at the first login.
    .values({
      ...params,
      passwordHash: await hashPassword(input.password ?? generatedPassword!),
      mustChangePassword: true,
    })
    .onConflictDoNothing()
    .returning();
  if (!user) {
    await audit({ actor, action: "staff.create", params, result: "refused", message: "email taken" });
    throw new AppError("emailTaken", {}, undefined, "email");
  }
  await audit({ actor, action: "staff.create", target: { type: "staff", id: user.id }, params, result: "ok" });
  return { user: toPublic(user), generatedPassword };
}

async function loadForChange(
  actor: Actor,
  id: string,
  action: string,
  params: Record<string, unknown>,
): Promise<StaffUser> {
  const db = await getDb();
  const [user] = await db.select().from(staffUsers).where(eq(staffUsers.id, id));
  if (!user) {
    await audit({ actor, action, target: { type: "staff", id }, params, result: "refused", message: "not found" });
    throw new AppError("staffNotFound");
  }
  return user;
}

/** Advisory lock (two-key form) every change that can take an admin away holds to its commit. */
const ADMIN_SET_LOCK = [72_071_103, 1] as const;

/**
 * Run a change that may take away an active admin (demote, disable) so that the console always
 * keeps one: under one advisory lock, the row is read again, the other active admins counted and
 * the change written in the same transaction. Two admins demoting each other at once queue on the
 * lock, and the second sees the first's change: only one succeeds. Refusals are audited.
 */
async function keepingAnAdmin(
  actor: Actor,
  id: string,
  action: string,
  params: Record<string, unknown>,
  takesAdminAway: (user: StaffUser) => boolean,
  write: (tx: Tx, user: StaffUser) => Promise<StaffUser | null>,
): Promise<{ user: StaffUser; changed: StaffUser | null }> {
  const db = await getDb();
  const out = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADMIN_SET_LOCK[0]}::int, ${ADMIN_SET_LOCK[1]}::int)`);
    const [user] = await tx.select().from(staffUsers).where(eq(staffUsers.id, id));
    if (!user) return { refused: "not found" as const };
    if (user.role === "admin" && !user.disabledAt && takesAdminAway(user)) {
      const [others] = await tx
        .select({ n: count() })
        .from(staffUsers)
        .where(and(eq(staffUsers.role, "admin"), isNull(staffUsers.disabledAt), ne(staffUsers.id, user.id)));
      if ((others?.n ?? 0) === 0) return { refused: "last admin" as const };
    }
    return { user, changed: await write(tx, user) };
  });
  if ("refused" in out) {
    await audit({ actor, action, target: { type: "staff", id }, params, result: "refused", message: out.refused });
    throw new AppError(out.refused === "not found" ? "staffNotFound" : "lastAdmin");
  }
  return out;
}

async function update(
  actor: Actor,
  id: string,
  action: string,
  params: Record<string, unknown>,
  values: Partial<typeof staffUsers.$inferInsert>,
  bumpSession: boolean,
) {
  const db = await getDb();
  const [user] = await db
    .update(staffUsers)
    .set({
      ...values,
      updatedAt: new Date(),
      ...(bumpSession ? { sessionVersion: sql`${staffUsers.sessionVersion} + 1` } : {}),
    })
    .where(eq(staffUsers.id, id))
    .returning();
  await audit({ actor, action, target: { type: "staff", id }, params, result: "ok" });
  return toPublic(user!);
}

export async function changeRole(actor: Actor, id: string, role: StaffRole): Promise<PublicStaff> {
  const params = { role };
  const { user, changed } = await keepingAnAdmin(
    actor,
    id,
    "staff.change_role",
    params,
    () => role !== "admin",
    async (tx, user) => {
      if (user.role === role) return null;
      const [row] = await tx
        .update(staffUsers)
        .set({ role, updatedAt: new Date(), sessionVersion: sql`${staffUsers.sessionVersion} + 1` })
        .where(eq(staffUsers.id, id))
        .returning();
      return row!;
    },
  );
  if (!changed) return toPublic(user);
  await audit({
    actor,
    action: "staff.change_role",
    target: { type: "staff", id },
    params: { ...params, from: user.role },
    result: "ok",
  });
  return toPublic(changed);
}

export async function assignTerminal(actor: Actor, id: string, terminalId: string | null): Promise<PublicStaff> {
  const params = { terminalId };
  const user = await loadForChange(actor, id, "staff.assign_terminal", params);
  return update(actor, id, "staff.assign_terminal", { ...params, from: user.terminalId }, { terminalId }, false);
}

export async function setDisabled(actor: Actor, id: string, disabled: boolean): Promise<PublicStaff> {
  const action = disabled ? "staff.disable" : "staff.enable";
  const user = await loadForChange(actor, id, action, {});
  if (disabled && user.id === actor.id) {
    await audit({ actor, action, target: { type: "staff", id }, result: "refused", message: "self" });
    throw new AppError("cannotDisableSelf");
  }
  const { user: now, changed } = await keepingAnAdmin(
    actor,
    id,
    action,
    {},
    () => disabled,
    async (tx, row) => {
      if (!!row.disabledAt === disabled) return null;
      const [out] = await tx
        .update(staffUsers)
        .set({
          disabledAt: disabled ? new Date() : null,
          updatedAt: new Date(),
          sessionVersion: sql`${staffUsers.sessionVersion} + 1`,
        })
        .where(eq(staffUsers.id, id))
        .returning();
      return out!;
    },
  );
  if (!changed) return toPublic(now);
  await audit({ actor, action, target: { type: "staff", id }, result: "ok" });
  return toPublic(changed);
}

export async function resetPassword(actor: Actor, id: string): Promise<{ user: PublicStaff; password: string }> {
  await loadForChange(actor, id, "staff.reset_password", {});
  const password = generatePassword();
  const user = await update(
    actor,
    id,
    "staff.reset_password",
    {},
    { passwordHash: await hashPassword(password), mustChangePassword: true },
    true,
  );
  return { user, password };
}
