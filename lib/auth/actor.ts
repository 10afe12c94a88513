import "server-only";
import { headers } from "next/headers";
import { sessionClaims } from "./claims";
import { clientIp } from "./ip";
import { activeStaff } from "../services/staff";
import { gateFor } from "../services/accounts";
import type { Actor } from "../services/actor";

/**
 * The signed-in staff member, re-checked against the database on every call: a disabled
 * account, a changed role or a reset password ends older sessions at once. A route handler
 * passes its Request (cookie and headers read from it, so it also runs outside Next.js's request
 * scope, as in tests); pages and actions don't. No Next.js navigation here (session.ts adds the redirects), for the
 * same reason.
 */
export async function getActor(req?: Request): Promise<Actor | null> {
  const claims = await sessionClaims(req);
  if (!claims) return null;
  const staff = await activeStaff(claims.uid, claims.sv);
  if (!staff) return null;
  return {
    id: staff.id,
    email: staff.email,
    name: staff.name,
    role: staff.role,
    terminalId: staff.terminalId,
    ip: clientIp(req ? req.headers : await headers()),
    gate: gateFor(staff),
  };
}
