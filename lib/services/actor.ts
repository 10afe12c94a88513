import type { StaffRole } from "../db/schema";

/** Who is doing something. Services never read cookies or headers: callers pass this. */
export interface Actor {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  terminalId: string | null;
  ip?: string;
  /**
   * Set while the person must first change an admin-set password ("password") or, as an admin
   * with REQUIRE_2FA_FOR_ADMINS=true, enroll in two-factor sign-in ("twoFactor"): pages send them
   * to /account, actions and routes refuse (services/accounts.ts gateFor).
   */
  gate?: "password" | "twoFactor" | null;
}

/** The system itself (webhooks, start-up). */
export const SYSTEM_ACTOR = { id: null, email: "system", ip: undefined } as const;
