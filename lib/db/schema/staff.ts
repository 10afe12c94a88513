import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

export const staffRole = pgEnum("staff_role", ["admin", "finance", "cashier"]);
export type StaffRole = (typeof staffRole.enumValues)[number];

export const staffUsers = pgTable(
  "staff_users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: staffRole("role").notNull(),
    /** Terminal a cashier works at (ARCHITECTURE.md §4: cashiers see their own terminal's charges). */
    terminalId: text("terminal_id"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    /** Bumped on disable, role change and password reset: every older session stops working. */
    sessionVersion: integer("session_version").notNull().default(1),
    mustChangePassword: boolean("must_change_password").notNull().default(false),
    /**
     * TOTP secret, AES-256-GCM under a key derived from AUTH_SECRET (lib/auth/totp.ts); never sent to the browser after
     * enrollment.
     */
    totpSecretEnc: text("totp_secret_enc"),
    /**
     * Set when two-factor sign-in is confirmed with a code; null: not enrolled (a pending secret may sit in
     * totpSecretEnc).
     */
    totpEnabledAt: timestamp("totp_enabled_at", { withTimezone: true }),
    /** The last 30-second TOTP step accepted: a code of that step or older is refused (no replay within its window). */
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("staff_users_email_key").on(sql`lower(${t.email})`)],
);
export type StaffUser = typeof staffUsers.$inferSelect;

/** One-time recovery codes for two-factor sign-in: stored as SHA-256 hashes, shown once at enrollment. */
export const staffRecoveryCodes = pgTable(
  "staff_recovery_codes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    staffId: uuid("staff_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("staff_recovery_codes_staff_hash_key").on(t.staffId, t.codeHash)],
);

export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    success: boolean("success").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("login_attempts_email_created_idx").on(t.email, t.createdAt),
    index("login_attempts_ip_created_idx").on(t.ip, t.createdAt),
  ],
);

export const auditResult = pgEnum("audit_result", ["ok", "refused", "error"]);

export const auditLogs = pgTable(
  "audit_logs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    actorId: uuid("actor_id"),
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    params: jsonb("params").$type<Record<string, unknown>>(),
    result: auditResult("result").notNull(),
    message: text("message"),
    ip: text("ip"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_logs_created_idx").on(t.createdAt),
    index("audit_logs_actor_idx").on(t.actorId, t.createdAt),
    index("audit_logs_action_idx").on(t.action, t.createdAt),
    index("audit_logs_target_idx").on(t.targetType, t.targetId),
  ],
);
export type AuditLog = typeof auditLogs.$inferSelect;
