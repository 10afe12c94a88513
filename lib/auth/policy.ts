import type { StaffRole } from "../db/schema";

/**
 * Who may do what (ARCHITECTURE.md §4), in one place: each capability and the roles that hold it.
 * Server actions (authedAction), route handlers (withActor), pages (requireCapability), the
 * sidebar (components/nav.ts), the services' own scope checks and the authorisation tests all
 * read this table; no other file lists roles. No server-only import: the sidebar reads it too.
 */
export const POLICY = {
  /** The console itself: layout, overview page and /api/overview. */
  "console.enter": ["admin", "finance", "cashier"],
  /** One's own account: change own password, two-factor sign-in. */
  "account.self": ["admin", "finance", "cashier"],
  /** The cashier screen and customer display: create a QR charge or order charge, reverse it, poll its status. */
  "cashier.use": ["admin", "finance", "cashier"],
  /** Charge list and detail, and /go/{Ping++ id} (scoped to own terminal without "terminals.all"). */
  "charges.read": ["admin", "finance", "cashier"],
  /** Order list and detail (scoped to own terminal without "terminals.all"). */
  "orders.read": ["admin", "finance", "cashier"],
  /** The shift report (own terminal or self only without "terminals.all"). */
  "shift.read": ["admin", "finance", "cashier"],

  /** Every terminal's charges, orders and shifts, and charging on any terminal; without it, one's own terminal only. */
  "terminals.all": ["admin", "finance"],
  /** The whole Ping++ object kept with a charge or order. */
  "objects.raw": ["admin", "finance"],
  /** Cancel, refresh and sync orders. */
  "orders.manage": ["admin", "finance"],
  /** Refund list and detail. */
  "refunds.read": ["admin", "finance"],
  /** Ask for a refund of a charge or order, refresh a refund. */
  "refunds.create": ["admin", "finance"],
  /** Approve, reject or withdraw a refund held for approval. */
  "refunds.decide": ["admin", "finance"],
  /** Red envelopes and their batches: send, refresh, dry-run, start, delete, view. */
  "redEnvelopes.manage": ["admin", "finance"],
  /** Royalty settlements: preview, create, confirm, cancel, view. */
  "settlements.manage": ["admin", "finance"],
  /** The event log, and links to it. */
  "events.read": ["admin", "finance"],
  /** Apply a logged Ping++ event again. */
  "events.apply": ["admin", "finance"],
  /** The audit log. */
  "audit.read": ["admin", "finance"],
  /** CSV exports (charges, orders, refunds, …). */
  "exports.download": ["admin", "finance"],
  /** The attention list: sync and resolve. */
  "attention.manage": ["admin", "finance"],
  /** Daily reconciliation: run, fix and note differences. */
  "reconciliation.manage": ["admin", "finance"],

  /** Staff accounts: create, change role, assign terminal, disable, reset password. */
  "staff.manage": ["admin"],
  /** Console settings: webhook check, refund approval threshold. */
  "settings.manage": ["admin"],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Capability = keyof typeof POLICY;

/** The roles that hold a capability. */
export function rolesFor(cap: Capability): readonly StaffRole[] {
  return POLICY[cap];
}

/** Whether a role holds a capability. */
export function can(role: StaffRole, cap: Capability): boolean {
  return (POLICY[cap] as readonly StaffRole[]).includes(role);
}
