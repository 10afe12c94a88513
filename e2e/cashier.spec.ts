import { expect, test } from "@playwright/test";
import { loginAsAdmin } from "./helpers";

test.describe("QR cashier", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("charge → QR → the customer pays on the sandbox page → both screens turn green", async ({ page, context }) => {
    // the customer display of terminal T05, open before the charge exists
    const display = await context.newPage();
    await display.goto("/cashier/display/T05");
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "idle");

    await page.goto("/cashier");
    await page.getByLabel("金额（元）").fill("12.34");
    await page.getByLabel("终端", { exact: true }).fill("T05");
    await page.getByRole("button", { name: "生成收款码" }).click();

    const state = page.getByTestId("charge-state");
    await expect(state).toHaveAttribute("data-status", "pending");
    await expect(page.getByTestId("charge-amount")).toHaveText("¥12.34");
    await expect(page.getByTestId("charge-countdown")).toContainText(/剩余 1[45]:\d\d/);
    const payload = await page.getByTestId("charge-qr").getAttribute("data-payload");
    expect(payload).toMatch(/\/_sim\/pay\/ch_/);
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "pending");
    await expect(display.getByText("¥12.34")).toBeVisible();

    // the customer "scans" the QR: the sandbox's pay page, a real form post
    const phone = await context.newPage();
    await phone.goto(payload!);
    await phone.getByRole("button", { name: /确认支付/ }).click();

    await expect(state).toHaveAttribute("data-status", "paid", { timeout: 5_000 });
    await expect(page.getByText("支付成功")).toBeVisible();
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "paid", { timeout: 5_000 });
    // then back to a fresh charge form by itself
    await expect(page.getByLabel("金额（元）")).toHaveValue("", { timeout: 10_000 });
    await expect(page.getByTestId("recent-charges")).toContainText("已支付");
  });

  test("bad input is refused with a clear message and nothing is created", async ({ page }) => {
    await page.goto("/cashier");
    await page.getByLabel("金额（元）").fill("12.345");
    await page.getByRole("button", { name: "生成收款码" }).click();
    await expect(page.getByText("请输入大于 0 的金额，最多两位小数").first()).toBeVisible();

    await page.getByLabel("金额（元）").fill("8");
    await page.getByLabel("微信扫码").check();
    await page.getByLabel("商品 ID").fill("");
    await page.getByRole("button", { name: "生成收款码" }).click();
    await expect(page.getByText("必填").first()).toBeVisible();
    await expect(page.getByTestId("charge-state")).toHaveCount(0);
  });

  test("a pending charge can be reversed after confirming; cross-border shows US dollars", async ({ page }) => {
    await page.goto("/cashier");
    await page.getByLabel("支付宝跨境扫码").check();
    await expect(page.getByLabel("金额（美元）")).toBeVisible();
    await page.getByLabel("支付宝扫码", { exact: true }).check();
    await page.getByLabel("金额（元）").fill("3.50");
    await page.getByRole("button", { name: "生成收款码" }).click();
    await expect(page.getByTestId("charge-state")).toHaveAttribute("data-status", "pending");
    await page.getByRole("button", { name: "撤销收款" }).click();
    await expect(page.getByRole("dialog")).toContainText("¥3.50");
    await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
    await expect(page.getByTestId("charge-state")).toHaveAttribute("data-status", "reversed");
  });

  test("isv_scan: a keyboard-wedge scan + Enter is paid at once; a refused code shows Ping++'s message", async ({ page }) => {
    await page.goto("/cashier");
    await page.getByLabel("付款码（扫顾客）").check();
    await page.getByLabel("金额（元）").fill("1.00");
    await page.getByRole("textbox", { name: /^终端/ }).fill("T05");
    await page.getByLabel("顾客付款码").pressSequentially("fail0000001");
    await page.getByLabel("顾客付款码").press("Enter");
    await expect(page.getByRole("alert").filter({ hasText: "Ping++ 拒绝了请求" })).toBeVisible();
    await page.getByLabel("顾客付款码").fill("");
    await page.getByLabel("顾客付款码").pressSequentially("134567890123456789");
    await page.getByLabel("顾客付款码").press("Enter");
    await expect(page.getByTestId("charge-state")).toHaveAttribute("data-status", "paid");
  });
});
