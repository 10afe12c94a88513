import { expect, test, type Locator, type Page } from "@playwright/test";
import { NAV_ITEMS } from "../components/nav";
import { E2E_ADMIN, loginAsAdmin, paidOrderByQr, seriousViolations } from "./helpers";

/**
 * Accessibility (issue 19): axe-core on every console page and the cashier screens, no serious or
 * critical violation; and the main forms (login, the cashier's charge form, the refund form) can
 * be filled and sent from the keyboard alone, with the focus visible at each step.
 */

/** Whether the focused element shows a focus indicator (:focus-visible with an outline or a ring). */
const focusVisible = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body || !el.matches(":focus-visible")) return false;
    const s = getComputedStyle(el);
    return (
      (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== "none" && s.boxShadow !== "")
    );
  });

/** Tab until `target` has the focus, checking each stop shows it; at most `max` presses. */
async function tabTo(page: Page, target: Locator, max = 30) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    expect(await focusVisible(page), "every focus stop is visible").toBe(true);
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`not reached by Tab in ${max} presses`);
}

test.describe("accessibility", () => {
  test("axe: no serious or critical violation on the login page", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test("axe: no serious or critical violation on any console page or cashier screen", async ({ page }) => {
    test.setTimeout(180_000);
    await loginAsAdmin(page);
    await paidOrderByQr(page, "88.00");
    await page.goto("/charges");
    const detail = await page.getByTestId("charges-table").getByRole("link").first().getAttribute("href");
    expect(detail).toMatch(/^\/charges\//);
    // every page of the sidebar (components/nav.ts is the one list of the console's sections), then
    // the pages beyond it: the customer display (a kiosk screen), a charge's detail page, the forms
    // and the batches page reached from their lists, and /account (the header's link); /login has
    // its own test above
    const beyondNav = [
      "/cashier/display/T01",
      detail!,
      "/settlements/new",
      "/red-envelopes/new",
      "/red-envelopes/batches",
      "/account",
    ];
    const pages = [...NAV_ITEMS.map((i) => i.href), ...beyondNav];
    const found: Record<string, string[]> = {};
    for (const p of pages) {
      const res = await page.goto(p);
      expect(res?.status(), p).toBe(200);
      await page.locator("h1, [data-testid=display]").first().waitFor();
      const v = await seriousViolations(page);
      if (v.length) found[p] = v;
    }
    expect(found).toEqual({});
  });

  test("keyboard: log in with Tab and Enter, the focus visible at each stop", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByLabel("邮箱")).toBeFocused(); // autofocus
    await page.keyboard.type(E2E_ADMIN.email);
    await tabTo(page, page.getByLabel("密码"));
    await page.keyboard.type(E2E_ADMIN.password);
    await tabTo(page, page.getByRole("button", { name: "登录" }));
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { name: "概览" })).toBeVisible();
  });

  test("keyboard: the cashier's charge form, filled and sent without the mouse", async ({ page }) => {
    await loginAsAdmin(page);
    await page.goto("/cashier");
    await page.getByRole("heading", { name: "收银台" }).waitFor();
    await expect(page.getByLabel("金额（元）")).toBeFocused(); // autofocus: the amount is typed first
    await page.keyboard.type("6.60");
    await tabTo(page, page.getByRole("button", { name: "生成收款码" }));
    await page.keyboard.press(" ");
    await expect(page.getByTestId("charge-status")).toHaveAttribute("data-status", "pending");
    await expect(page.getByTestId("charge-amount")).toHaveText("¥6.60");
  });

  test("keyboard: the refund form, filled, sent and confirmed without the mouse", async ({ page }) => {
    await loginAsAdmin(page);
    await paidOrderByQr(page, "30.00");
    await page.goto("/orders");
    await page.getByTestId("orders-table").getByRole("link").first().click();
    const form = page.getByTestId("refund-form");
    await expect(form).toBeVisible({ timeout: 15_000 });
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("refund-remainder")).toHaveText("可退金额 ¥30.00", { timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await tabTo(page, form.getByLabel("退款金额"), 60);
    await page.keyboard.type("3.00");
    await tabTo(page, form.getByLabel("退款原因"));
    await page.keyboard.type("键盘退款");
    await tabTo(page, form.getByRole("button", { name: "退款" }));
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("确认退款 ¥3.00？");
    // the dialog takes the focus on its confirm button (visible); Enter sends the refund
    await expect(dialog.getByRole("button", { name: "确认" })).toBeFocused();
    expect(await focusVisible(page)).toBe(true);
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("order-refunds")).toContainText("键盘退款");
  });
});
