import "server-only";
import { redirect } from "next/navigation";
import { getActor } from "./actor";
import { can, type Capability } from "./policy";
import type { Actor } from "../services/actor";

export { getActor, ALL_ROLES, FINANCE_ROLES, ADMIN_ONLY } from "./actor";
export { can, type Capability } from "./policy";

/** For pages: the actor, or a redirect to login (no session) / the forbidden page (a role without the capability). */
export async function requireCapability(capability: Capability): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  if (!can(actor.role, capability)) redirect("/forbidden");
  return actor;
}
