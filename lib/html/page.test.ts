import { beforeEach, describe, expect, it, vi } from "vitest";

/**
 * The plain pages' helpers (lib/html/page.ts) and their two form routes, /api/locale and
 * /api/logout, called as Next.js calls them. Next's request context (headers, cookies) and
 * next-intl's request config are stood in for; next-auth's signOut is a spy.
 */
const state = vi.hoisted(() => ({
  cookies: new Map<string, { value: string; opts: Record<string, unknown> }>(),
  locale: "zh-CN",
  nonce: "bm9uY2U=",
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-nonce": state.nonce }),
  cookies: async () => ({
    get: (name: string) => state.cookies.get(name),
    set: (name: string, value: string, opts: Record<string, unknown>) => void state.cookies.set(name, { value, opts }),
  }),
}));
vi.mock("next-intl/server", async () => {
  const core = (await import("@/lib/i18n/messages/zh-CN/core.json")).default;
  const finding = (await import("@/lib/i18n/messages/zh-CN/finding.json")).default;
  const messages: Record<string, unknown> = { ...finding, ...core };
  const lookup = (key: string): unknown =>
    key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], messages);
  return {
    getLocale: async () => state.locale,
    getTranslations: async (ns?: string) => (key: string) => String(lookup(ns ? `${ns}.${key}` : key) ?? key),
  };
});
const signOut = vi.hoisted(() => vi.fn(async () => undefined));
vi.mock("@/lib/auth/config", () => ({ signOut }));

import { esc, fromThisSite, htmlPage, localeSwitchForm, safeBack, scriptJson, statusPage } from "./page";
import { POST as localePOST } from "@/app/api/locale/route";
import { POST as logoutPOST } from "@/app/api/logout/route";

beforeEach(() => {
  state.cookies.clear();
  state.locale = "zh-CN";
  signOut.mockClear();
});

/** A form post as a browser sends it; `site` is its Sec-Fetch-Site (null: an old browser's Origin only). */
function formPost(path: string, form: Record<string, string>, headers: Record<string, string>) {
  return new Request(`http://console.test${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", host: "console.test", ...headers },
    body: new URLSearchParams(form),
  });
}
const SAME = { "sec-fetch-site": "same-origin", origin: "http://console.test" };
const CROSS = { "sec-fetch-site": "cross-site", origin: "https://evil.example" };

describe("esc and scriptJson", () => {
  it("esc turns every markup character into an entity", () => {
    expect(esc(`<img src=x onerror="alert('1')">&amp;`)).toBe(
      "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;amp;",
    );
    expect(esc(12)).toBe("12");
  });

  it("scriptJson never closes the script or opens a comment, and reads back as the same value", () => {
    const value = { a: "</script><script>alert(1)</script>", b: "<!-- x -->", c: "&amp;", n: [1, null] };
    const out = scriptJson(value);
    expect(out).not.toMatch(/<|>|&/);
    expect(JSON.parse(out)).toEqual(value);
  });
});

describe("safeBack", () => {
  it("keeps a path on this site", () => {
    expect(safeBack("/cashier/display/T01")).toBe("/cashier/display/T01");
    expect(safeBack("/?q=1#x")).toBe("/?q=1#x");
  });

  it("refuses another host, in any spelling, and what is not a path", () => {
    for (const v of ["//evil.example", "//evil.example/x", "/\\evil.example", "http://evil.example", "https:/x", ""])
      expect(safeBack(v), v).toBe("/");
    expect(safeBack(null, "/login")).toBe("/login");
    expect(safeBack(new File(["x"], "x.txt"))).toBe("/");
  });
});

describe("fromThisSite", () => {
  const req = (headers: Record<string, string>) =>
    new Request("http://console.test/api/locale", { method: "POST", headers: { host: "console.test", ...headers } });

  it("accepts a post from this site (Sec-Fetch-Site, or an Origin naming this host)", () => {
    expect(fromThisSite(req({ "sec-fetch-site": "same-origin" }))).toBe(true);
    expect(fromThisSite(req({ origin: "http://console.test" }))).toBe(true);
    expect(fromThisSite(req({ origin: "https://console.example", "x-forwarded-host": "console.example" }))).toBe(true);
  });

  it("refuses a cross-site or same-site post, a foreign Origin, a broken one, and a post that says nothing", () => {
    expect(fromThisSite(req({ "sec-fetch-site": "cross-site", origin: "http://console.test" }))).toBe(false);
    expect(fromThisSite(req({ "sec-fetch-site": "same-site" }))).toBe(false);
    expect(fromThisSite(req({ origin: "https://evil.example" }))).toBe(false);
    expect(fromThisSite(req({ origin: "null" }))).toBe(false);
    expect(fromThisSite(req({}))).toBe(false);
  });
});

describe("htmlPage and statusPage", () => {
  it("a whole localized document, never cached; the inline script carries this response's nonce", async () => {
    const res = await htmlPage({ title: "顾客屏", body: "<main>x</main>", script: "go()", status: 201 });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const html = await res.text();
    expect(html).toMatch(/^<!DOCTYPE html><html lang="zh-CN">/);
    expect(html).toContain("<title>顾客屏 · Ping++ 商户控制台</title>");
    expect(html).toContain(`<script nonce="${state.nonce}">go()</script></body></html>`);
  });

  it("403 and 404 pages with their status and heading", async () => {
    const forbidden = await statusPage(403);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toMatch(/data-testid="forbidden".*<h1>没有权限<\/h1>/);
    const missing = await statusPage(404);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/data-testid="not-found".*<h1>找不到该页面<\/h1>/);
  });

  it("the language switch names the other language and comes back to an escaped path", async () => {
    const form = await localeSwitchForm('/x?a="1"&b=<2>');
    expect(form).toContain('<input type="hidden" name="locale" value="en">');
    expect(form).toContain('value="/x?a=&quot;1&quot;&amp;b=&lt;2&gt;"');
    expect(form).toContain(">English</button>");
  });
});

describe("POST /api/locale", () => {
  it("sets the locale cookie for a year and answers 303 back to the page", async () => {
    const res = await localePOST(formPost("/api/locale", { locale: "en", back: "/cashier/display/T01" }, SAME));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/cashier/display/T01");
    expect(state.cookies.get("locale")).toEqual({
      value: "en",
      opts: { path: "/", sameSite: "lax", httpOnly: true, maxAge: 365 * 24 * 3600 },
    });
  });

  it("an old browser's same-host Origin will do; a `back` to another host goes home instead", async () => {
    const res = await localePOST(
      formPost("/api/locale", { locale: "zh-CN", back: "//evil.example/x" }, { origin: "http://console.test" }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    expect(state.cookies.get("locale")?.value).toBe("zh-CN");
  });

  it("refuses a post from another site, and one with no origin at all: no cookie", async () => {
    for (const headers of [CROSS, { origin: "https://evil.example" }, {}] as Record<string, string>[]) {
      const res = await localePOST(formPost("/api/locale", { locale: "en", back: "/" }, headers));
      expect(res.status).toBe(403);
    }
    expect(state.cookies.size).toBe(0);
  });

  it("refuses an unknown locale, a missing one and a body that is no form: no cookie", async () => {
    for (const form of [{ locale: "fr", back: "/" }, { back: "/" }] as Record<string, string>[])
      expect((await localePOST(formPost("/api/locale", form, SAME))).status).toBe(400);
    const json = new Request("http://console.test/api/locale", {
      method: "POST",
      headers: { "content-type": "application/json", ...SAME },
      body: JSON.stringify({ locale: "en" }),
    });
    expect((await localePOST(json)).status).toBe(400);
    expect(state.cookies.size).toBe(0);
  });
});

describe("POST /api/logout", () => {
  it("ends the session and answers 303 to the login page", async () => {
    const res = await logoutPOST(formPost("/api/logout", {}, SAME));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
    expect(signOut).toHaveBeenCalledOnce();
    expect(signOut).toHaveBeenCalledWith({ redirect: false });
  });

  it("refuses a post from another site (no one signs a user out from elsewhere)", async () => {
    for (const headers of [CROSS, { origin: "https://evil.example" }, {}] as Record<string, string>[])
      expect((await logoutPOST(formPost("/api/logout", {}, headers))).status).toBe(403);
    expect(signOut).not.toHaveBeenCalled();
  });
});
