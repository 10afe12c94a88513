import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { staffUsers } from "@/lib/db/schema";
import { parseDay, parseShanghaiMinute } from "@/lib/dates";
import { parseFilters } from "@/lib/validations/dates";
import { chargeFilterSchema } from "@/lib/validations/charges";
import { orderFilterSchema } from "@/lib/validations/orders";
import { refundFilterSchema } from "@/lib/validations/refunds";
import { redEnvelopeFilterSchema } from "@/lib/validations/red-envelopes";
import { settlementFilterSchema, previewSettlementSchema } from "@/lib/validations/settlements";
import { auditFilterSchema } from "@/lib/validations/audit";
import { periodSchema } from "@/lib/validations/operations";

/** The routes, with the real session check behind a stood-in cookie decoder (as tests/exports.test.ts). */
let session: { uid: string; sv: number } | null = null;
vi.mock("@/lib/auth/claims", () => ({ sessionClaims: async () => session }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ get: () => undefined }),
}));

const BAD = [
  "2024-13-01",
  "0001-01-01",
  "2023-02-29",
  "2024-04-31",
  "2024-1-1",
  "9999-12-31",
  "2024-01-01T00:00",
  "yesterday",
];

beforeAll(async () => {
  const db = await freshDb();
  const [u] = await db
    .insert(staffUsers)
    .values({ email: "fin@dates.test", name: "F", role: "finance", passwordHash: "x" })
    .returning();
  session = { uid: u!.id, sv: u!.sessionVersion };
});
afterAll(closeDb);

describe("the one strict date parser", () => {
  it("reads real calendar days in 2000–2099 and nothing else", () => {
    expect(parseDay("2024-02-29")).toBe("2024-02-29");
    expect(parseDay("2000-01-01")).toBe("2000-01-01");
    expect(parseDay("2099-12-31")).toBe("2099-12-31");
    for (const v of [...BAD, "1999-12-31", "2100-01-01", "", null, 20240101]) expect(parseDay(v)).toBeNull();
    expect(parseShanghaiMinute("2026-11-27T08:30")?.toISOString()).toBe("2026-11-27T00:30:00.000Z");
    for (const v of ["2024-13-01T08:00", "2024-01-01T24:00", "2024-01-01T08:60", "0001-01-01T00:00", "2024-01-01"])
      expect(parseShanghaiMinute(v)).toBeNull();
  });

  it.each([
    ["charges", chargeFilterSchema],
    ["orders", orderFilterSchema],
    ["refunds", refundFilterSchema],
    ["red envelopes", redEnvelopeFilterSchema],
    ["settlements", settlementFilterSchema],
    ["audit", auditFilterSchema],
    ["overview", periodSchema],
  ] as const)("%s list filters report a bad date instead of passing it on or dropping it in silence", (_n, schema) => {
    for (const bad of BAD) {
      expect(schema.safeParse({ from: bad }).success).toBe(false);
      const { f, dateError } = parseFilters(schema as never, { from: "2024-01-01", to: bad }) as {
        f: { from?: string; to?: string };
        dateError: boolean;
      };
      expect(dateError).toBe(true);
      expect([f.from, f.to]).toEqual([undefined, undefined]);
    }
    const ok = parseFilters(schema as never, { from: "2024-02-29", to: "" }) as {
      f: { from?: string; to?: string };
      dateError: boolean;
    };
    expect(ok.dateError).toBe(false);
    expect(ok.f.from).toBe("2024-02-29");
  });

  it("the settlement preview form gives its date message", () => {
    const r = previewSettlementSchema.safeParse({ payerApp: "app_1", method: "alipay", from: "2024-13-01" });
    expect(r.success ? null : r.error.issues[0]?.message).toBe("date");
  });
});

describe("routes answer a bad date with a 400 JSON error, never a 500, a 503 or a hung download", () => {
  it("GET /api/overview", async () => {
    const { GET } = await import("@/app/api/overview/route");
    for (const bad of BAD) {
      for (const q of [`from=${bad}`, `to=${bad}`, `from=2024-01-01&to=${bad}`]) {
        const res = await GET(new Request(`http://console.test/api/overview?${q}`));
        expect(res.status, q).toBe(400);
        expect(await res.json()).toEqual({ error: "invalid_date" });
      }
    }
    const ok = await GET(new Request("http://console.test/api/overview?from=2024-02-01&to=2024-02-29"));
    expect(ok.status).toBe(200);
  });

  it.each(["charges", "orders", "refunds", "red-envelopes", "settlements"])("GET /api/exports/%s", async (kind) => {
    const { GET } = await import("@/app/api/exports/[kind]/route");
    const call = (q: string) =>
      GET(new Request(`http://console.test/api/exports/${kind}?${q}`), { params: Promise.resolve({ kind }) });
    for (const [q, param] of [
      ["from=2024-13-01", "from"],
      ["to=0001-01-01", "to"],
      ["from=2024-01-01&to=2023-02-29", "to"],
    ] as const) {
      const res = await call(q);
      expect(res.status, q).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(await res.json()).toEqual({ error: "invalid_date", param });
    }
    const ok = await call("from=2024-01-01&to=2024-12-31");
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(","); // the header line; the stream ends
  });
});
