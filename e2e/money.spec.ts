import { expect, test, type Page } from "@playwright/test";
import { loginAsAdmin, paidTillCharge } from "./helpers";
import { shanghaiToday } from "../lib/dates";
import { unlessDayChanged } from "./shanghai-day";

/**
 * Issue 15, items 4 and 5, as a merchant sees them: a cross-border (US$) charge is never added
 * into yuan, and a partial refund reads 部分退款 on every page.
 */

/** "¥1,234.56" / "US$3.00" → fen; a card that is not there (no such currency yet) → 0. */
async function fen(page: Page, testId: string): Promise<number> {
  const el = page.getByTestId(testId);
  if ((await el.count()) === 0) return 0;
  const text = (await el.textContent()) ?? "";
  return Math.round(Number(text.replace(/[^\d.]/g, "")) * 100);
}

/** Reload until `check` passes (webhooks land asynchronously). */
const eventually = (page: Page, check: () => Promise<void>) =>
  expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 15_000 });

test.describe("money truth", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("a ¥ and a US$ charge: overview, charges list and shift report show one line per currency, never added", async ({
    page,
    context,
  }) => {
    const startDay = shanghaiToday();
    const overview = await context.newPage();
    await overview.goto("/");
    const cnyBefore = await fen(overview, "overview-cny-gross");
    const usdBefore = await fen(overview, "overview-usd-gross");

    await paidTillCharge(page, "7.00", { terminal: "T41", channel: "alipay_qr" });
    await paidTillCharge(page, "3.00", { terminal: "T41", channel: "cb_alipay_qr" });

    // the overview: a yuan row and a dollar row of cards, each grown by its own charge only
    const crossed = await unlessDayChanged(startDay, async () => {
      await expect(overview.getByTestId("overview-usd")).toBeVisible({ timeout: 15_000 });
      await expect.poll(() => fen(overview, "overview-usd-gross"), { timeout: 15_000 }).toBe(usdBefore + 300);
      await expect.poll(() => fen(overview, "overview-cny-gross")).toBe(cnyBefore + 700);
    });
    // past Shanghai midnight the overview shows the new day, which may lack either charge: both days instead
    if (crossed) await overview.goto(`/?from=${startDay}&to=${shanghaiToday()}`);
    await expect(overview.getByTestId("overview-usd")).toBeVisible();
    await expect(overview.getByTestId("overview-usd-gross")).toHaveText(/^US\$/);
    await expect(overview.getByTestId("overview-cny-gross")).toHaveText(/^¥/);
    // the chart and breakdowns: one currency at a time
    await overview.getByRole("tab", { name: "美元" }).click();
    await expect(overview.getByTestId("overview-trend")).toHaveAttribute("data-currency", "usd");
    await expect(overview.getByText("支付宝跨境扫码")).toBeVisible();

    // the charges list of that terminal: ¥7.00 and US$3.00 on two lines, no ¥10.00
    await page.goto("/charges?terminal=T41&status=paid");
    await expect(page.getByTestId("charges-totals-cny")).toContainText("¥7.00");
    await expect(page.getByTestId("charges-totals-usd")).toContainText("US$3.00");
    await expect(page.getByTestId("charges-totals")).not.toContainText("10.00");
    await expect(page.getByTestId("charges-table")).toContainText("US$3.00");

    // the shift report (and its printout): the dollar charge's amount is counted, as dollars
    // the report's window starts at today's 00:00 by default: past Shanghai midnight, at the start of the test's day
    await page.goto(`/shift-report?terminal=T41${shanghaiToday() === startDay ? "" : `&from=${startDay}T00:00`}`);
    await expect(page.getByTestId("shift-paid-cny")).toHaveText("¥7.00 · 1 笔");
    await expect(page.getByTestId("shift-paid-usd")).toHaveText("US$3.00 · 1 笔");
  });

  test("an order with a partial refund reads 部分退款 on its page, the orders list and the charges list", async ({
    page,
  }) => {
    const chargeId = await paidTillCharge(page, "20.00", { terminal: "T42", orderMode: true });

    await page.goto("/orders");
    await page.getByTestId("orders-table").getByRole("link").first().click();
    await expect(page.getByRole("heading", { name: "订单详情" })).toBeVisible();
    await eventually(page, () =>
      expect(page.getByTestId("status").first()).toHaveAttribute("data-status", "paid", { timeout: 1000 }),
    );
    const orderUrl = page.url();
    const orderId = (await page.getByTestId("order-id").textContent())!.trim();

    const form = page.getByTestId("refund-form");
    await form.getByLabel("退款金额").fill("5.00");
    await form.getByLabel("退款原因").fill("退一件");
    await form.getByRole("button", { name: "退款" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();

    // Ping++ calls the order `refunded`; ¥5.00 of ¥20.00 went back: 部分退款
    await eventually(page, () => expect(page.getByTestId("amount-refunded")).toHaveText("¥5.00", { timeout: 1000 }));
    await expect(page.getByTestId("status").first()).toHaveAttribute("data-status", "partially_refunded");
    await expect(page.getByTestId("status").first()).toHaveText("部分退款");

    await page.goto("/orders?status=partially_refunded");
    const row = page.getByTestId(`order-row-${orderId}`);
    await expect(row).toContainText("部分退款");
    await expect(row).toContainText("¥5.00");
    await page.goto("/orders?status=refunded");
    await expect(page.getByTestId(`order-row-${orderId}`)).toHaveCount(0);

    await page.goto(`/charges?q=${chargeId}`);
    await expect(page.locator(`[data-charge-id="${chargeId}"]`).getByTestId("refund-state")).toHaveText("部分退款");
    await page.goto(`/charges/${chargeId}`);
    await expect(page.getByTestId("refund-state")).toHaveText("部分退款");
    await expect(page.getByTestId("charge-refunded")).toHaveText("¥5.00");

    await page.goto(orderUrl);
    await expect(page.getByTestId("order-refunds")).toContainText("退款成功");
  });
});
