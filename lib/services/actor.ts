import type { StaffRole } from "../db/schema";

/** Who is doing something. Services never read cookies or headers: callers pass this. */
export interface Actor {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  terminalId: string | null;
  ip?: string;
}

/** The system itself (webhooks, start-up). */
export const SYSTEM_ACTOR = { id: null, email: "system", ip: undefined } as const;
