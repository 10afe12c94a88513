import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import path from "node:path";
import { desc, eq } from "drizzle-orm";

// On PGlite the script and this test share a data directory on disk (one process at a time:
// the test closes its database before running the script). With DATABASE_URL, the same Postgres.
const dataDir = vi.hoisted(() => {
  // vi.hoisted runs before the imports: only require() can reach node's modules here
  /* eslint-disable @typescript-eslint/no-require-imports */
  const dir = require("node:fs").mkdtempSync(require("node:path").join(require("node:os").tmpdir(), "admin-reset-"));
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (!process.env.DATABASE_URL) process.env.PGLITE_DATA_DIR = dir;
  return dir;
});

const { freshDb, closeDb } = await import("@/tests/helpers/db");
const { auditLogs, staffUsers } = await import("@/lib/db/schema");
const staff = await import("@/lib/services/staff");
const { gateFor } = await import("@/lib/services/accounts");

const run = promisify(execFile);
const script = (...args: string[]) =>
  run(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/admin-reset.ts", ...args], {
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { ...process.env, BCRYPT_COST: "4" },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

let oldPassword = "";
beforeAll(async () => {
  const db = await freshDb();
  oldPassword = (await staff.ensureInitialAdmin())!.generatedPassword!;
  await db.update(staffUsers).set({ mustChangePassword: false });
  await closeDb();
});
afterAll(async () => {
  await closeDb();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("npm run admin:reset -- <email>", () => {
  it(
    "prints a new one-time password, boxed; the old one stops working, the new one logs in and must be changed; audited",
    { timeout: 120_000 },
    async () => {
      const out = await script("--", "ADMIN@example.com");
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain("┏");
      const password = /^┃\s+([A-Za-z0-9]{16})\s+┃$/m.exec(out.stdout)?.[1];
      expect(password).toBeTruthy();

      const { getDb } = await import("@/lib/db");
      const db = await getDb();
      const [admin] = await db.select().from(staffUsers);
      expect(gateFor(admin!)).toBe("password");
      expect((await staff.authenticate({ email: "admin@example.com", password: oldPassword, ip: "1.2.3.4" })).ok).toBe(
        false,
      );
      expect((await staff.authenticate({ email: "admin@example.com", password: password!, ip: "1.2.3.4" })).ok).toBe(
        true,
      );
      const [a] = await db
        .select()
        .from(auditLogs)
        .where(eq(auditLogs.action, "staff.operator_reset_password"))
        .orderBy(desc(auditLogs.id));
      expect([a!.result, a!.targetId]).toEqual(["ok", admin!.id]);
      expect(JSON.stringify(a)).not.toContain(password!);
      await closeDb();
    },
  );

  it(
    "an unknown e-mail or no e-mail: a message and a non-zero exit, nothing changed",
    { timeout: 120_000 },
    async () => {
      const unknown = await script("nobody@example.com");
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("no staff account");
      const none = await script();
      expect(none.code).toBe(2);
      expect(none.stderr).toContain("usage");
    },
  );
});
