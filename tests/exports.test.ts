import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { charges, staffUsers, type StaffRole } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { listCharges } from "@/lib/services/charges";
import type { Actor } from "@/lib/services/actor";
import { parseCsv as readCsv } from "@/lib/csv";

/** The export routes, with the real session check behind a stood-in next-auth cookie decoder. */
let session: { user: { id: string; sv: number } } | null = null;
vi.mock("@/lib/auth/config", () => ({ sessionClaims: async () => session && { uid: session.user.id, sv: session.user.sv } }));
vi.mock("next/headers", () => ({ headers: async () => new Headers(), cookies: async () => ({ get: () => undefined }) }));

let db: Db;
const users: Record<StaffRole, Actor & { sv: number }> = {} as never;

beforeAll(async () => {
  db = await freshDb();
  for (const role of ["admin", "finance", "cashier"] as const) {
    const [u] = await db.insert(staffUsers).values({ email: `${role}@x.test`, name: role, role, terminalId: "T01", passwordHash: "x" }).returning();
    users[role] = { id: u!.id, email: u!.email, name: role, role, terminalId: "T01", sv: u!.sessionVersion };
  }
  const statuses = ["paid", "pending", "expired"] as const;
  const rows = Array.from({ length: 2500 }, (_, i) => ({
    orderNo: `exp${i}`,
    pingppId: `ch_exp${String(i).padStart(6, "0")}`,
    appId: "app_x",
    channel: i % 2 ? "alipay_qr" : "wx_pub_qr",
    amount: 1000 + i,
    currency: "cny",
    subject: i === 7 ? '=cmd|"商品",1' : "门店消费",
    body: "b",
    status: statuses[i % 3]!,
    terminalId: i % 5 === 0 ? "T02" : "T01",
    createdAt: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insert(charges).values(rows.slice(i, i + 500));
});
afterAll(closeDb);

const parseCsv = (text: string) => readCsv(text).map((r) => r.fields);

/** The export route for one kind, as Next.js calls it. */
function exportRoute(kind: string) {
  return async (req: Request) => (await import("@/app/api/exports/[kind]/route")).GET(req, { params: Promise.resolve({ kind }) });
}

describe("GET /api/exports/charges", () => {
  it("streams exactly the rows the list's filters select, in yuan and Shanghai time, with a BOM", async () => {
    const GET = exportRoute("charges");
    session = { user: { id: users.finance.id, sv: users.finance.sv } };
    const res = await GET(new Request("http://console.test/api/exports/charges?status=paid&terminal=T01&channel=alipay_qr"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...lines] = parseCsv(new TextDecoder().decode(bytes));
    expect(header![0]).toContain("charge_id");

    const expected: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listCharges(users.finance, { status: "paid", terminal: "T01", channel: "alipay_qr", cursor }, 100);
      expected.push(...page.rows.map((r) => r.chargeId!));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(expected.length).toBeGreaterThan(300);
    expect(lines.map((l) => l[0])).toEqual(expected);
    const row3 = lines.find((l) => l[0] === "ch_exp000003")!; // paid, alipay_qr, T01
    expect(row3.slice(2, 8)).toEqual(["alipay_qr", "10.03", "CNY", "0.00", "paid", "T01"]);
    expect(row3[9]).toBe("2026-11-01 08:03:00");
  });

  it("defuses a formula in a text field", async () => {
    const GET = exportRoute("charges");
    session = { user: { id: users.admin.id, sv: users.admin.sv } };
    const text = await (await GET(new Request("http://console.test/api/exports/charges?q=ch_exp000007"))).text();
    expect(text).toContain(`"'=cmd|""商品"",1"`);
  });

  it("refuses cashiers and anonymous callers", async () => {
    const GET = exportRoute("charges");
    session = { user: { id: users.cashier.id, sv: users.cashier.sv } };
    expect((await GET(new Request("http://console.test/api/exports/charges"))).status).toBe(403);
    session = null;
    expect((await GET(new Request("http://console.test/api/exports/charges"))).status).toBe(401);
  });
});

describe("GET /api/exports/{kind}", () => {
  it.each(["orders", "refunds", "red-envelopes", "settlements"])("%s: runs its list's query and streams a header (no rows yet)", async (kind) => {
    session = { user: { id: users.finance.id, sv: users.finance.sv } };
    const res = await exportRoute(kind)(new Request(`http://console.test/api/exports/${kind}?from=2026-01-01&to=2026-12-31&status=bogus`));
    expect(res.status).toBe(200);
    const rows = parseCsv(await res.text());
    expect(rows).toHaveLength(1);
    expect(rows[0]!.length).toBeGreaterThan(5);
  });

  it("answers 404 for an unknown kind, before looking at the session", async () => {
    session = null;
    expect((await exportRoute("staff")(new Request("http://console.test/api/exports/staff"))).status).toBe(404);
    expect((await exportRoute("__proto__")(new Request("http://console.test/api/exports/__proto__"))).status).toBe(404);
  });
});
