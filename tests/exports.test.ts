import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freshDb, closeDb } from "@/tests/helpers/db";
import {
  charges,
  orders,
  redEnvelopes,
  refunds,
  royaltySettlements,
  staffUsers,
  type StaffRole,
} from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { listCharges } from "@/lib/services/charges";
import { listOrders } from "@/lib/services/orders";
import { listRefunds } from "@/lib/services/refunds";
import { listRedEnvelopes } from "@/lib/services/red-envelopes";
import { listSettlements } from "@/lib/services/settlements";
import { orderFilterSchema } from "@/lib/validations/orders";
import { refundFilterSchema } from "@/lib/validations/refunds";
import { redEnvelopeFilterSchema } from "@/lib/validations/red-envelopes";
import { settlementFilterSchema } from "@/lib/validations/settlements";
import { shanghaiDayEnd, shanghaiDayStart } from "@/lib/dates";
import type { Actor } from "@/lib/services/actor";
import { parseCsv as readCsv } from "@/lib/csv/read";
import { EXPORTS } from "@/lib/services/exports";

/** The export routes, with the real session check behind a stood-in next-auth cookie decoder. */
let session: { user: { id: string; sv: number } } | null = null;
vi.mock("@/lib/auth/claims", () => ({
  sessionClaims: async () => session && { uid: session.user.id, sv: session.user.sv },
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ get: () => undefined }),
}));

let db: Db;
const users: Record<StaffRole, Actor & { sv: number }> = {} as never;

beforeAll(async () => {
  db = await freshDb();
  for (const role of ["admin", "finance", "cashier"] as const) {
    const [u] = await db
      .insert(staffUsers)
      .values({ email: `${role}@x.test`, name: role, role, terminalId: "T01", passwordHash: "x" })
      .returning();
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
  return async (req: Request) =>
    (await import("@/app/api/exports/[kind]/route")).GET(req, { params: Promise.resolve({ kind }) });
}

describe("GET /api/exports/charges", () => {
  it("streams exactly the rows the list's filters select, in yuan and Shanghai time, with a BOM", async () => {
    const GET = exportRoute("charges");
    session = { user: { id: users.finance.id, sv: users.finance.sv } };
    const res = await GET(
      new Request("http://console.test/api/exports/charges?status=paid&terminal=T01&channel=alipay_qr"),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...lines] = parseCsv(new TextDecoder().decode(bytes));
    expect(header![0]).toContain("charge_id");

    const expected: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listCharges(
        users.finance,
        { status: "paid", terminal: "T01", channel: "alipay_qr", cursor },
        100,
      );
      expected.push(...page.rows.map((r) => r.chargeId!));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(expected.length).toBeGreaterThan(300);
    expect(lines.map((l) => l[0])).toEqual(expected);
    const row3 = lines.find((l) => l[0] === "ch_exp000003")!; // paid, alipay_qr, T01
    expect(row3.slice(2, 8)).toEqual(["alipay_qr", "10.03", "CNY", "0.00", "paid", "T01"]);
    expect(row3[9]).toBe("2026-11-01 08:03:00");
  });

  it("appends the channel and status as words (zh-CN by default, ?lang=en or the locale cookie for English), after the codes", async () => {
    const GET = exportRoute("charges");
    session = { user: { id: users.finance.id, sv: users.finance.sv } };
    const read = async (url: string, init?: RequestInit) =>
      parseCsv((await (await GET(new Request(url, init))).text()).replace(/^\uFEFF/, ""));
    const [zhHeader, ...zh] = await read("http://console.test/api/exports/charges?q=ch_exp000003");
    // the existing columns keep their places; the words come last
    expect(zhHeader!.slice(0, 13).map((h) => h.split(" ").pop())).toEqual([
      "charge_id",
      "order_no",
      "channel",
      "amount",
      "currency",
      "refunded",
      "status",
      "terminal",
      "subject",
      "created",
      "paid",
      "refund_pending",
      "refund_state",
    ]);
    expect(zhHeader!.slice(13)).toEqual(["渠道名称 channel_name", "状态名称 status_name"]);
    expect(zh).toHaveLength(1);
    expect([zh[0]![2], zh[0]![6], ...zh[0]!.slice(13)]).toEqual(["alipay_qr", "paid", "支付宝扫码", "已支付"]);
    const [, ...en] = await read("http://console.test/api/exports/charges?q=ch_exp000002&lang=en");
    expect([en[0]![2], en[0]![6], ...en[0]!.slice(13)]).toEqual(["wx_pub_qr", "expired", "WeChat Pay QR", "Expired"]);
    const [, ...byCookie] = await read("http://console.test/api/exports/charges?q=ch_exp000002", {
      headers: { cookie: "a=1; locale=en" },
    });
    expect(byCookie[0]!.slice(13)).toEqual(en[0]!.slice(13));
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

describe("GET /api/exports/{kind}?summary=1: the list's totals, one row per currency", () => {
  it("charges: a cross-border (USD) charge is its own row, never added into yuan; kinds without a summary answer 404", async () => {
    const day = new Date("2024-05-05T04:00:00Z"); // outside every other test's window
    await db.insert(charges).values([
      {
        orderNo: "sum1",
        pingppId: "ch_sum1",
        appId: "app_x",
        channel: "alipay_qr",
        amount: 1234,
        currency: "cny",
        subject: "s",
        body: "b",
        status: "paid" as const,
        createdAt: day,
      },
      {
        orderNo: "sum2",
        pingppId: "ch_sum2",
        appId: "app_x",
        channel: "cb_alipay_qr",
        amount: 500,
        amountRefunded: 100,
        currency: "usd",
        subject: "s",
        body: "b",
        status: "paid" as const,
        createdAt: day,
      },
      {
        orderNo: "sum3",
        pingppId: "ch_sum3",
        appId: "app_x",
        channel: "cb_wx_pub_qr",
        amount: 700,
        currency: "usd",
        subject: "s",
        body: "b",
        status: "expired" as const,
        createdAt: day,
      },
    ]);
    session = { user: { id: users.finance.id, sv: users.finance.sv } };
    const res = await exportRoute("charges")(
      new Request("http://console.test/api/exports/charges?from=2024-05-05&to=2024-05-05&summary=1"),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("charges-summary-");
    const [header, ...rows] = parseCsv((await res.text()).replace(/^\uFEFF/, ""));
    expect(header![0]).toContain("currency");
    expect(rows).toEqual([
      ["CNY", "1", "1", "12.34", "0.00", "0.00"],
      ["USD", "2", "1", "5.00", "1.00", "0.00"],
    ]);
    expect(
      (await exportRoute("red-envelopes")(new Request("http://console.test/api/exports/red-envelopes?summary=1")))
        .status,
    ).toBe(404);
  });
});

describe("GET /api/exports/{kind}", () => {
  it.each(["orders", "refunds", "red-envelopes", "settlements"])(
    "%s: runs its list's query and streams a header (no rows yet)",
    async (kind) => {
      session = { user: { id: users.finance.id, sv: users.finance.sv } };
      const res = await exportRoute(kind)(
        new Request(`http://console.test/api/exports/${kind}?from=2026-01-01&to=2026-12-31&status=bogus`),
      );
      expect(res.status).toBe(200);
      const rows = parseCsv(await res.text());
      expect(rows).toHaveLength(1);
      expect(rows[0]!.length).toBeGreaterThan(5);
    },
  );

  it("answers 404 for an unknown kind, before looking at the session", async () => {
    session = null;
    expect((await exportRoute("staff")(new Request("http://console.test/api/exports/staff"))).status).toBe(404);
    expect((await exportRoute("__proto__")(new Request("http://console.test/api/exports/__proto__"))).status).toBe(404);
  });
});

/**
 * Orders, refunds, red envelopes and settlements: several rows, a filter that selects a subset,
 * and the CSV's data rows must be exactly what the list service returns for the same filter.
 * The rows are written directly (this file has no sandbox; what is under test is the export's
 * selection and formatting, not how the rows came about). They are dated 2025, outside the
 * window of the header-only test above, so the order the tests run in does not matter.
 */
describe("GET /api/exports/{kind} with rows: exactly what the list selects", () => {
  const shanghai = new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  /** Independent of lib/csv/write: "2025-03-02 00:00:00" in Asia/Shanghai. */
  const sh = (d: Date | string | null | undefined) => (d ? shanghai.format(new Date(d)) : "");
  const y = (fen: number | null | undefined) => (fen === null || fen === undefined ? "" : (fen / 100).toFixed(2));
  const s = (v: string | null | undefined) => v ?? "";
  /** Shanghai midnight of 2025-03-01 plus `minutes`. */
  const t = (minutes: number) => new Date(Date.parse("2025-02-28T16:00:00Z") + minutes * 60_000);
  const DAY = 24 * 60;

  /** The CSV a finance user downloads: its BOM checked, its data rows (header dropped). */
  async function exported(kind: string, query: string): Promise<string[][]> {
    session = { user: { id: users.finance.id, sv: users.finance.sv } };
    const res = await exportRoute(kind)(new Request(`http://console.test/api/exports/${kind}?${query}`));
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(new TextDecoder().decode(bytes));
    expect(header!.length).toBeGreaterThan(5);
    for (const r of rows) expect(r).toHaveLength(header!.length);
    // the codes' words (channel / status) are appended after the existing columns: compared by the words test
    const own = EXPORTS[kind]!.header.length;
    expect(header!.slice(0, own)).toEqual(EXPORTS[kind]!.header);
    return rows.map((r) => r.slice(0, own));
  }
  const q = (query: string) => Object.fromEntries(new URLSearchParams(query));

  it("orders: status + paid flag + Shanghai day range (list pages of 20; creating/failed rows never)", async () => {
    const statuses = ["paid", "created", "canceled", "refunded", "paid", "creating", "failed"] as const;
    await db.insert(orders).values(
      Array.from({ length: 70 }, (_, i) => {
        const status = statuses[i % statuses.length]!;
        const paid = status === "paid" || status === "refunded" || (status === "canceled" && i % 2 === 0);
        return {
          pingppId: status === "creating" ? null : `2001250301${String(i).padStart(8, "0")}`,
          merchantOrderNo: `exo${i}`,
          appId: "app_x",
          uid: `u${i % 4}`,
          amount: 1000 + i * 37,
          actualAmount: 900 + i * 37,
          amountPaid: paid ? 900 + i * 37 + (i % 5) * 10 : 0,
          amountRefunded: status === "refunded" ? 500 : 0,
          currency: "cny",
          subject: "门店订单",
          body: "b",
          status,
          paid,
          canceled: status === "canceled",
          channel: i % 2 ? "alipay_qr" : "wx_pub_qr",
          terminalId: i % 3 ? "T01" : "T02",
          createdAt: t(i * 61 - 5), // 2025-02-28 23:55 Shanghai … 2025-03-03
          timePaid: paid ? t(i * 61 - 4) : null,
        };
      }),
    );
    const query = "status=paid&paid=yes&from=2025-03-01&to=2025-03-02";
    const expected: string[][] = [];
    for (let page = 1; ; page++) {
      const l = await listOrders(users.finance, orderFilterSchema.parse({ ...q(query), page: String(page) }));
      // refunded and status as the list shows them (lib/refund-state), then currency and what is pending
      expected.push(
        ...l.items.map(({ row: o, refund, shownStatus }) => [
          s(o.pingppId),
          o.merchantOrderNo,
          s(o.uid),
          y(o.amount),
          y(o.actualAmount),
          y(o.amountPaid),
          y(refund.succeeded),
          shownStatus,
          s(o.channel),
          s(o.terminalId),
          sh(o.createdAt),
          sh(o.timePaid),
          o.currency.toUpperCase(),
          y(refund.pending),
        ]),
      );
      if (page >= l.pages) break;
    }
    expect(expected.length).toBeGreaterThan(10);
    expect(expected.length).toBeLessThan(70);
    expect(new Set(expected.map((r) => r[7]))).toEqual(new Set(["paid"]));
    const rows = await exported("orders", query);
    expect(rows).toEqual(expected);
    // one row written out by hand: i = 7 is paid, created 2025-03-01 07:02 Shanghai
    expect(rows.find((r) => r[1] === "exo7")).toEqual([
      "200125030100000007",
      "exo7",
      "u3",
      "12.59",
      "11.59",
      "11.79",
      "0.00",
      "paid",
      "alipay_qr",
      "T01",
      "2025-03-01 07:02:00",
      "2025-03-01 07:03:00",
      "CNY",
      "0.00",
    ]);
    expect(rows.some((r) => r[1] === "exo0")).toBe(false); // 2025-02-28 23:55 Shanghai: the day before
  });

  it("refunds: kind + status + Shanghai day range, with the order's id joined in", async () => {
    const [o1, o2] = await db
      .insert(orders)
      .values(
        [1, 2].map((n) => ({
          pingppId: `2001250401000000${n}`,
          merchantOrderNo: `exr${n}`,
          appId: "app_x",
          amount: 90000,
          actualAmount: 90000,
          currency: "cny",
          subject: "s",
          body: "b",
          status: "paid" as const,
          createdAt: t(-400 * DAY),
        })),
      )
      .returning();
    const statuses = ["succeeded", "pending", "failed", "succeeded"] as const;
    await db.insert(refunds).values(
      Array.from({ length: 48 }, (_, i) => {
        const status = statuses[i % statuses.length]!;
        return {
          // i = 5: a claim Ping++ refused, never listed
          pingppId: i === 5 ? null : `re_exp${String(i).padStart(4, "0")}`,
          orderId: i % 3 === 0 ? null : i % 3 === 1 ? o1!.id : o2!.id,
          chargeId: `ch_exr${i % 6}`,
          amount: 100 + i * 11,
          currency: "cny",
          description: i === 7 ? '顾客退货, 含"赠品"' : "顾客退货",
          status,
          failureMsg: status === "failed" ? "退款失败：原账户已注销" : null,
          timeSucceed: status === "succeeded" ? t(i * 90 + 30) : null,
          createdAt: t(i * 90), // every 1.5 h from 2025-03-01 00:00 Shanghai
        };
      }),
    );
    const query = "kind=order&status=succeeded&from=2025-03-01&to=2025-03-02";
    const expected: string[][] = [];
    for (let page = 1; ; page++) {
      const l = await listRefunds(refundFilterSchema.parse({ ...q(query), page: String(page) }));
      expected.push(
        ...l.rows.map(({ row: r, orderPingppId }) => [
          s(r.pingppId),
          r.chargeId,
          s(orderPingppId),
          y(r.amount),
          r.status,
          r.description,
          s(r.failureMsg),
          sh(r.createdAt),
          sh(r.timeSucceed),
          r.currency.toUpperCase(),
        ]),
      );
      if (page >= l.pages) break;
    }
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.every((r) => r[2] !== "" && r[4] === "succeeded")).toBe(true);
    const rows = await exported("refunds", query);
    expect(rows).toEqual(expected);
    // i = 7 (order 1, succeeded, 2025-03-01 10:30 Shanghai), written out by hand
    expect(rows.find((r) => r[0] === "re_exp0007")).toEqual([
      "re_exp0007",
      "ch_exr1",
      "20012504010000001",
      "1.77",
      "succeeded",
      '顾客退货, 含"赠品"',
      "",
      "2025-03-01 10:30:00",
      "2025-03-01 11:00:00",
      "CNY",
    ]);
    // all of them over the whole range, every kind and status: still the list's rows (the refused claim in neither)
    const all: string[] = [];
    for (let page = 1; ; page++) {
      const l = await listRefunds(
        refundFilterSchema.parse({ from: "2025-01-01", to: "2025-12-31", page: String(page) }),
      );
      all.push(...l.rows.map(({ row: r }) => r.pingppId!));
      if (page >= l.pages) break;
    }
    expect(all).toHaveLength(47);
    expect((await exported("refunds", "from=2025-01-01&to=2025-12-31")).map((r) => r[0])).toEqual(all);
  });

  it("red envelopes: the same rows as the list, `creating` included (the list shows them and filters by them)", async () => {
    const statuses = ["sending", "received", "failed", "creating", "sent", "refund"] as const;
    await db.insert(redEnvelopes).values(
      Array.from({ length: 42 }, (_, i) => {
        const status = statuses[i % statuses.length]!;
        return {
          pingppId: status === "creating" ? null : `red_exp${String(i).padStart(4, "0")}`,
          orderNo: `202503${String(i).padStart(8, "0")}`,
          appId: "app_x",
          amount: 100 + i * 13,
          recipient: `oUpF8u_${i % 5}`,
          sendName: "示例商户",
          subject: "新年红包",
          body: "恭喜发财",
          description: "年会",
          status,
          failureMsg: status === "failed" ? "发放失败：用户未关注公众号" : null,
          receivedAt: status === "received" ? t(i * 80 + 10) : null,
          createdAt: t(i * 80), // every 80 min from 2025-03-01 00:00 Shanghai
        };
      }),
    );
    const listed = async (query: string) => {
      const f = redEnvelopeFilterSchema.parse(q(query));
      const out: string[][] = [];
      for (let page = 1; ; page++) {
        // as the list page calls it
        const l = await listRedEnvelopes({
          ...f,
          from: f.from ? shanghaiDayStart(f.from) : undefined,
          to: f.to ? shanghaiDayEnd(f.to) : undefined,
          page,
          perPage: 10,
        });
        out.push(
          ...l.rows.map((r) => [
            s(r.pingppId),
            r.orderNo,
            r.recipient,
            y(r.amount),
            r.status,
            r.subject,
            s(r.failureMsg),
            sh(r.createdAt),
            sh(r.receivedAt),
          ]),
        );
        if (page * l.perPage >= l.totals.count) break;
      }
      return out;
    };
    const range = "from=2025-03-01&to=2025-03-02";
    const expected = await listed(range);
    expect(expected.length).toBeGreaterThan(20);
    expect(expected.length).toBeLessThan(42);
    expect(expected.filter((r) => r[4] === "creating").length).toBeGreaterThan(2);
    expect(await exported("red-envelopes", range)).toEqual(expected);

    const creating = await listed(`status=creating&${range}`);
    expect(creating.length).toBeGreaterThan(2);
    expect(await exported("red-envelopes", `status=creating&${range}`)).toEqual(creating);

    // the search box: a prefix of the Ping++ id (case-sensitive) or of the order number; the export takes it too
    const searched = await listed(`q=red_exp000&${range}`);
    expect(searched.map((r) => r[0])).toEqual(
      expect.arrayContaining(["red_exp0001", "red_exp0002", "red_exp0004", "red_exp0005"]),
    );
    expect(searched.every((r) => r[0]!.startsWith("red_exp000"))).toBe(true);
    expect(await exported("red-envelopes", `q=red_exp000&${range}`)).toEqual(searched);
    expect(await exported("red-envelopes", "q=RED_EXP000")).toEqual([]);
    expect(await exported("red-envelopes", "q=2025030000000")).toEqual(await listed("q=2025030000000"));
    expect((await exported("red-envelopes", "q=2025030000000")).map((r) => r[1])).toEqual(
      expect.arrayContaining(["20250300000000", "20250300000003"]),
    );
    expect(await exported("red-envelopes", "q=red%25")).toEqual([]);

    const one = await listed("recipient=oUpF8u_1&status=received");
    expect(one.length).toBeGreaterThan(0);
    const rows = await exported("red-envelopes", "recipient=oUpF8u_1&status=received");
    expect(rows).toEqual(one);
    // i = 1: received, 2025-03-01 01:20 Shanghai, received ten minutes later
    expect(rows.find((r) => r[0] === "red_exp0001")).toEqual([
      "red_exp0001",
      "20250300000001",
      "oUpF8u_1",
      "1.13",
      "received",
      "新年红包",
      "",
      "2025-03-01 01:20:00",
      "2025-03-01 01:30:00",
    ]);
  });

  it("red envelopes: the export's keyset batches of 1,000 lose and repeat nothing when many rows share one created_at", async () => {
    const same = new Date("2025-06-01T02:00:00.123Z");
    await db.insert(redEnvelopes).values(
      Array.from({ length: 2300 }, (_, i) => ({
        pingppId: `red_bulk${String(i).padStart(5, "0")}`,
        orderNo: `202506${String(i).padStart(8, "0")}`,
        appId: "app_x",
        amount: 100 + (i % 50),
        recipient: "oBulk_recipient",
        sendName: "示例商户",
        subject: "批量红包",
        body: "恭喜发财",
        description: "批量",
        status: "sent" as const,
        createdAt: i < 1800 ? same : new Date(same.getTime() - (i - 1799) * 1000),
      })),
    );
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const l = await listRedEnvelopes({ recipient: "oBulk_recipient", page, perPage: 200 });
      ids.push(...l.rows.map((r) => r.pingppId!));
      if (page * l.perPage >= l.totals.count) break;
    }
    expect(new Set(ids).size).toBe(2300);
    expect((await exported("red-envelopes", "recipient=oBulk_recipient")).map((r) => r[0])).toEqual(ids);
  });

  it("settlements: method + status + Shanghai day range (a `creating` claim is in neither)", async () => {
    const statuses = [
      "succeeded",
      "partially_succeeded",
      "created",
      "creating",
      "failed",
      "canceled",
      "pending",
    ] as const;
    await db.insert(royaltySettlements).values(
      Array.from({ length: 35 }, (_, i) => {
        const status = statuses[i % statuses.length]!;
        const done = ["succeeded", "partially_succeeded", "failed"].includes(status);
        return {
          pingppId: status === "creating" ? null : `43125030${String(i).padStart(10, "0")}`,
          payerApp: "app_x",
          method: i % 2 ? "alipay" : "balance",
          status,
          amount: 5000 + i * 101,
          amountSucceeded: status === "succeeded" ? 5000 + i * 101 : status === "partially_succeeded" ? 3000 : 0,
          amountFailed: status === "failed" ? 5000 + i * 101 : status === "partially_succeeded" ? 2000 + i * 101 : 0,
          amountCanceled: status === "canceled" ? 5000 + i * 101 : 0,
          count: 1 + (i % 4),
          fee: i % 5,
          timeFinished: done ? t(i * 100 + 45) : null,
          createdAt: t(i * 100),
        };
      }),
    );
    const listed = async (query: string) => {
      const f = settlementFilterSchema.parse(q(query));
      const out: string[][] = [];
      for (let page = 1; ; page++) {
        const l = await listSettlements({
          ...f,
          from: f.from ? shanghaiDayStart(f.from) : undefined,
          to: f.to ? shanghaiDayEnd(f.to) : undefined,
          page,
          perPage: 5,
        });
        out.push(
          ...l.rows.map((r) => [
            s(r.pingppId),
            r.method,
            y(r.amount),
            y(r.amountSucceeded),
            y(r.amountFailed),
            y(r.amountCanceled),
            y(r.fee),
            String(r.count),
            r.status,
            sh(r.createdAt),
            sh(r.timeFinished),
          ]),
        );
        if (page * l.perPage >= l.totals.count) break;
      }
      return out;
    };
    const byMethod = "method=alipay&from=2025-03-01&to=2025-03-02";
    const expected = await listed(byMethod);
    expect(expected.length).toBeGreaterThan(6);
    expect(new Set(expected.map((r) => r[1]))).toEqual(new Set(["alipay"]));
    expect(expected.some((r) => r[0] === "")).toBe(false);
    const rows = await exported("settlements", byMethod);
    expect(rows).toEqual(expected);
    // i = 1: alipay, partially_succeeded, 2025-03-01 01:40 Shanghai, written out by hand
    expect(rows.find((r) => r[0] === "431250300000000001")).toEqual([
      "431250300000000001",
      "alipay",
      "51.01",
      "30.00",
      "21.01",
      "0.00",
      "0.01",
      "2",
      "partially_succeeded",
      "2025-03-01 01:40:00",
      "2025-03-01 02:25:00",
    ]);

    // the search box: a prefix of the Ping++ id; the export takes it too
    const searched = await listed("q=43125030000000000");
    expect(searched.map((r) => r[0]).sort()).toEqual(
      [0, 1, 2, 4, 5, 6, 7, 8, 9].map((i) => `4312503000000000${String(i).padStart(2, "0")}`),
    );
    expect(await exported("settlements", "q=43125030000000000")).toEqual(searched);
    expect(await exported("settlements", "q=4312503_")).toEqual([]);

    const failed = await listed("status=failed&from=2025-01-01&to=2025-12-31");
    expect(failed.length).toBeGreaterThan(1);
    expect(await exported("settlements", "status=failed&from=2025-01-01&to=2025-12-31")).toEqual(failed);
  });
});
