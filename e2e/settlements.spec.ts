import { expect, test } from "@playwright/test";
import { loginAsAdmin } from "./helpers";

/** The e2e server's sandbox listens on E2E_PORT + 1000; its /_sim controls need no key. */
const SIM = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 1000}/_sim`;
const sim = async (path: string, body: unknown) => {
  const res = await fetch(`${SIM}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.ok, `${path} → ${res.status}`).toBe(true);
};

test("royalty settlement: preview → create → confirm → the detail page shows the outcome per transaction; the failed royalty settles again, then cancel", async ({
  page,
}) => {
  // three source users' royalties, all created on one (past) Shanghai day
  const created = Math.floor(Date.parse("2025-06-01T12:00:00+08:00") / 1000);
  await sim("royalties", {
    royalties: [
      { source_user: "e2e_alice", amount: 1500, created },
      { source_user: "e2e_alice", amount: 500, created },
      { source_user: "e2e_bob", amount: 1800, created },
      { source_user: "e2e_carol", amount: 700, created },
    ],
  });

  await loginAsAdmin(page);
  await page.getByRole("link", { name: "分润结算" }).click();
  await expect(page.getByRole("heading", { name: "分润结算" })).toBeVisible();
  await page.getByRole("link", { name: "新建分润结算" }).click();
  await expect(page.getByLabel("付款应用（payer_app）")).toHaveValue(/^app_/);

  // bad input: changes nothing, says why
  await page.getByLabel("分润产生日期：从").fill("2025-06-02");
  await page.getByLabel("至", { exact: true }).fill("2025-06-01");
  await page.getByRole("button", { name: "预览" }).click();
  await expect(page.getByText("结束日期不能早于开始日期").first()).toBeVisible();

  // Ping++'s refusal is shown clearly
  await page.getByLabel("分润产生日期：从").fill("2025-06-01");
  await page.getByLabel("来源用户（source_user）（可选）").fill("nobody");
  await page.getByRole("button", { name: "预览" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Ping++ 拒绝了请求" })).toContainText(
    "没有满足条件的待结算分润",
  );

  // preview: totals, count, fee and each payout; nothing is created
  await page.getByLabel("来源用户（source_user）（可选）").fill("");
  await page.getByLabel("结算方式").selectOption("alipay");
  await page.getByRole("button", { name: "预览" }).click();
  const preview = page.getByTestId("settlement-preview");
  await expect(preview.getByTestId("preview-amount")).toHaveText("¥45.00");
  await expect(preview.getByTestId("preview-count")).toHaveText("3");
  await expect(preview.getByTestId("preview-fee")).toHaveText("¥0.00");
  await expect(preview.getByTestId("royalty-transaction")).toHaveCount(3);
  await expect(preview.getByTestId("royalty-transaction").filter({ hasText: "e2e_alice" })).toContainText("¥20.00");

  // create exactly what was previewed, after confirming
  await sim("royalty_settlements/next_outcome", { status: "partially_succeeded", fail_count: 1 });
  await preview.getByRole("button", { name: "创建结算" }).click();
  await expect(page.getByRole("dialog")).toContainText("¥45.00");
  await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
  await expect(page).toHaveURL(/\/settlements\/[0-9a-f-]{36}$/);
  const detail = page.getByTestId("settlement-detail");
  await expect(detail).toHaveAttribute("data-status", "created");
  await expect(detail.getByTestId("royalty-transaction")).toHaveCount(3);
  await expect(detail.getByTestId("royalty-transaction").first()).toContainText("待确认");

  // confirm → Ping++ settles → the webhook (or the poll) brings the outcome of each transaction
  await detail.getByRole("button", { name: "确认结算" }).click();
  await expect(page.getByRole("dialog")).toContainText("¥45.00");
  await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
  await expect(detail).toHaveAttribute("data-status", "partially_succeeded", { timeout: 15_000 });
  await expect(detail.getByText("部分成功").first()).toBeVisible();
  const rows = detail.getByTestId("royalty-transaction");
  await expect(rows.filter({ hasText: "失败" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "失败" })).toContainText("收款账户异常");
  await expect(rows.filter({ hasText: "成功" })).toHaveCount(2);
  const failed = detail.getByTestId("outcome-failed");
  await expect(failed).toContainText("1 笔");
  await expect(detail.getByText(/失败的分润（¥\d+\.\d\d，1 笔）已退回待结算分润，可以重新发起结算/)).toBeVisible();
  await expect(detail.getByRole("button", { name: "确认结算" })).toHaveCount(0);
  const failedRow = rows.filter({ hasText: "失败" });
  const failedUser = (await failedRow.locator("td").nth(1).textContent())!;
  const failedAmount = (await failedRow.locator("td").nth(2).textContent())!;

  // the failed royalty is back in the pool: settle it again, then cancel that settlement
  await page.goto("/settlements/new");
  await page.getByLabel("分润产生日期：从").fill("2025-06-01");
  await page.getByLabel("至", { exact: true }).fill("2025-06-01");
  await page.getByRole("button", { name: "预览" }).click();
  await expect(preview.getByTestId("preview-amount")).toHaveText(failedAmount);
  await expect(preview.getByTestId("royalty-transaction")).toHaveCount(1);
  await expect(preview.getByTestId("royalty-transaction")).toContainText(failedUser);
  await preview.getByRole("button", { name: "创建结算" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
  await expect(detail).toHaveAttribute("data-status", "created");
  await detail.getByRole("button", { name: "取消结算" }).click();
  await expect(page.getByRole("dialog")).toContainText(failedAmount);
  await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
  await expect(detail).toHaveAttribute("data-status", "canceled");
  await expect(detail.getByTestId("royalty-transaction")).toContainText("已取消");
  await expect(detail.getByText("结算已取消：其中的分润已全部退回待结算，可以再次结算。")).toBeVisible();

  // the list shows it, filterable by status, with totals
  await page.getByRole("link", { name: "返回列表" }).click();
  await page.getByLabel("状态").selectOption("partially_succeeded");
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page.getByTestId("settlements-table")).toContainText("部分成功");
  await expect(page.getByTestId("settlement-totals")).toContainText("共 1 笔结算 · 金额合计 ¥45.00");
  await expect(page.getByTestId("settlements-table")).not.toContainText("已取消");
});
