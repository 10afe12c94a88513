import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { POLICY, can, rolesFor, type Capability } from "./policy";
import { NAV_ITEMS } from "@/components/nav";
import { staffRole } from "@/lib/db/schema";

const CAPABILITIES = Object.keys(POLICY) as Capability[];
const held = (role: (typeof staffRole.enumValues)[number]) => CAPABILITIES.filter((c) => can(role, c)).sort();
const root = path.join(import.meta.dirname, "../..");

describe("the authorisation policy (ARCHITECTURE.md §4)", () => {
  it("a cashier holds the cashier screen, their own charges, orders and shift, and their own account: nothing else", () => {
    expect(held("cashier")).toEqual([
      "account.self",
      "cashier.use",
      "charges.read",
      "console.enter",
      "orders.read",
      "shift.read",
    ]);
  });

  it("finance holds everything but staff accounts and settings; admin holds everything", () => {
    expect(held("finance")).toEqual(CAPABILITIES.filter((c) => c !== "staff.manage" && c !== "settings.manage").sort());
    expect(held("admin")).toEqual([...CAPABILITIES].sort());
  });

  it("names only real roles, each once, and can() agrees with rolesFor()", () => {
    for (const cap of CAPABILITIES) {
      const roles = rolesFor(cap);
      expect(roles.length, cap).toBeGreaterThan(0);
      expect(new Set(roles).size, cap).toBe(roles.length);
      for (const r of roles) expect(staffRole.enumValues, cap).toContain(r);
      for (const r of staffRole.enumValues) expect(can(r, cap), `${r} ${cap}`).toBe(roles.includes(r));
    }
  });

  it("the sidebar shows an entry to exactly the roles its page lets in", () => {
    for (const item of NAV_ITEMS) {
      const dir = item.href === "/" ? "" : item.href;
      const file = [path.join(root, "app/(console)", dir, "page.tsx"), path.join(root, "app", dir, "page.tsx")].find(
        (f) => fs.existsSync(f),
      );
      expect(file, `${item.href} has no page`).toBeDefined();
      const required = [...fs.readFileSync(file!, "utf8").matchAll(/requireCapability\("([^"]+)"/g)].map((m) => m[1]);
      expect(required, item.href).toEqual([item.capability]);
    }
  });

  it("no other source file lists roles or compares a role with a role name (they ask can())", () => {
    // The staff-form's role picker (every role), the schema's enum, the last-admin rule and the
    // admin-only 2FA requirement are about the admin role itself, not who may do what.
    const allowed = new Set([
      "lib/auth/policy.ts",
      "lib/validations/staff.ts",
      "lib/validations/roles.ts",
      "lib/db/schema/staff.ts",
      "lib/services/staff.ts",
      "lib/services/accounts.ts",
    ]);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (/\.tsx?$/.test(e.name) && !/\.(test|testbed)\.tsx?$/.test(e.name) && !allowed.has(rel)) {
          const src = fs.readFileSync(path.join(root, rel), "utf8");
          const roleList = /\[\s*"(admin|finance|cashier)"\s*,\s*"(admin|finance|cashier)"/;
          const roleCompare =
            /\brole\s*[!=]==?\s*"(admin|finance|cashier)"|"(admin|finance|cashier)"\s*[!=]==?\s*\w*\.?role\b/;
          if (roleList.test(src) || roleCompare.test(src)) offenders.push(rel);
        }
      }
    };
    for (const dir of ["app", "components", "lib"]) walk(dir);
    expect(offenders).toEqual([]);
  });
});
