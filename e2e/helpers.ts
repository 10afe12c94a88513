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
