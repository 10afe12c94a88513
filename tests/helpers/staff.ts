import { afterAll, beforeAll, beforeEach } from "vitest";
import { auditLogs, loginAttempts, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/services/actor";
import { ensureInitialAdmin } from "@/lib/services/staff";
import { freshDb, closeDb } from "./db";

/**
 * A staff/accounts test file's world: a fresh database closed after the file, and before each test
 * no login attempts, no audit rows and no staff but the first admin (made by ensureInitialAdmin, as
 * at first start). `ready` hands over the database, that admin as an Actor (ip 10.0.0.1) and what
 * ensureInitialAdmin returned, before the file's own beforeEach.
 */
export function initialAdminTestbed(
  ready: (bed: { db: Db; admin: Actor; boot: Awaited<ReturnType<typeof ensureInitialAdmin>> }) => void,
): void {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb();
  });
  afterAll(closeDb);
  beforeEach(async () => {
    await db.delete(loginAttempts);
    await db.delete(auditLogs);
    await db.delete(staffUsers);
    const boot = await ensureInitialAdmin();
    const [row] = await db.select().from(staffUsers);
    const admin: Actor = {
      id: row!.id,
      email: row!.email,
      name: row!.name,
      role: "admin",
      terminalId: null,
      ip: "10.0.0.1",
    };
    ready({ db, admin, boot });
  });
}
