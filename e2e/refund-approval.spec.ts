import { expect, test, type Page } from "@playwright/test";
import { addStaff, login, loginAsAdmin, paidOrderByQr } from "./helpers";

/** Reload until `check` passes (webhooks land asynchronously). */
const eventually = (page: Page, check: () => Promise<void>) =>
  expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout: 15_000 });

test("refund approval: admin sets a threshold, finance A's refund waits, A cannot approve it, finance B approves, the order shows the refund", async ({
  page,
  browser,
}) => {
  await loginAsAdmin(page);
  const passA = await addStaff(page, { email: "fin-a@e2e.test", name: "财务甲", role: "finance" });
  const passB = await addStaff(page, { email: "fin-b@e2e.test", name: "财务乙", role: "finance" });

  // 设置 → 退款审批: ¥10.00 and above needs a second person
  await page.goto("/settings");
  const settings = page.getByTestId("refund-approval-settings");
  await settings.getByLabel("单笔审批金额（元，大于或等于即需审批）").fill("10.00");
  await settings.getByRole("button", { name: "保存" }).click();
  await expect(settings).toContainText("已保存退款审批设置。");

  // a paid order (order mode on the cashier screen)
  await paidOrderByQr(page, "30.00");
  await page.goto("/orders");
  await page.getByTestId("orders-table").getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "订单详情" })).toBeVisible();
  const orderUrl = page.url();

  // finance A requests ¥12.00: held, not sent; the remainder already counts it
  const a = await (await browser.newContext()).newPage();
  await login(a, "fin-a@e2e.test", passA);
  await a.goto(orderUrl);
  await eventually(a, () => expect(a.getByTestId("refund-form")).toBeVisible({ timeout: 1000 }));
  const form = a.getByTestId("refund-form");
  await form.getByLabel("退款金额").fill("12.00");
  await form.getByLabel("退款原因").fill("顾客退货");
  await form.getByRole("button", { name: "退款" }).click();
  await a.getByRole("dialog").getByRole("button", { name: "确认" }).click();
  // the page says so, and the message stays while the page refreshes under it (a fresh form)
  await expect(a.getByTestId("refund-done")).toContainText("已保存为待审批");
  await expect(a.getByTestId("refund-remainder")).toHaveText("可退金额 ¥18.00");
  await expect(a.getByTestId("refund-done")).toContainText("已保存为待审批");
  // a fresh form: the amount offered is what is left
  await expect(a.getByTestId("refund-form").getByLabel("退款金额")).toHaveValue("18.00");
  await a.reload();
  await expect(a.getByTestId("order-refunds")).toContainText("待审批");
  await expect(a.getByTestId("refund-remainder")).toHaveText("可退金额 ¥18.00");
  // the requester may only withdraw
  await expect(a.getByTestId("refund-approval").getByRole("button", { name: "批准并退款" })).toHaveCount(0);
  await expect(a.getByTestId("refund-approval").getByRole("button", { name: "撤回" })).toBeVisible();

  // the refunds list shows it under its own status
  await a.goto("/refunds?status=awaiting_approval");
  await expect(a.getByTestId("refunds-table")).toContainText("顾客退货");
  // needs attention sends it to its page for a decision: it cannot be "marked handled" away from there
  await a.goto("/attention?kind=refundAwaitingApproval");
  await expect(a.getByRole("link", { name: "去审批" })).toHaveAttribute("href", new URL(orderUrl).pathname);
  await expect(a.getByRole("button", { name: "标记已处理" })).toHaveCount(0);

  // finance B approves, after a confirmation
  const b = await (await browser.newContext()).newPage();
  await login(b, "fin-b@e2e.test", passB);
  await b.goto(orderUrl);
  const approval = b.getByTestId("refund-approval");
  await approval.getByLabel("审批说明").fill("已核对订单");
  await approval.getByRole("button", { name: "批准并退款" }).click();
  const dialog = b.getByRole("dialog");
  await expect(dialog).toContainText("确认批准并退款 ¥12.00？");
  await dialog.getByRole("button", { name: "确认" }).click();
  await eventually(b, () => expect(b.getByTestId("order-refunds")).toContainText("退款成功", { timeout: 1000 }));
  await expect(b.getByTestId("order-refunds")).toContainText("¥12.00");
  await expect(b.getByTestId("refund-remainder")).toHaveText("可退金额 ¥18.00");
  await expect(b.getByTestId("refund-approval")).toHaveCount(0);
});
