import "server-only";
import { redirect } from "next/navigation";
import { getActor } from "./actor";
import type { Actor } from "../services/actor";
import type { StaffRole } from "../db/schema";

export { getActor, ALL_ROLES, FINANCE_ROLES, ADMIN_ONLY } from "./actor";

/** For pages: the actor, or a redirect to login (no session) / the forbidden page (wrong role). */
export async function requireRole(roles: readonly StaffRole[]): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  if (!roles.includes(actor.role)) redirect("/forbidden");
  return actor;
}
