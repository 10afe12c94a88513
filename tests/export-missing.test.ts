import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { getDb } from "@/lib/db";
import { reconciliationRuns, staffUsers } from "@/lib/db/schema";

/** The export route with the real session check behind a stood-in next-auth cookie decoder. */
let session: { uid: string; sv: number } | null = null;
vi.mock("@/lib/auth/claims", () => ({ sessionClaims: async () => session }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ get: () => undefined }),
}));

const GET = async (url: string) =>
  (await import("@/app/api/exports/[kind]/route")).GET(new Request(url), {
    params: Promise.resolve({ kind: "reconciliation" }),
  });

beforeAll(async () => {
  const db = await freshDb();
  const [u] = await db
    .insert(staffUsers)
    .values({ email: "finance@missing.test", name: "finance", role: "finance", passwordHash: "x" })
    .returning();
  session = { uid: u!.id, sv: u!.sessionVersion };
});
afterAll(closeDb);

describe("GET /api/exports/reconciliation of a run that does not exist", () => {
  it("answers 404 before any CSV starts, for an unknown id and for a malformed one", async () => {
    for (const run of ["6f1c2d3e-0000-4000-8000-000000000000", "not-a-run", ""]) {
      const res = await GET(`http://console.test/api/exports/reconciliation?run=${run}`);
      expect(res.status, run).toBe(404);
      expect(res.headers.get("content-disposition")).toBeNull();
    }
  });

  it("still streams a run that exists (header only when it has no differences)", async () => {
    const db = await getDb();
    const [run] = await db.insert(reconciliationRuns).values({ day: "2026-11-30", trigger: "manual" }).returning();
    const res = await GET(`http://console.test/api/exports/reconciliation?run=${run!.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const text = new TextDecoder().decode(await res.arrayBuffer());
    expect(text).toContain("差额 amount");
  });
});
