import "server-only";
import { forbidden, redirect } from "next/navigation";
import { getActor } from "./actor";
import { can, type Capability } from "./policy";
import type { Actor } from "../services/actor";

export { getActor } from "./actor";
export { can, type Capability } from "./policy";

/**
 * For pages: the actor, or a redirect to login (no session) / the forbidden page, HTTP 403 (a role without the
 * capability).
 */
export async function requireCapability(capability: Capability, opts: { allowGated?: boolean } = {}): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  // An admin-set password to change, or (REQUIRE_2FA_FOR_ADMINS) an admin without 2FA: the account page first.
  if (actor.gate && !opts.allowGated) redirect("/account");
  // HTTP 403 with the localized forbidden page (app/forbidden.tsx; experimental.authInterrupts)
  if (!can(actor.role, capability)) forbidden();
  return actor;
}
