import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { eq } from "drizzle-orm";
import { initialAdminTestbed } from "@/tests/helpers/staff";
import { auditLogs, loginAttempts, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/services/actor";
import { loadMessages } from "@/lib/i18n/request";
import { loginSchema } from "@/lib/validations/staff";
import { totpCode, TOTP_PERIOD } from "@/lib/auth/totp";
import * as staff from "@/lib/services/staff";
import * as accounts from "@/lib/services/accounts";
import { getActor } from "@/lib/auth/actor";
import { login } from "@/lib/auth/login";
import { GET, POST } from "@/app/(auth)/login/route";

/**
 * The login page (app/(auth)/login/route.ts, plain HTML) and the one login behind it
 * (lib/auth/login.ts), with next-auth's real credentials sign-in, the real staff service and
 * database: only Next.js's request scope (headers, the cookie jar the answer's cookies are put
 * in) and next-intl's catalogue loading are stood in for.
 */
const state = vi.hoisted(() => ({
  headers: new Headers(),
  jar: new Map<string, string>(),
  messages: {} as Record<string, unknown>,
}));
vi.mock("next/headers", () => ({
  headers: async () => state.headers,
  cookies: async () => ({
    get: (name: string) => (state.jar.has(name) ? { name, value: state.jar.get(name)! } : undefined),
    getAll: () => [...state.jar].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string) => void state.jar.set(name, value),
  }),
}));
vi.mock("next-intl/server", () => {
  const lookup = (key: string): unknown =>
    key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], state.messages);
  const translator = (ns?: string) => (key: string) => String(lookup(ns ? `${ns}.${key}` : key) ?? key);
  return {
    getTranslations: async (ns?: string) => translator(ns),
    getLocale: async () => "zh-CN",
    getRequestConfig: (f: unknown) => f,
  };
});

const SESSION = "authjs.session-token";
const NONCE = "dGVzdC1ub25jZQ==";
let db: Db;
let admin: Actor;
initialAdminTestbed((bed) => ({ db, admin } = bed));
beforeAll(async () => {
  state.messages = await loadMessages("zh-CN");
});
beforeEach(() => state.jar.clear());
const zh = (key: string) =>
  String(key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], state.messages));

/** A request as the browser sends it from our own page (Sec-Fetch-Site), the proxy's nonce added. */
function request(method: "GET" | "POST", fields?: Record<string, string>, extra: Record<string, string> = {}) {
  const headers = new Headers({
    host: "console.test",
    "x-forwarded-for": "203.0.113.5",
    "x-forwarded-proto": "http", // Next.js sets it; without it next-auth takes the __Secure- (HTTPS) cookie names
    "x-nonce": NONCE,
    ...(method === "POST"
      ? { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" }
      : {}),
    ...extra,
  });
  for (const [k, v] of Object.entries(extra)) if (v === "") headers.delete(k);
  state.headers = headers; // what next/headers answers inside this request (next-auth's signIn reads it)
  return new Request("http://console.test/login", {
    method,
    headers,
    body: fields ? new URLSearchParams(fields) : undefined,
  });
}
const post = (fields: Record<string, string>, extra?: Record<string, string>) => POST(request("POST", fields, extra));

async function person(password: string) {
  const { user } = await staff.createStaff(admin, {
    email: "li.lei@login.test",
    name: "李雷",
    role: "finance",
    password,
  });
  return user;
}
/** Two-factor sign-in on, enrolled ten steps ago (so the current code is a new one). */
async function withTwoFactor(user: { id: string; email: string; name: string; role: Actor["role"] }) {
  const actor: Actor = { ...user, terminalId: null, ip: "10.0.0.2" };
  const { secret } = await accounts.startTwoFactor(actor);
  const at = Date.now() - 10 * TOTP_PERIOD * 1000;
  const { recoveryCodes } = await accounts.confirmTwoFactor(actor, totpCode(secret, at), at);
  return { secret, recoveryCodes };
}
const attempts = () => db.$count(loginAttempts);
/** The value of the `name` input in the page, as the browser would read it (our esc() undone). */
const inputValue = (html: string, name: string) =>
  new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`)
    .exec(html)?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

describe("GET /login", () => {
  it("is the whole form as plain HTML: labelled fields, a post form, one inline script with the nonce, no framework script", async () => {
    const res = await GET(request("GET"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toContain("no-store");
    const html = await res.text();
    expect(html).toContain(`<html lang="zh-CN">`);
    expect(html).toContain(`<h1>${zh("login.title")}</h1>`);
    expect(html).toMatch(/<form id="login" method="post" action="\/login"/);
    expect(html).toContain(`<label for="email">${zh("login.email")}</label>`);
    expect(html).toMatch(
      /<input id="email" name="email" type="email" autocomplete="username" required value="" autofocus>/,
    );
    expect(html).toContain(`<label for="password">${zh("login.password")}</label>`);
    expect(html).toMatch(
      /<input id="password" name="password" type="password" autocomplete="current-password" required>/,
    );
    expect(html).toContain(`<button type="submit" class="primary">${zh("login.submit")}</button>`);
    // the language switch posts to /api/locale and comes back here
    expect(html).toMatch(/<form method="post" action="\/api\/locale">.*name="back" value="\/login"/);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual([`<script nonce="${NONCE}">`]);
    expect(html).not.toContain("/_next/");
    expect(html).not.toContain('role="alert"');
  });

  it("sends a signed-in visitor to the console", async () => {
    const user = await person("pw-finance-123");
    expect((await post({ email: user.email, password: "pw-finance-123" })).status).toBe(303);
    const cookie = `${SESSION}=${state.jar.get(SESSION)}`;
    const res = await GET(request("GET", undefined, { cookie }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
  });
});

describe("POST /login", () => {
  it("the right password: 303 to the console with a session cookie for that person", async () => {
    const user = await person("pw-finance-123");
    const res = await post({ email: "Li.Lei@login.test", password: "pw-finance-123" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    const token = state.jar.get(SESSION);
    expect(token).toBeTruthy();
    const actor = await getActor(new Request("http://console.test/", { headers: { cookie: `${SESSION}=${token}` } }));
    expect(actor).toMatchObject({ id: user.id, email: user.email });
  });

  it("a wrong password: refused with the message, the e-mail kept, the password not echoed, no cookie", async () => {
    const user = await person("pw-finance-123");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await post({ email: user.email, password: "wrong-pass-<1>" });
    // an expected outcome (throttled, audited), not a server error in the log
    expect(logged.mock.calls.filter((c) => c[0] === "[auth]")).toEqual([]);
    logged.mockRestore();
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain(`<div id="login-error" role="alert" class="alert">${zh("login.invalid")}</div>`);
    expect(inputValue(html, "email")).toBe(user.email);
    // the password is typed again: it has the focus, tied to the message
    expect(html).toMatch(/<input id="password"[^>]* autofocus aria-describedby="login-error" aria-invalid="true">/);
    expect(html).not.toContain("wrong-pass");
    expect(state.jar.size).toBe(0);
    expect(await attempts()).toBe(1); // counted by the throttle
  });

  it("five wrong passwords, then the right one: throttled (429), still no cookie", async () => {
    const user = await person("pw-finance-123");
    for (let i = 0; i < staff.THROTTLE.perAccount; i++)
      expect((await post({ email: user.email, password: `wrong-${i}` })).status).toBe(422);
    const res = await post({ email: user.email, password: "pw-finance-123" });
    expect(res.status).toBe(429);
    expect(await res.text()).toContain(zh("login.throttled"));
    expect(state.jar.size).toBe(0);
  });

  it("a post from another site is refused (403) before anything is tried", async () => {
    const user = await person("pw-finance-123");
    const form = { email: user.email, password: "pw-finance-123" };
    const refused: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site", origin: "https://evil.test" },
      { "sec-fetch-site": "same-site", origin: "https://shop.console.test" },
      { "sec-fetch-site": "", origin: "https://evil.test" }, // an older browser: the Origin decides
      { "sec-fetch-site": "" }, // neither header: not from our page
    ];
    for (const extra of refused) {
      const res = await post(form, extra);
      expect(res.status, JSON.stringify(extra)).toBe(403);
    }
    expect(state.jar.size).toBe(0);
    expect(await attempts()).toBe(0);
    expect(await db.$count(auditLogs, eq(auditLogs.action, "auth.login"))).toBe(0);
    // the same post from our own page (Origin only) signs in
    expect((await post(form, { "sec-fetch-site": "", origin: "http://console.test" })).status).toBe(303);
  });

  it("a two-factor account: the right password leads to the code step, which carries the e-mail and password", async () => {
    const password = `pw"<&>'-${"x".repeat(6)}`; // escaped into the hidden field, read back intact
    const user = await person(password);
    const { secret, recoveryCodes } = await withTwoFactor(user);

    const step = await post({ email: user.email, password });
    expect(step.status).toBe(200);
    const html = await step.text();
    expect(state.jar.size).toBe(0); // a step, not a login
    expect(html).toContain(`<label for="code">${zh("login.code")}</label>`);
    expect(html).toMatch(
      /<input id="code" name="code" inputmode="text" autocomplete="one-time-code" required maxlength="32" autofocus aria-describedby="code-hint">/,
    );
    expect(html).toContain(`<p id="code-hint" class="hint">${zh("login.codeHint")}</p>`);
    expect(html).toContain(`<button type="submit" class="primary">${zh("login.verify")}</button>`);
    expect(html).toContain(`name="back" value="1" class="back">${zh("login.back")}</button>`);
    expect(html).not.toContain('role="alert"');
    expect(html).not.toContain('id="password"'); // no password field to fill again
    const carried = { email: inputValue(html, "email")!, password: inputValue(html, "password")! };
    expect(carried).toEqual({ email: user.email, password });

    // a wrong code stays on the code step, with the message
    const good = totpCode(secret);
    const wrong = await post({ ...carried, code: String((Number(good) + 500_000) % 1_000_000).padStart(6, "0") });
    expect(wrong.status).toBe(422);
    const again = await wrong.text();
    expect(again).toContain(zh("login.invalidCode"));
    expect(again).toMatch(/<input id="code"[^>]* aria-describedby="code-hint login-error" aria-invalid="true">/);
    expect(inputValue(again, "password")).toBe(password);
    expect(state.jar.size).toBe(0);

    // the app's code signs in
    const ok = await post({ ...carried, code: good });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/");
    expect(state.jar.has(SESSION)).toBe(true);

    // so does a recovery code (a fresh browser)
    state.jar.clear();
    expect((await post({ ...carried, code: recoveryCodes[0]! })).status).toBe(303);
    expect(state.jar.has(SESSION)).toBe(true);
  });

  it("a code with a wrong password goes back to the password step; 'back' does too, trying nothing", async () => {
    const user = await person("pw-finance-123");
    await withTwoFactor(user);
    const res = await post({ email: user.email, password: "wrong-pass", code: "123456" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain(zh("login.invalid"));
    expect(html).toContain('id="password"');
    expect(html).not.toContain('id="code"');

    const before = await attempts();
    const back = await post({ email: user.email, password: "pw-finance-123", back: "1" });
    expect(back.status).toBe(200);
    const first = await back.text();
    expect(inputValue(first, "email")).toBe(user.email);
    expect(first).toContain('id="password"');
    expect(first).not.toContain("pw-finance-123");
    expect(await attempts()).toBe(before);
  });

  it("bad input (fuzzed): the invalid-login message, no cookie, nothing written", async () => {
    const junk = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom("", " ", "\u0000", "\ud800", "a@", "@b.cn", "'; drop table staff_users; --", "😀@中.cn"),
      fc.string({ minLength: 129, maxLength: 300 }),
    );
    const form = fc.record(
      { email: junk, password: fc.oneof(junk, fc.constant("pw")), code: fc.string({ minLength: 33, maxLength: 60 }) },
      { requiredKeys: ["email"] },
    );
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(
        form.filter((f) => !loginSchema.safeParse(f).success),
        async (f) => {
          tried++;
          const res = await post(f as Record<string, string>);
          expect(res.status).toBe(422);
          expect(await res.text()).toContain(zh("login.invalid"));
        },
      ),
      { seed: 19, numRuns: 100 },
    );
    expect(tried).toBeGreaterThanOrEqual(100);
    expect(state.jar.size).toBe(0);
    expect(await attempts()).toBe(0);
    expect(await db.$count(staffUsers)).toBe(1); // the first admin only
  });
});

describe("login() (lib/auth/login.ts)", () => {
  it("answers why it refused, in the visitor's language, and signs in otherwise", async () => {
    const user = await person("pw-finance-123");
    request("POST");
    expect(await login({ email: user.email, password: "nope-nope" })).toEqual({
      ok: false,
      code: "invalid",
      error: zh("login.invalid"),
    });
    await withTwoFactor(user);
    // the route passes `code: undefined` on the first step: it is not a code ("undefined")
    expect(await login({ email: user.email, password: "pw-finance-123", code: undefined })).toEqual({
      ok: false,
      code: "codeRequired",
      error: zh("login.codeRequired"),
    });
    expect(await login({ email: user.email, password: "pw-finance-123", code: "000000x" })).toMatchObject({
      ok: false,
      code: "invalidCode",
    });
    expect(state.jar.size).toBe(0);
  });
});
