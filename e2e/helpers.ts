import { expect, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";

export { E2E_ADMIN };

export async function login(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "概览" })).toBeVisible();
}

export const loginAsAdmin = (page: Page) => login(page, E2E_ADMIN.email, E2E_ADMIN.password);

/** The e2e server's in-process Ping++ sandbox (playwright.config.ts: console port + 1000). */
export const SANDBOX_URL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 1000}`;

/** POST a sandbox simulation control (/_sim/...). */
export async function sim(pathname: string, body: unknown = {}) {
  const res = await fetch(`${SANDBOX_URL}/_sim/${pathname}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`sim ${pathname} → ${res.status} ${await res.text()}`);
  return res.json();
}

/** Create a staff member through the admin UI; returns the generated password. */
export async function addStaff(page: Page, s: { email: string; name: string; role: "admin" | "finance" | "cashier"; terminal?: string }) {
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
