import { expect, test } from "@playwright/test";
import { loginAsAdmin, loginInNewContext } from "./helpers";

/** The e2e server's sandbox listens on E2E_PORT + 1000; its /_sim controls need no key. */
const SIM = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 1000}/_sim`;

const csv = (rows: string[]) => ({
  name: "年会红包.csv",
  mimeType: "text/csv",
  buffer: Buffer.from(["open_id,amount,wishing", ...rows].join("\n")),
});
const goodRows = (n: number) =>
  Array.from({ length: n }, (_, i) => `oE2E${String(i + 1).padStart(3, "0")},${(i % 5) + 1}.00,`);

test("finance sends one red envelope and watches it reach received", async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole("link", { name: "红包", exact: true }).click();
  await page.getByRole("link", { name: "发红包" }).click();
  await expect(page.getByRole("heading", { name: "发红包" })).toBeVisible();
  await page.getByLabel("接收者 open_id").fill("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
  await page.getByLabel("金额（元）").fill("8.88");

  // byte limits are checked with a clear message before anything is sent
  await page.getByLabel("红包主题").fill("新年快乐新年快乐新年快"); // 11 characters = 33 bytes
  await page.getByRole("button", { name: "发送红包" }).click();
  await expect(page.getByText("红包主题最多 32 字节（一个汉字占 3 字节）")).toBeVisible();
  await page.getByLabel("金额（元）").fill("300");
  await page.getByLabel("红包主题").fill("新年快乐");
  await page.getByRole("button", { name: "发送红包" }).click();
  await expect(page.getByText("红包金额须在 1 到 200 元之间；超出范围请选择场景（scene_id）")).toBeVisible();
  await page.getByLabel("金额（元）").fill("8.88");

  await page.getByRole("button", { name: "发送红包" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("¥8.88");
  await expect(dialog).toContainText("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
  await dialog.getByRole("button", { name: "确认发送" }).click();

  await expect(page).toHaveURL(/\/red-envelopes\/[0-9a-f-]{36}$/);
  const status = page.getByTestId("envelope-status").first();
  await expect(status).toHaveText("发放中");
  const pingppId = (await page.locator("dd", { hasText: /^red_/ }).textContent())!.trim();

  // test mode: a retrieve moves it forward and fires red_envelope.sent
  await page.getByRole("button", { name: "刷新状态" }).click();
  await expect(status).toHaveText("已发放");
  const timeline = page.getByTestId("timeline");
  await expect(timeline.getByText(/^Webhook evt_/)).toHaveCount(1);

  // the recipient opens it: only the webhook tells the console, and the page polls
  const res = await fetch(`${SIM}/red_envelopes/${pingppId}/receive`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(res.ok).toBe(true);
  await expect(status).toHaveText("已领取");
  await expect(timeline.getByTestId("envelope-status")).toHaveText(["发放中", "已发放", "已领取"]);
  await expect(page.getByRole("button", { name: "刷新状态" })).toHaveCount(0);

  // the list shows it, filterable by recipient and status, with totals
  await page.getByRole("link", { name: "返回红包列表" }).click();
  await page.getByRole("textbox", { name: "接收者 open_id" }).fill("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
  await page.getByRole("combobox", { name: "状态" }).selectOption("received");
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page.getByTestId("envelope-totals")).toContainText("共 1 个，合计 ¥8.88");
  await expect(page.getByTestId("envelope-table")).toContainText("已领取");

  // the search box: the start of its Ping++ id finds it (case matters: Ping++ ids are case-sensitive)
  await page.goto("/red-envelopes");
  await page.getByRole("textbox", { name: "搜索" }).fill(pingppId.slice(0, 12));
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]q=${pingppId.slice(0, 12)}(&|$)`));
  await expect(page.getByTestId("envelope-totals")).toContainText("共 1 个，合计 ¥8.88");
  await expect(page.getByTestId("envelope-table")).toContainText("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
  await page.getByRole("textbox", { name: "搜索" }).fill(pingppId.slice(0, 12).toUpperCase());
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page.getByText("没有符合条件的红包")).toBeVisible();
});

test("a batch of 20 with two bad rows is caught in the dry run; the fixed file is sent with progress", async ({
  page,
}) => {
  await loginAsAdmin(page);
  await page.goto("/red-envelopes/batches");
  const rows = goodRows(20);
  rows[4] = "oE2E005,0.50,"; // below 1 yuan without a scene
  rows[11] = "not valid!,5.00,"; // not an open_id
  await page.getByLabel("CSV 文件").setInputFiles(csv(rows));
  await page.getByLabel("预算上限（元）").fill("100");
  await page.getByRole("button", { name: "上传 CSV 并检查" }).click();

  await expect(page).toHaveURL(/\/red-envelopes\/batches\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("batch-summary")).toHaveText("20 行，18 行可发送，2 行未通过");
  await expect(page.getByTestId("batch-line-6")).toContainText("红包金额须在 1 到 200 元之间");
  await expect(page.getByTestId("batch-line-13")).toContainText("open_id 只能包含字母、数字、- 和 _");
  await expect(page.getByRole("button", { name: "开始发送" })).toBeDisabled();
  await expect(page.getByTestId("batch-panel").getByRole("alert")).toContainText("有 2 行未通过检查");

  // the fixed file: 20 rows, ¥60.00 against a budget cap of ¥100.00
  await page.goto("/red-envelopes/batches");
  await page.getByLabel("CSV 文件").setInputFiles(csv(goodRows(20)));
  await page.getByLabel("预算上限（元）").fill("100");
  await page.getByRole("button", { name: "上传 CSV 并检查" }).click();
  await expect(page.getByTestId("batch-summary")).toHaveText("20 行，20 行可发送，0 行未通过");
  await expect(page.getByTestId("batch-total")).toHaveText("合计 ¥60.00 / 预算上限 ¥100.00");
  await page.getByRole("button", { name: "开始发送" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("向 20 位用户发送共 ¥60.00 的红包");
  await dialog.getByRole("button", { name: "开始发送" }).click();

  await expect(page.getByTestId("batch-progress")).toContainText("已处理 20 / 20");
  await expect(page.getByTestId("batch-status")).toHaveText("已完成");
  await expect(page.getByTestId("batch-lines").getByTestId("envelope-status")).toHaveCount(20);
  await page.getByRole("link", { name: "查看本批次的红包" }).click();
  await expect(page.getByTestId("envelope-totals")).toContainText("共 20 个，合计 ¥60.00");
});

test("red envelopes are for finance and admins only: a cashier sees no entry and is refused", async ({
  page,
  browser,
}) => {
  await loginAsAdmin(page);
  await page.getByRole("link", { name: "员工" }).click();
  await page.getByLabel("邮箱", { exact: true }).fill("cashier-re@e2e.test");
  await page.getByLabel("姓名").fill("收银员红包");
  await page.getByLabel("角色", { exact: true }).selectOption("cashier");
  await page.getByRole("button", { name: "创建" }).click();
  const password = (await page.getByTestId("one-time-secret").textContent())!.trim();

  const { ctx, page: cashier } = await loginInNewContext(browser, "cashier-re@e2e.test", password);
  await expect(cashier.getByRole("link", { name: "红包", exact: true })).toHaveCount(0);
  for (const path of ["/red-envelopes", "/red-envelopes/new", "/red-envelopes/batches"]) {
    await cashier.goto(path);
    await expect(cashier.getByRole("heading", { name: "没有权限" })).toBeVisible();
  }
  const res = await cashier.request.get("/api/red-envelopes/00000000-0000-4000-8000-000000000000/status");
  expect(res.status()).toBe(403);
  await ctx.close();
});
