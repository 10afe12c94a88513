import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { sessionClaims } from "./config";
import { clientIp } from "./ip";
import { activeStaff } from "../services/staff";
import type { Actor } from "../services/actor";
import type { StaffRole } from "../db/schema";

/**
 * The signed-in staff member, re-checked against the database on every call: a disabled
 * account, a changed role or a reset password ends older sessions at once.
 */
export async function getActor(): Promise<Actor | null> {
  const claims = await sessionClaims();
  if (!claims) return null;
  const staff = await activeStaff(claims.uid, claims.sv);
  if (!staff) return null;
  return {
    id: staff.id,
    email: staff.email,
    name: staff.name,
    role: staff.role,
    terminalId: staff.terminalId,
    ip: clientIp(await headers()),
  };
}

/** For pages: the actor, or a redirect to login (no session) / the forbidden page (wrong role). */
export async function requireRole(roles: readonly StaffRole[]): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  if (!roles.includes(actor.role)) redirect("/forbidden");
  return actor;
}

export const ALL_ROLES: readonly StaffRole[] = ["admin", "finance", "cashier"];
export const FINANCE_ROLES: readonly StaffRole[] = ["admin", "finance"];
export const ADMIN_ONLY: readonly StaffRole[] = ["admin"];
