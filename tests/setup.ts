import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { inject } from "vitest";

// Each test file gets its own in-memory PGlite unless DATABASE_URL points at a real Postgres.
process.env.PGLITE_DATA_DIR ??= "memory://";
// ... copied from one migrated by tests/global-setup.ts (none on Postgres)
const template = inject("pgliteTemplate");
if (template) process.env.PGLITE_TEMPLATE_FILE ??= template;
process.env.BCRYPT_COST = "4"; // hashing cost is not under test; speed is
process.env.CONSOLE_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "console-test-"));
