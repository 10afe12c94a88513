import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addAuthzUsers } from "@/tests/helpers/actors";
import { staffRole, type StaffRole } from "@/lib/db/schema";
import { rolesFor, type Capability } from "@/lib/auth/policy";

/**
 * Every route handler under app/, discovered from the file tree, called with no session, a
 * disabled account and each role. The real session check runs; only next-auth's cookie
 * decoding and Next's request context are stood in for (as in actions-authorization.test.ts).
 */
let session: { user: { id: string; sv: number } } | null = null;
vi.mock("@/lib/auth/config", () => ({ handlers: { GET: vi.fn(), POST: vi.fn() } }));
vi.mock("@/lib/auth/claims", () => ({
  sessionClaims: async () => session && { uid: session.user.id, sv: session.user.sv },
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.7" }),
  cookies: async () => ({ get: () => undefined }),
}));
// The plain pages (lib/html/page.ts) read the locale and catalogues as in a request.
vi.mock("next-intl/server", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next-intl/server")>()),
  getLocale: async () => "zh-CN",
  getTranslations: async () => (key: string) => key,
}));

const ROLES: readonly StaffRole[] = staffRole.enumValues;
type Policy = { public: true } | { capability: Capability; anonymous: number };

/**
 * The capability each route needs (its roles: lib/auth/policy.ts, ARCHITECTURE.md §4). A new route that is not listed
 * here fails the suite.
 */
const POLICY: Record<string, Policy> = {
  "api/auth/[...nextauth]": { public: true }, // next-auth's own endpoints
  "api/health": { public: true },
  login: { public: true }, // the login page (a plain HTML form and its post; tests/login.test.ts)
  "api/webhooks/pingpp": { public: true }, // authenticated by Ping++'s signature (tested in lib/services/webhooks)
  "api/charges/[id]/status": { capability: "cashier.use", anonymous: 401 },
  "api/terminals/[terminal]/active": { capability: "cashier.use", anonymous: 401 },
  "cashier/display/[terminal]": { capability: "cashier.use", anonymous: 303 }, // the customer display, a plain page
  "api/locale": { public: true }, // the plain pages' language switch: a preference, no session needed
  "api/logout": { public: true }, // the plain pages' sign-out
  "api/overview": { capability: "console.enter", anonymous: 401 },
  "api/exports/[kind]": { capability: "exports.download", anonymous: 401 },
  "api/red-envelopes/[id]/status": { capability: "redEnvelopes.manage", anonymous: 401 },
  "api/red-envelopes/batches/[id]/status": { capability: "redEnvelopes.manage", anonymous: 401 },
  "api/red-envelopes/batches/template": { capability: "redEnvelopes.manage", anonymous: 401 },
  "api/settlements/[id]": { capability: "settlements.manage", anonymous: 401 },
  "go/[objectId]": { capability: "charges.read", anonymous: 303 },
};

const appDir = path.join(import.meta.dirname, "../app");
function routes(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routes(p);
    return e.name === "route.ts"
      ? [
          path
            .relative(appDir, dir)
            .split(path.sep)
            .filter((s) => !s.startsWith("("))
            .join("/"),
        ]
      : [];
  });
}
const found = routes(appDir);

/** A value for each dynamic segment that passes its route's own shape check. */
function paramsFor(route: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of route.matchAll(/\[(\.\.\.)?([^\]]+)\]/g)) {
    const name = m[2]!;
    out[name] = { terminal: "T01", kind: "charges", objectId: "ch_doesnotexist" }[name] ?? crypto.randomUUID();
  }
  return out;
}

const users: Record<string, { id: string; sv: number }> = {};
beforeAll(async () => {
  const db = await freshDb();
  Object.assign(users, await addAuthzUsers(db, "routes.test"));
});
afterAll(closeDb);

async function call(
  route: string,
  who: string | null,
): Promise<{ method: string; status: number; location: string | null }[]> {
  session = who ? { user: users[who]! } : null;
  const file = fs.readdirSync(appDir, { recursive: true, encoding: "utf8" }).find(
    (f) =>
      f.endsWith("route.ts") &&
      f
        .split(path.sep)
        .filter((s) => !s.startsWith("("))
        .slice(0, -1)
        .join("/") === route,
  );
  const mod = (await import(path.join(appDir, file!))) as Record<string, unknown>;
  const out = [];
  for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
    const handler = mod[method] as
      ((req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) | undefined;
    if (typeof handler !== "function") continue;
    const res = await handler(
      new Request(`http://console.test/${route}`, { method, body: method === "GET" ? undefined : "{}" }),
      { params: Promise.resolve(paramsFor(route)) },
    );
    out.push({ method, status: res.status, location: res.headers.get("location") });
  }
  return out;
}

describe("route handler authorisation (ARCHITECTURE.md §4)", () => {
  it("discovers every route handler, and each one is in the policy", () => {
    expect(found.length).toBeGreaterThanOrEqual(Object.keys(POLICY).length);
    for (const r of found) expect(POLICY[r], `${r} is missing from POLICY`).toBeDefined();
  });

  it.each(Object.entries(POLICY).filter(([, p]) => !("public" in p)))(
    "%s: refuses no session, a disabled account and other roles; lets its roles in",
    async (route, policy) => {
      if ("public" in policy) return;
      for (const who of [null, "disabled"]) {
        for (const r of await call(route, who)) {
          expect(r.status, `${r.method} ${route} as ${who}`).toBe(policy.anonymous);
          if (policy.anonymous === 303) expect(r.location).toBe("/login");
        }
      }
      for (const role of ROLES) {
        for (const r of await call(route, role)) {
          if (rolesFor(policy.capability).includes(role)) {
            expect([401, 403], `${r.method} ${route} as ${role}`).not.toContain(r.status);
            expect(r.status, `${r.method} ${route} as ${role}`).toBeLessThan(500);
          } else {
            expect(r.status, `${r.method} ${route} as ${role}`).toBe(403);
          }
        }
      }
    },
  );
});
