import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addActor } from "@/tests/helpers/actors";
import { staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/services/actor";
import type { ChargeView } from "@/lib/services/charge-view";

/**
 * The customer display as a plain page: what it paints for each state (lib/html/customer-display.ts)
 * and its route's access rules, through the real session check against the staff table. Only
 * next-auth's cookie decoding, Next's request context and next-intl's request config are stood in for.
 */
const state = vi.hoisted(() => ({ uid: null as string | null }));
vi.mock("@/lib/auth/claims", () => ({ sessionClaims: async () => state.uid && { uid: state.uid, sv: 1 } }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-nonce": "bm9uY2U=" }),
  cookies: async () => ({ get: () => undefined }),
}));
vi.mock("next-intl/server", async () => {
  const files = ["core", "cashier", "finding"];
  const messages: Record<string, unknown> = {};
  for (const f of files) Object.assign(messages, (await import(`@/lib/i18n/messages/zh-CN/${f}.json`)).default);
  const lookup = (key: string): unknown =>
    key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], messages);
  return {
    getLocale: async () => "zh-CN",
    getTranslations:
      async (ns?: string) =>
      (key: string, values: Record<string, string> = {}) =>
        String(lookup(ns ? `${ns}.${key}` : key) ?? key).replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m),
  };
});

import { displayScript, displayState, qrSvg, screenHtml, type DisplayMessages } from "./customer-display";
import { GET } from "@/app/cashier/display/[terminal]/route";

const M: DisplayMessages = {
  welcome: "欢迎光临",
  terminal: "终端 T01",
  amount: "应付金额",
  scan: "请扫码支付",
  paid: "支付成功，谢谢！",
  ended: "本次收款已结束",
  attemptFailed: "支付未成功，请重新扫码",
  qr: "收款二维码",
};

function charge(over: Partial<ChargeView> = {}): ChargeView {
  return {
    id: "7f6c1d1e-0000-4000-8000-000000000001",
    chargeId: "ch_0000000000000000000001",
    status: "pending",
    amount: 1234,
    currency: "cny",
    channel: "alipay_qr",
    qrPayload: "http://127.0.0.1:4200/pay/ch_0000000000000000000001",
    timeExpire: null,
    timePaid: null,
    failureMsg: null,
    reversible: true,
    terminalId: "T01",
    ...over,
  };
}
const mainOf = (html: string) => /<main [^>]*>/.exec(html)?.[0] ?? "";

describe("displayState: what the poll answers and the page paints", () => {
  it("idle: nothing", async () => {
    expect(await displayState(null)).toEqual({ charge: null, amountText: null, qrSvg: null });
  });

  it("a pending charge: its amount as lib/money.ts writes it, and its QR as a 360 px SVG", async () => {
    const s = await displayState(charge({ amount: 123456 }));
    expect(s.amountText).toBe("¥1,234.56");
    expect(s.qrSvg).toBe(await qrSvg(charge().qrPayload!));
    expect(s.qrSvg).toMatch(/^<svg\b[^>]*\b(?:width|height)="360"/);
    expect(s.qrSvg).toMatch(/^<svg\b[^>]*\brole="img"/);
    expect(s.qrSvg).toMatch(/<path\b[^>]*\bd="M[^"]+"/);
    expect(s.qrSvg).toMatch(/<\/svg>$/);
    expect((await displayState(charge({ amount: 5, currency: "usd" }))).amountText).toBe("US$0.05");
  });

  it("the QR depends on the payload, and only a pending charge with a payload has one", async () => {
    expect(await qrSvg("http://a.test/pay/1")).not.toBe(await qrSvg("http://a.test/pay/2"));
    expect((await displayState(charge({ qrPayload: null }))).qrSvg).toBeNull();
    expect((await displayState(charge({ status: "paid" }))).qrSvg).toBeNull();
    expect((await displayState(charge({ status: "expired" }))).qrSvg).toBeNull();
  });

  it("a QR drawn again (a poll of the same charge) is the same; drawing many others in between changes none", async () => {
    const first = await qrSvg("http://a.test/pay/again");
    expect(await qrSvg("http://a.test/pay/again")).toBe(first);
    const others = await Promise.all(Array.from({ length: 100 }, (_, i) => qrSvg(`http://a.test/pay/other-${i}`)));
    expect(new Set(others).size).toBe(100);
    expect(others).not.toContain(first);
    expect(await qrSvg("http://a.test/pay/again")).toBe(first);
    expect(await qrSvg("http://a.test/pay/other-0")).toBe(others[0]);
  });
});

describe("screenHtml: the four states as the React screen drew them", () => {
  it("idle: welcome and the terminal, dark", async () => {
    const html = screenHtml(await displayState(null), M);
    expect(mainOf(html)).toBe('<main data-testid="display" data-status="idle" class="screen idle">');
    expect(html).toContain('<p class="welcome">欢迎光临</p><p class="where">终端 T01</p>');
  });

  it("pending: amount due, the labelled QR, then 'scan'; a failed attempt adds its notice", async () => {
    const s = await displayState(charge());
    const html = screenHtml(s, M);
    expect(mainOf(html)).toContain('data-status="pending"');
    expect(html).toContain('<p class="due">应付金额</p><p class="total">¥12.34</p>');
    expect(html).toContain(`<div class="qr"><svg aria-label="收款二维码"${s.qrSvg!.slice(4)}</div>`);
    expect(html).toMatch(/<p class="scan">请扫码支付<\/p><\/main>$/);
    expect(html).not.toContain("display-attempt-failed");
    const failed = screenHtml(await displayState(charge({ failureMsg: "余额不足" })), M);
    expect(failed).toContain('<p class="failed" data-testid="display-attempt-failed">支付未成功，请重新扫码</p>');
    expect(failed).not.toContain("余额不足"); // the customer sees the notice, not Ping++'s reason
  });

  it("paid: green, with the amount; any other status: ended, with that status", async () => {
    const paid = screenHtml(await displayState(charge({ status: "paid" })), M);
    expect(mainOf(paid)).toBe('<main data-testid="display" data-status="paid" class="screen paid">');
    expect(paid).toContain('<p class="thanks">支付成功，谢谢！</p><p class="sum">¥12.34</p>');
    for (const status of ["expired", "reversed", "failed"] as const) {
      const html = screenHtml(await displayState(charge({ status })), M);
      expect(mainOf(html)).toBe(`<main data-testid="display" data-status="${status}" class="screen ended">`);
      expect(html).toContain('<p class="over">本次收款已结束</p>');
    }
  });

  it("texts are escaped", async () => {
    const html = screenHtml(await displayState(null), { ...M, terminal: "<b>T01</b>" });
    expect(html).toContain("&lt;b&gt;T01&lt;/b&gt;");
  });
});

describe("displayScript", () => {
  it("carries the poll's URL, the painted state's ETag and the texts, and no text can end the script", async () => {
    const js = displayScript({
      url: "/api/terminals/T01/active",
      etag: '"abc"',
      m: { ...M, welcome: "</script><script>alert(1)</script>" },
    });
    expect(js).not.toMatch(/<\/script/i);
    expect(js).toContain('"url":"/api/terminals/T01/active"');
    expect(js).toContain('"etag":"\\"abc\\""');
    expect(js).toContain('url + "?wait=25"');
  });
});

describe("GET /cashier/display/{terminal}", () => {
  let db: Db;
  let cashier: Actor;
  let admin: Actor;
  beforeAll(async () => {
    db = await freshDb();
    cashier = await addActor(db, "c1@display.test", "cashier", "T01");
    admin = await addActor(db, "a1@display.test", "admin", null);
  });
  afterAll(closeDb);

  const get = (terminal: string, who: Actor | null) => {
    state.uid = who?.id ?? null;
    return GET(new Request(`http://console.test/cashier/display/${terminal}`), {
      params: Promise.resolve({ terminal }),
    });
  };

  it("no session: 303 to the login page", async () => {
    const res = await get("T01", null);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
  });

  it("a cashier's own terminal: the whole page, idle, its script with this response's nonce and the painted ETag", async () => {
    const res = await get("T01", cashier);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain('<main data-testid="display" data-status="idle" class="screen idle">');
    expect(html).toContain('<p class="where">终端 T01</p>');
    expect(html).toMatch(
      /<div class="controls" data-testid="display-controls"><form method="post" action="\/api\/locale">/,
    );
    expect(html).toContain('<input type="hidden" name="back" value="/cashier/display/T01">');
    expect(html).toContain('<form method="post" action="/api/logout">');
    expect(html).toContain('<script nonce="bm9uY2U=">');
    expect(html).toContain("<title>顾客屏 · Ping++ 商户控制台</title>");
    // the ETag the poll route gives the same state: the first poll waits instead of fetching it again
    const { etagOf } = await import("@/lib/auth/route");
    expect(html).toContain(JSON.stringify(etagOf(JSON.stringify(await displayState(null)))).slice(1, -1));
  });

  it("another terminal: 403 for a cashier, a page for an admin; a malformed terminal: 404", async () => {
    const other = await get("T02", cashier);
    expect(other.status).toBe(403);
    expect(await other.text()).toContain("<h1>没有权限</h1>");
    expect((await get("T02", admin)).status).toBe(200);
    const bad = await get("T0%201", admin);
    expect(bad.status).toBe(404);
    expect(await bad.text()).toContain('data-testid="not-found"');
  });

  it("an account that must change its password first: 303 to /account", async () => {
    await db.update(staffUsers).set({ mustChangePassword: true }).where(eq(staffUsers.id, cashier.id));
    try {
      const res = await get("T01", cashier);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/account");
    } finally {
      await db.update(staffUsers).set({ mustChangePassword: false }).where(eq(staffUsers.id, cashier.id));
    }
  });
});
