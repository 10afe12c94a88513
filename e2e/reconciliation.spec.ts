import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { loginAsAdmin, SANDBOX_URL } from "./helpers";
import { shanghaiToday } from "../lib/dates";

/** A charge made straight at the sandbox (never through the console): 对账 must find it missing here. */
async function directCharge(): Promise<string> {
  const appId = (await (await fetch(`${SANDBOX_URL}/_sim/config`)).json()).appId as string;
  const res = await fetch(`${SANDBOX_URL}/v1/charges`, {
    method: "POST",
    headers: { authorization: "Bearer sk_test_sandbox", "content-type": "application/json" },
    body: JSON.stringify({
      app: { id: appId },
      order_no: `E2ER${Date.now()}`,
      amount: 4321,
      channel: "alipay_qr",
      currency: "cny",
      client_ip: "127.0.0.1",
      subject: "直连收款",
      body: "直连",
      extra: { product_id: "p1", goods_list: [{ goods_name: "x", goods_num: 1, price: 4321 }] },
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()).id;
}

test("对账: a charge made straight at Ping++ is found missing here, synced after a confirmation, and the run exports as CSV", async ({
  page,
}) => {
  const id = await directCharge();
  await loginAsAdmin(page);
  await page.getByRole("link", { name: "对账" }).click();
  await expect(page).toHaveURL(/\/reconciliation$/);
  const today = shanghaiToday();
  await page.locator('input[name="day"]').fill(today);
  await page.getByRole("button", { name: "立即对账" }).click();
  await expect(page).toHaveURL(/\/reconciliation\/[0-9a-f-]{36}$/, { timeout: 60_000 });
  await expect(page.getByTestId("run-status")).toContainText("已完成");
  await expect(page.getByTestId("reconciliation-totals")).toContainText("CNY");

  const row = page.locator(`tr[data-object="${id}"]`);
  await expect(row).toHaveAttribute("data-kind", "missing_here");
  await expect(row).toContainText("控制台缺失");
  await row.getByRole("button", { name: "从 Ping++ 同步" }).click();
  const dialog = page.locator("dialog[open]");
  await expect(dialog).toContainText("不会改动 Ping++ 的资金");
  await dialog.getByRole("button", { name: "从 Ping++ 同步" }).click();
  await expect(row).toContainText("已从 Ping++ 同步");
  await expect(row.getByRole("button", { name: "从 Ping++ 同步" })).toHaveCount(0);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "导出 CSV" }).click(),
  ]);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  const line = csv.split("\r\n").find((l) => l.includes(id));
  expect(line).toContain("missing_here");
  expect(line).toContain("fixed");

  // the imported charge is in the console now
  await page.goto(`/charges?q=${id}`);
  await expect(page.locator(`[data-charge-id="${id}"]`)).toBeVisible();
});
