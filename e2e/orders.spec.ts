import { expect, test, type Page } from "@playwright/test";
import { addStaff, login, loginAsAdmin, loginInNewContext, orderByQr, sim } from "./helpers";

/** The newest order's detail page (lists are newest first). */
async function openNewestOrder(page: Page) {
  await page.goto("/orders");
  await page.getByTestId("orders-table").getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "订单详情" })).toBeVisible();
}

async function refund(page: Page, amount: string, reason: string) {
  const form = page.getByTestId("refund-form");
  await form.getByLabel("退款金额").fill(amount);
  await form.getByLabel("退款原因").fill(reason);
  await form.getByRole("button", { name: "退款" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`确认退款 ¥${amount}？`);
  await expect(dialog).toContainText(reason);
  await dialog.getByRole("button", { name: "确认" }).click();
}

/** Reload until `check` passes (webhooks land asynchronously). */
const eventually = (page: Page, check: () => Promise<void>) =>
  expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 15_000 });

test.describe("orders and refunds", () => {
  test("order mode paid by QR → partial refund → second refund up to the remainder → a third is refused", async ({
    page,
    context,
  }) => {
    await loginAsAdmin(page);
    const chargeId = await orderByQr(page, "20.00");
    await sim(`charges/${chargeId}/pay`);
    await expect(page.getByTestId("charge-status")).toHaveAttribute("data-status", "paid");

    await openNewestOrder(page);
    await eventually(page, () =>
      expect(page.getByTestId("status").first()).toHaveAttribute("data-status", "paid", { timeout: 1000 }),
    );
    await expect(page.getByTestId("refund-remainder")).toHaveText("可退金额 ¥20.00");
    const orderUrl = page.url();

    await refund(page, "5.00", "顾客退回一件");
    await expect(page.getByTestId("order-refunds")).toContainText("¥5.00");
    await expect(page.getByTestId("refund-remainder")).toHaveText("可退金额 ¥15.00");
    // refund.succeeded, the page follows by itself
    await expect(page.getByTestId("order-refunds")).toContainText("退款成功");

    // A second member of staff has the same order open, from before the next refund.
    const stale = await context.newPage();
    await stale.goto(orderUrl);
    await expect(stale.getByTestId("refund-remainder")).toHaveText("可退金额 ¥15.00");

    await refund(page, "15.00", "顾客全部退货");
    await expect(page.getByTestId("order-refunds")).toContainText("¥15.00");
    await expect(page.getByTestId("refund-form")).toHaveCount(0); // nothing left to refund

    await refund(stale, "1.00", "再退一点");
    await expect(stale.getByRole("alert").filter({ hasText: "退款金额超过可退金额" })).toContainText("¥0.00");

    await eventually(page, () => expect(page.getByTestId("amount-refunded")).toHaveText("¥20.00", { timeout: 1000 }));
    await page.goto("/refunds");
    await expect(page.getByTestId("refunds-table")).toContainText("顾客全部退货");
    await page.goto("/audit?action=refund.create");
    await expect(page.getByTestId("audit-table")).toContainText("再退一点");
  });

  test("cancel an unpaid order after confirming", async ({ page }) => {
    await loginAsAdmin(page);
    await orderByQr(page, "6.60");
    await openNewestOrder(page);
    await page.getByTestId("cancel-order").click();
    await expect(page.getByRole("dialog")).toContainText("¥6.60");
    await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
    await expect(page.getByTestId("status").first()).toHaveAttribute("data-status", "canceled");
    await expect(page.getByTestId("cancel-order")).toHaveCount(0);
  });

  test("a canceled order that is paid anyway is flagged, and its excess refunded in one click", async ({ page }) => {
    await loginAsAdmin(page);
    await orderByQr(page, "8.00");
    await openNewestOrder(page);
    const orderId = (await page.getByTestId("order-id").textContent())!.trim();
    await page.getByTestId("cancel-order").click();
    await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
    await expect(page.getByTestId("status").first()).toHaveAttribute("data-status", "canceled");

    await sim(`orders/${orderId}/pay_after_cancel`);
    await eventually(page, () =>
      expect(page.getByTestId("order-anomaly")).toContainText("订单已取消，但仍被支付", { timeout: 1000 }),
    );
    await expect(page.getByTestId("order-anomaly")).toContainText("多收 ¥8.00");

    await page.goto("/orders?attention=1");
    await expect(page.getByTestId(`order-row-${orderId}`).getByTestId("order-anomaly")).toBeVisible();
    await page.getByTestId(`order-row-${orderId}`).getByRole("link").click();

    await page.getByTestId("refund-excess").click();
    await expect(page.getByRole("dialog")).toContainText("¥8.00");
    await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
    await expect(page.getByTestId("order-anomaly")).toHaveCount(0);
    await expect(page.getByTestId("order-refunds")).toContainText("订单已取消后仍被支付");
    await page.goto("/orders?attention=1");
    await expect(page.getByTestId(`order-row-${orderId}`)).toHaveCount(0);
  });

  test("a cashier sees their terminal's order read-only and cannot refund: no form, and the action is refused", async ({
    page,
    browser,
  }) => {
    await loginAsAdmin(page);
    const password = await addStaff(page, {
      email: "cashier-orders@e2e.test",
      name: "收银员订单",
      role: "cashier",
      terminal: "T07",
    });

    const { ctx, page: cashier } = await loginInNewContext(browser, "cashier-orders@e2e.test", password);
    const chargeId = await orderByQr(cashier, "3.00");
    await sim(`charges/${chargeId}/pay`);
    await expect(cashier.getByTestId("charge-status")).toHaveAttribute("data-status", "paid");
    await openNewestOrder(cashier);
    await expect(cashier.getByText("收银员只能查看订单")).toBeVisible();
    await expect(cashier.getByTestId("refund-form")).toHaveCount(0);
    await expect(cashier.getByTestId("cancel-order")).toHaveCount(0);
    await cashier.goto("/refunds");
    await expect(cashier.getByRole("heading", { name: "没有权限" })).toBeVisible();
    await ctx.close();

    // The refund form opened by finance, submitted after a cashier took over the browser.
    await openNewestOrder(page);
    await eventually(page, () => expect(page.getByTestId("refund-form")).toBeVisible({ timeout: 1000 }));
    const other = await page.context().newPage();
    await page.context().clearCookies();
    await login(other, "cashier-orders@e2e.test", password);
    await refund(page, "1.00", "收银员试图退款");
    await expect(page.getByRole("alert").filter({ hasText: "您的角色无权执行此操作" })).toBeVisible();
  });
});
