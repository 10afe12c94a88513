import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";

export { E2E_ADMIN };

/**
 * A password an admin set (new staff, reset) must be changed at the first login: the first time a
 * test logs in with one, this helper changes it (to the one-time password + "-own") on the
 * account page it lands on, and remembers that, so later logins with the one-time password the
 * test holds still work.
 */
const chosen = new Map<string, string>();

export async function login(page: Page, email: string, password: string) {
  const key = `${email.toLowerCase()}\n${password}`;
  const actual = chosen.get(key) ?? password;
  await page.goto("/login");
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill(actual);
  await page.getByRole("button", { name: "登录" }).click();
  const overview = page.getByRole("heading", { name: "概览" });
  const account = page.getByRole("heading", { name: "我的账号" });
  await expect(overview.or(account)).toBeVisible();
  if (await account.isVisible()) {
    const own = `${actual}-own`;
    await changeOwnPassword(page, actual, own);
    chosen.set(key, own);
    await expect(overview).toBeVisible();
  }
}

/** On the account page: change one's own password. */
export async function changeOwnPassword(page: Page, current: string, next: string) {
  await page.getByLabel("当前密码").fill(current);
  await page.getByLabel("新密码", { exact: true }).fill(next);
  await page.getByLabel("确认新密码").fill(next);
  await page.getByRole("button", { name: "修改密码" }).click();
}

export const loginAsAdmin = (page: Page) => login(page, E2E_ADMIN.email, E2E_ADMIN.password);

/** {@link login} in a new browser context (its own cookies, e.g. a cashier beside the admin's page). */
export async function loginInNewContext(browser: Browser, email: string, password: string) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await login(page, email, password);
  return { ctx, page };
}

/** The e2e server's in-process Ping++ sandbox (playwright.config.ts: console port + 1000). */
export const SANDBOX_URL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 1000}`;

const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
const WEBHOOK_URL = `http://127.0.0.1:${E2E_PORT}/api/webhooks/pingpp`;
const sample = JSON.parse(
  fs.readFileSync(
    path.join(import.meta.dirname, "../lib/pingpp/fixtures/seed-samples/qr-charge-10-charge.succeeded.json"),
    "utf8",
  ),
);

/**
 * A charge.succeeded webhook POSTed to the e2e console, signed with the sandbox's own webhook key as the sandbox
 * (Ping++) signs it, with the charge's fields overridden by `over`.
 */
export async function deliverSigned(over: Record<string, unknown>) {
  const key = fs.readFileSync(`.data-e2e-${E2E_PORT}/sandbox/sandbox_rsa_private_key.pem`, "utf8");
  const { appId } = (await (await fetch(`${SANDBOX_URL}/_sim/config`)).json()) as { appId: string };
  const id = `evt_e2e${crypto.randomBytes(10).toString("hex")}`;
  const charge = {
    ...sample.data.object,
    id: `ch_e2e${crypto.randomBytes(10).toString("hex")}`,
    app: appId,
    livemode: false,
    ...over,
  };
  const body = JSON.stringify({ ...sample, id, livemode: false, data: { object: charge } });
  const res = await fetch(WEBHOOK_URL, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-pingplusplus-signature": crypto.sign("RSA-SHA256", Buffer.from(body), key).toString("base64"),
    },
    body,
  });
  return { id, chargeId: charge.id as string, status: res.status };
}

/** POST a sandbox simulation control (/_sim/...). */
export async function sim(pathname: string, body: unknown = {}) {
  const res = await fetch(`${SANDBOX_URL}/_sim/${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sim ${pathname} → ${res.status} ${await res.text()}`);
  return res.json();
}

/** Create a staff member through the admin UI; returns the generated password. */
export async function addStaff(
  page: Page,
  s: { email: string; name: string; role: "admin" | "finance" | "cashier"; terminal?: string },
) {
  await page.goto("/staff");
  await page.getByLabel("邮箱", { exact: true }).fill(s.email);
  await page.getByLabel("姓名").fill(s.name);
  await page.getByLabel("角色", { exact: true }).selectOption(s.role);
  if (s.terminal) await page.getByLabel("终端", { exact: true }).fill(s.terminal);
  await page.getByRole("button", { name: "创建" }).click();
  const secret = page.getByTestId("one-time-secret");
  await expect(secret).toBeVisible();
  return (await secret.textContent())!.trim();
}

/** An order made in order mode on the cashier screen, left pending: returns its charge's ch_ id. */
export async function orderByQr(page: Page, amount: string): Promise<string> {
  await page.goto("/cashier");
  await page.getByLabel("金额（元）").fill(amount);
  await page.getByTestId("order-mode").check();
  await page.getByRole("button", { name: "生成收款码" }).click();
  const state = page.getByTestId("charge-status");
  await expect(state).toHaveAttribute("data-status", "pending");
  return (await state.getAttribute("data-charge-id"))!;
}

/** An order paid by QR on the cashier screen (the customer pays in the sandbox): returns the ch_ id. */
export async function paidOrderByQr(page: Page, amount: string): Promise<string> {
  const id = await orderByQr(page, amount);
  await payAtTill(page, id);
  return id;
}

/** The customer pays the pending charge `id` in the sandbox, and the cashier panel turns paid. */
async function payAtTill(page: Page, id: string) {
  await sim(`charges/${id}/pay`);
  await expect(page.getByTestId("charge-status")).toHaveAttribute("data-status", "paid");
}

/**
 * A QR charge made at the till on `o.terminal` (in `o.channel` if given, else the form's default; in order mode
 * with `o.orderMode`), left pending: returns its ch_ id.
 */
export async function tillCharge(
  page: Page,
  amount: string,
  o: { terminal: string; channel?: string; orderMode?: boolean },
): Promise<string> {
  await page.goto("/cashier");
  if (o.channel) await page.locator('[name="channel"]').selectOption(o.channel);
  await page.locator('[name="amount"]').fill(amount);
  await page.getByRole("textbox", { name: /^终端/ }).fill(o.terminal);
  if (o.orderMode) await page.getByTestId("order-mode").check();
  await page.getByRole("button", { name: "生成收款码" }).click();
  const status = page.getByTestId("charge-status");
  await expect(status).toHaveAttribute("data-status", "pending");
  return (await status.getAttribute("data-charge-id"))!;
}

/** {@link tillCharge}, then paid by the customer in the sandbox: returns its ch_ id. */
export async function paidTillCharge(
  page: Page,
  amount: string,
  o: { terminal: string; channel?: string; orderMode?: boolean },
): Promise<string> {
  const id = await tillCharge(page, amount, o);
  await payAtTill(page, id);
  return id;
}

/** axe's serious and critical violations on the page as it is now, readable in a failure. */
export async function seriousViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 5)
          .join(" | ")}`,
    );
}
