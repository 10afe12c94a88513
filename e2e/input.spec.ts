import { expect, test } from "@playwright/test";
import { loginAsAdmin, sim } from "./helpers";

/**
 * Issue 15, items 3, 8 and 11, as staff meet them: amounts are read strictly at the till (and
 * the largest allowed one, above int4, goes through to paid), a bad date in a filter is a
 * message (pages) or a 400 (routes), and a copied session cookie dies with the logout.
 */

test.describe("amounts at the till", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("1,5 and ¥21,474,836.48 are refused with clear messages; 1,234.50 and ¥10,000,000.00 go through to paid", async ({
    page,
  }) => {
    await page.goto("/cashier");
    const amount = page.locator('[name="amount"]');
    const create = page.getByRole("button", { name: "生成收款码" });
    await amount.fill("1,5");
    await create.click();
    await expect(page.getByText("金额格式不对").first()).toBeVisible();
    await amount.fill("21474836.48");
    await create.click();
    await expect(page.getByText("金额过大：单笔最多 ¥10,000,000.00").first()).toBeVisible();
    await expect(page.getByTestId("charge-status")).toHaveCount(0);
    await expect(page.getByText("操作失败")).toHaveCount(0);

    await amount.fill("1,234.50");
    await create.click();
    await expect(page.getByTestId("charge-status")).toHaveAttribute("data-status", "pending");
    await expect(page.getByTestId("charge-amount")).toHaveText("¥1,234.50");

    // the largest a charge may be: 1,000,000,000 fen, above int4, stored and paid exactly
    await page.goto("/cashier");
    await page.locator('[name="amount"]').fill("10000000");
    await page.getByRole("button", { name: "生成收款码" }).click();
    const status = page.getByTestId("charge-status");
    await expect(status).toHaveAttribute("data-status", "pending");
    await expect(page.getByTestId("charge-amount")).toHaveText("¥10,000,000.00");
    const id = (await status.getAttribute("data-charge-id"))!;
    await sim(`charges/${id}/pay`);
    await expect(status).toHaveAttribute("data-status", "paid");
    await page.goto(`/charges/${id}`);
    await expect(page.getByText("¥10,000,000.00").first()).toBeVisible();
  });
});

test.describe("dates in filters", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("a list page, the overview and the shift report say a date is invalid instead of failing", async ({ page }) => {
    for (const url of [
      "/charges?from=2024-13-01",
      "/orders?to=0001-01-01",
      "/?from=2024-13-01",
      "/shift-report?terminal=T01&from=2024-13-01T00:00",
      "/audit?from=2023-02-29",
    ]) {
      const res = await page.goto(url);
      expect(res?.status(), url).toBe(200);
      await expect(page.getByTestId("date-filter-error"), url).toContainText("日期无效");
    }
    const ok = await page.goto("/charges?from=2024-02-29");
    expect(ok?.status()).toBe(200);
    await expect(page.getByTestId("date-filter-error")).toHaveCount(0);
  });

  test("/api/overview and the exports answer 400 JSON", async ({ page }) => {
    for (const url of [
      "/api/overview?from=2024-13-01",
      "/api/overview?from=0001-01-01",
      "/api/exports/charges?from=2024-13-01",
      "/api/exports/refunds?to=0001-01-01",
    ]) {
      const res = await page.request.get(url);
      expect(res.status(), url).toBe(400);
      expect((await res.json()).error, url).toBe("invalid_date");
    }
  });
});

test("logging out ends the session on the server: a copied cookie no longer works", async ({ page, browser }) => {
  await loginAsAdmin(page);
  const copied = await page.context().cookies();
  expect(copied.some((c) => c.name.includes("session-token"))).toBe(true);
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/login/);

  const thief = await browser.newContext();
  await thief.addCookies(copied);
  const other = await thief.newPage();
  await other.goto("/charges");
  await expect(other).toHaveURL(/\/login/);
  expect((await other.request.get("/api/overview")).status()).toBe(401);
  await thief.close();
});
