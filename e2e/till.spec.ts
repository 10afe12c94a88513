import { expect, test } from "@playwright/test";
import { addStaff, login, loginAsAdmin } from "./helpers";

// At the till (issue 15, items 1 and 2), driven as the cashier and the customer would.
test.describe("at the till", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("fail, then pay on the same QR: the panel and the customer display follow Ping++ and end green", async ({
    page,
    context,
  }) => {
    // Ping++ sends no event for a failed attempt: the scheduler's charge sync learns of it (from 5 s on).
    test.setTimeout(90_000);
    const display = await context.newPage();
    await display.goto("/cashier/display/T41");
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "idle");

    await page.goto("/cashier");
    await page.getByLabel("金额（元）").fill("23.45");
    await page.getByLabel("终端", { exact: true }).fill("T41");
    await page.getByRole("button", { name: "生成收款码" }).click();
    const state = page.getByTestId("charge-status");
    await expect(state).toHaveAttribute("data-status", "pending");
    const payload = await page.getByTestId("charge-qr").getAttribute("data-payload");
    expect(payload).toMatch(/\/pay\/ch_/);
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "pending");

    // the customer scans, and the payment fails
    const phone = await context.newPage();
    await phone.goto(payload!);
    await phone.getByRole("button", { name: /模拟支付失败/ }).click();
    await expect(phone.getByText(/用户支付失败/)).toBeVisible();

    // not final: both screens say so and keep the same QR up
    await expect(page.getByTestId("charge-attempt-failed")).toContainText("顾客支付失败，可让顾客重新扫码", {
      timeout: 30_000,
    });
    await expect(state).toHaveAttribute("data-status", "pending");
    expect(await page.getByTestId("charge-qr").getAttribute("data-payload")).toBe(payload);
    await expect(display.getByTestId("display-attempt-failed")).toHaveText("支付未成功，请重新扫码", {
      timeout: 30_000,
    });
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "pending");

    // the customer tries again on the same QR, and pays
    await phone.getByRole("button", { name: /确认支付/ }).click();
    await expect(phone.getByText(/支付成功/)).toBeVisible();
    await expect(state).toHaveAttribute("data-status", "paid", { timeout: 15_000 });
    await expect(page.getByText("支付成功")).toBeVisible();
    await expect(page.getByText("已收款 ¥23.45")).toBeVisible();
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "paid", { timeout: 15_000 });
    // back to a fresh form; the history strip says 已支付
    await expect(page.getByLabel("金额（元）")).toHaveValue("", { timeout: 10_000 });
    await expect(page.getByTestId("recent-charges").locator("li").first()).toContainText("已支付");
    await expect(page.getByTestId("recent-charges").locator("li").first()).toContainText("¥23.45");
  });

  test("a cashier charges on their own terminal only; a crafted request for another is refused; /go hides other terminals", async ({
    page,
    browser,
  }) => {
    const password = await addStaff(page, {
      email: "t42@e2e.test",
      name: "四十二号",
      role: "cashier",
      terminal: "T42",
    });

    // finance/admin may choose the terminal: a charge on T43, the one the cashier will try to reach
    await page.goto("/cashier");
    await page.getByLabel("金额（元）").fill("4.30");
    await page.getByLabel("终端", { exact: true }).fill("T43");
    await page.getByRole("button", { name: "生成收款码" }).click();
    await expect(page.getByTestId("charge-status")).toHaveAttribute("data-status", "pending");
    const otherId = (await page.getByTestId("charge-status").getAttribute("data-charge-id"))!;
    expect(otherId).toMatch(/^ch_/);

    const cashier = await (await browser.newContext()).newPage();
    await login(cashier, "t42@e2e.test", password);
    await cashier.goto("/cashier");
    const terminal = cashier.getByLabel("终端", { exact: true });
    await expect(terminal).toHaveValue("T42");
    await expect(terminal).not.toBeEditable();
    await expect(cashier.getByText("收银员只能在自己的终端收款")).toBeVisible();

    // a crafted submission: the field unlocked in the page and set to another terminal
    await terminal.evaluate((el: HTMLInputElement) => {
      el.readOnly = false;
      el.value = "T43";
    });
    await cashier.getByLabel("金额（元）").fill("9.99");
    await cashier.getByRole("button", { name: "生成收款码" }).click();
    await expect(
      cashier.getByRole("alert").filter({ hasText: "收银员只能在自己的终端（T42）收款。" }).first(),
    ).toBeVisible();
    await expect(cashier.getByTestId("charge-status")).toHaveCount(0);
    // nothing reached T43: its list holds only the admin's charge
    await page.goto("/charges?terminal=T43");
    await expect(page.locator(`[data-charge-id="${otherId}"]`)).toBeVisible();
    await expect(page.getByText("¥9.99")).toHaveCount(0);

    // the cashier's own terminal works as before
    await cashier.goto("/cashier");
    await cashier.getByLabel("金额（元）").fill("9.99");
    await cashier.getByRole("button", { name: "生成收款码" }).click();
    await expect(cashier.getByTestId("charge-status")).toHaveAttribute("data-status", "pending");
    const ownId = (await cashier.getByTestId("charge-status").getAttribute("data-charge-id"))!;

    // /go: another terminal's charge answers exactly like an id that does not exist
    const go = (id: string) => cashier.request.get(`/go/${id}`, { maxRedirects: 0 });
    const hidden = await go(otherId);
    const unknown = await go("ch_doesnotexist000000000000");
    expect(hidden.status()).toBe(404);
    expect(unknown.status()).toBe(404);
    expect(await hidden.text()).toBe(await unknown.text());
    const own = await go(ownId);
    expect(own.status()).toBe(303);
    expect(own.headers().location).toBe(`/charges/${ownId}`);
    // the admin still reaches it
    const forAdmin = await page.request.get(`/go/${otherId}`, { maxRedirects: 0 });
    expect(forAdmin.status()).toBe(303);
  });
});
