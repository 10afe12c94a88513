import { describe, expect, it, vi } from "vitest";

// The database as the health route sees it: up (answers `select 1`) or down (connecting throws,
// as postgres.js does when nothing listens).
const state = vi.hoisted(() => ({ up: true }));
vi.mock("@/lib/db", () => ({
  getDb: async () => {
    if (!state.up) throw new Error("connect ECONNREFUSED 10.0.0.5:5432");
    return { execute: async () => [{ "?column?": 1 }] };
  },
}));

const { GET } = await import("@/app/api/health/route");

describe("GET /api/health", () => {
  it("answers 200 with the mode while the database answers, 503 when it does not, never naming a host", async () => {
    state.up = true;
    const up = await GET();
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ ok: true, db: "up", pingpp: "sandbox" });
    expect(up.headers.get("cache-control")).toBe("no-store");

    state.up = false;
    const down = await GET();
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(JSON.parse(text)).toEqual({ ok: false, db: "down", pingpp: "sandbox" });
    expect(text).not.toContain("10.0.0.5");
  });
});
