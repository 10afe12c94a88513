/**
 * Staff roles, as plain data: the staff forms read them in the browser without zod (lib/validations/staff.ts re-exports
 * them for the server's schemas).
 */
export const ROLES = ["admin", "finance", "cashier"] as const;
