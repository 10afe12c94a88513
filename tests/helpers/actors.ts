import { staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/services/actor";

/** A staff member in the database, as the Actor a service receives. */
export async function addActor(
  db: Db,
  email: string,
  role: Actor["role"],
  terminalId: string | null = null,
): Promise<Actor> {
  const [u] = await db
    .insert(staffUsers)
    .values({ email, name: email, role, terminalId, passwordHash: "x" })
    .returning();
  return { id: u!.id, email, name: email, role, terminalId, ip: "10.1.2.3" };
}

/**
 * The four sign-ins the authorization tests try every entry point with: an admin, a finance user, a
 * cashier (terminal T01) and a disabled admin, each `<name>@<domain>`; their ids and session versions by name.
 */
export async function addAuthzUsers(db: Db, domain: string): Promise<Record<string, { id: string; sv: number }>> {
  const users: Record<string, { id: string; sv: number }> = {};
  for (const [name, role, disabled] of [
    ["admin", "admin", false],
    ["finance", "finance", false],
    ["cashier", "cashier", false],
    ["disabled", "admin", true],
  ] as const) {
    const [u] = await db
      .insert(staffUsers)
      .values({
        email: `${name}@${domain}`,
        name,
        role,
        terminalId: "T01",
        passwordHash: "x",
        disabledAt: disabled ? new Date() : null,
      })
      .returning();
    users[name] = { id: u!.id, sv: u!.sessionVersion };
  }
  return users;
}
