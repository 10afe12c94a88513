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
