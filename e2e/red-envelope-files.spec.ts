import { expect, test } from "@playwright/test";
import { loginAsAdmin } from "./helpers";

/** ASCII text and raw bytes, in order, as one file. */
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
// 恭喜发财 and 新年快乐 in GBK/GB18030: what Excel's "CSV (逗号分隔)" writes on Chinese Windows.
const GBK_GONGXIFACAI = [0xb9, 0xa7, 0xcf, 0xb2, 0xb7, 0xa2, 0xb2, 0xc6];
const GBK_XINNIANKUAILE = [0xd0, 0xc2, 0xc4, 0xea, 0xbf, 0xec, 0xc0, 0xd6];

async function upload(page: import("@playwright/test").Page, name: string, buffer: Buffer) {
  await page.goto("/red-envelopes/batches");
  await page.getByLabel("CSV 文件").setInputFiles({ name, mimeType: "text/csv", buffer });
  await page.getByLabel("预算上限（元）").fill("100");
  await page.getByRole("button", { name: "上传 CSV 并检查" }).click();
}

test("a GBK file from Excel shows its Chinese wishes in the dry run; the draft is deleted; undecodable bytes are refused with how to save", async ({
  page,
}) => {
  await loginAsAdmin(page);

  // the template: UTF-8 with a BOM, the header and one example line
  await page.goto("/red-envelopes/batches");
  const href = await page.getByTestId("batch-template").getAttribute("href");
  const template = await page.request.get(href!);
  expect(template.status()).toBe(200);
  const body = await template.body();
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(body.subarray(3).toString("utf8")).toMatch(/^open_id,amount,wishing\r\n\w+,8\.88,恭喜发财，大吉大利\r\n$/);

  const gbk = bytes(
    "open_id,amount,wishing\r\noGbk001,1.00,",
    GBK_GONGXIFACAI,
    "\r\noGbk002,2.00,",
    GBK_XINNIANKUAILE,
    "\r\n",
  );
  await upload(page, "excel-gbk.csv", gbk);
  await expect(page).toHaveURL(/\/red-envelopes\/batches\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("batch-summary")).toHaveText("2 行，2 行可发送，0 行未通过");
  await expect(page.getByTestId("batch-line-2")).toContainText("恭喜发财");
  await expect(page.getByTestId("batch-line-3")).toContainText("新年快乐");
  await expect(page.getByTestId("batch-lines")).not.toContainText("�");

  // a draft nobody will start is deleted, after a confirmation
  await page.getByRole("button", { name: "删除批次" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("删除尚未发送的批次「excel-gbk.csv」（2 行）");
  await dialog.getByRole("button", { name: "删除批次" }).click();
  await expect(page).toHaveURL(/\/red-envelopes\/batches$/);
  await expect(page.getByRole("heading", { name: "最近的批次" })).toBeVisible();
  await expect(page.getByRole("link", { name: "excel-gbk.csv" })).toHaveCount(0);

  // bytes that are neither UTF-8 nor GBK: refused, nothing stored, the message says how to save
  await upload(page, "broken.csv", bytes("open_id,amount,wishing\r\noGbk003,1.00,", [0xff, 0x81, 0x7f], "\r\n"));
  await expect(page.locator("#file-error")).toContainText(
    '请在 Excel 中另存为 "CSV UTF-8（逗号分隔）(*.csv)" 后重新上传',
  );
  await expect(page).toHaveURL(/\/red-envelopes\/batches$/);
  await page.reload();
  await expect(page.getByRole("heading", { name: "最近的批次" })).toBeVisible();
  await expect(page.getByRole("link", { name: "broken.csv" })).toHaveCount(0);
});
