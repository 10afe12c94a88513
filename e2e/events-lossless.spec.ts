import { expect, test } from "@playwright/test";
import { deliverSigned, loginAsAdmin } from "./helpers";

/**
 * Issue 15, items 6 and 7, in the built console: a correctly signed webhook that cannot be applied
 * (a shape this version does not know) is kept as failed and waits in the event log and in
 * needs-attention for 重新应用; one of another app is kept as not ours and can only be resolved.
 * The events are signed with the sandbox's own webhook key, as the sandbox (Ping++) signs them.
 */

test.describe("events that are not applied are kept", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("a signed event of an unknown shape: acknowledged, failed in the event log and in needs-attention, 重新应用 says why, resolved with a note", async ({
    page,
  }) => {
    const { id, status } = await deliverSigned({ amount: "100" }); // the amount as a string: the schema refuses it
    expect(status).toBe(200);

    await page.goto("/events?status=failed");
    const row = page.getByTestId("events-table").locator(`tr[data-event-id="${id}"]`);
    await expect(row).toContainText("charge.succeeded");
    await expect(row.getByTestId("event-status")).toHaveText("处理失败");
    await row.getByRole("link").first().click();
    await expect(page).toHaveURL(new RegExp(`/events/${id}$`));
    await expect(page.getByTestId("event-status")).toHaveText("处理失败");
    await expect(page.getByText(/does not match the schema: data\.object\.amount/)).toBeVisible();
    await expect(page.getByRole("button", { name: "重新应用" })).toBeVisible();

    await page.goto("/attention");
    const item = page.locator(`tr[data-object="charge.succeeded ${id}"]`);
    await expect(item).toContainText("事件处理失败");
    await expect(item).toContainText("does not match the schema");
    await item.getByRole("button", { name: "重新应用" }).click();
    await expect(page.getByText(`charge.succeeded ${id} 仍无法应用`)).toBeVisible();
    await expect(item).toBeVisible(); // still waiting: this version cannot apply it

    await item.getByRole("button", { name: "标记已处理" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.getByRole("textbox").fill("已与 Ping++ 核对，等待升级后重新应用");
    await dialog.getByRole("button", { name: "标记已处理" }).click();
    await expect(item).toHaveCount(0);
  });

  test("a signed charge.succeeded of another app: not ours in the event log and needs-attention, never applied, no charge", async ({
    page,
  }) => {
    const { id, chargeId, status } = await deliverSigned({ app: "app_NotOurs000000001" });
    expect(status).toBe(200);

    await page.goto("/events?status=foreign");
    const row = page.getByTestId("events-table").locator(`tr[data-event-id="${id}"]`);
    await expect(row.getByTestId("event-status")).toHaveText("非本应用");
    await row.getByRole("link").first().click();
    await expect(page.getByText(/for app app_NotOurs000000001; this console's app is/)).toBeVisible();
    await expect(page.getByRole("button", { name: "重新应用" })).toHaveCount(0);

    await page.goto("/attention");
    const item = page.locator(`tr[data-object="charge.succeeded ${id}"]`);
    await expect(item).toContainText("收到非本应用的事件");
    await expect(item.getByRole("button", { name: "重新应用" })).toHaveCount(0);
    await expect(item.getByRole("button", { name: "从 Ping++ 同步" })).toHaveCount(0);
    await expect(item.getByRole("button", { name: "标记已处理" })).toBeVisible();

    // no charge was booked: the localized not-found page, with HTTP 404
    expect((await page.goto(`/charges/${chargeId}`))?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "找不到该页面" })).toBeVisible();
    await expect(page.getByTestId("charge-detail-status")).toHaveCount(0);
  });
});
