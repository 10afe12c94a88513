import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { loginAsAdmin, paidTillCharge } from "./helpers";
import { shanghaiToday } from "../lib/dates";
import { unlessDayChanged } from "./shanghai-day";

const payNewCharge = (page: Page, amount: string, terminal = "T21") => paidTillCharge(page, amount, { terminal });

test.describe("operations", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("the overview's live counters change after a sandbox payment, without a reload", async ({ page, context }) => {
    const startDay = shanghaiToday();
    await page.goto("/");
    const count = page.getByTestId("overview-cny-count");
    const before = Number(await count.textContent());
    const cashier = await context.newPage();
    await payNewCharge(cashier, "18.80");
    // past Shanghai midnight the page follows the new day, where the charge (or what was counted before) may not be
    await unlessDayChanged(startDay, async () => {
      await expect(count).toHaveText(String(before + 1), { timeout: 15_000 });
      await expect(page.getByTestId("overview-cny-gross")).not.toHaveText("¥0.00");
    });
    // today's page has no separate strip; a chosen period keeps today's figures in view above it
    await expect(page.getByTestId("overview-today")).toHaveCount(0);
    await page.getByRole("link", { name: "近 7 天" }).click();
    await expect(page.getByTestId("overview-today")).toBeVisible();
    // everything in this run was paid today, so today's count is the week's (not so once the run crossed midnight)
    await unlessDayChanged(startDay, async () => {
      await expect(page.getByTestId("today-cny-count")).toHaveText(
        (await page.getByTestId("overview-cny-count").textContent()) ?? "",
      );
      await expect(page.getByTestId("today-cny-count")).toHaveText(String(before + 1));
    });
  });

  test("filter + export round trip: the CSV's rows are exactly the filtered list", async ({ page }) => {
    await payNewCharge(page, "2.22", "T22");
    await payNewCharge(page, "3.33", "T22");
    await page.goto("/charges?status=paid&terminal=T22");
    const listed = await page
      .locator("[data-charge-id]")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-charge-id")));
    expect(listed).toHaveLength(2);
    await expect(page.getByTestId("charges-totals")).toContainText("¥5.55");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "导出 CSV" }).click(),
    ]);
    const csv = fs.readFileSync((await download.path())!, "utf8");
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = csv
      .slice(1)
      .trim()
      .split("\r\n")
      .slice(1)
      .map((l) => l.split(","));
    expect(rows.map((r) => r[0])).toEqual(listed);
    expect(rows.map((r) => r[3]).sort()).toEqual(["2.22", "3.33"]);
  });

  test("a charge left unpaid past its expiry is closed from Ping++ by the background jobs, with no page open, and never lands in needs attention", async ({
    page,
  }) => {
    test.setTimeout(200_000);
    await page.goto("/cashier");
    await page.locator('[name="amount"]').fill("9.99");
    // the panel's own status poll names our id for the charge (its Ping++ id is on the panel)
    const [poll] = await Promise.all([
      page.waitForRequest((r) => /\/api\/charges\/[0-9a-f-]{36}\/status/.test(r.url())),
      page.getByRole("button", { name: "生成收款码" }).click(),
    ]);
    const ours = /\/api\/charges\/([0-9a-f-]{36})\/status/.exec(poll.url())![1]!;
    const id = (await page.getByTestId("charge-status").getAttribute("data-charge-id"))!;
    await page.goto("/settings"); // nobody polls the charge any more: the scheduler alone follows it
    // CHARGE_TTL_SECONDS=90 in e2e: past its expiry the sync job reads it from Ping++ as expired
    await expect(async () => {
      const res = await page.request.get(`/api/charges/${ours}/status`);
      expect(((await res.json()) as { status: string }).status).toBe("expired");
    }).toPass({ timeout: 170_000, intervals: [5_000] });
    await page.goto(`/charges/${id}`);
    await expect(page.getByTestId("charge-detail-status")).toContainText("已过期");
    await page.goto("/attention");
    await expect(page.locator(`tr[data-object="${id}"]`)).toHaveCount(0);
  });

  test("event log links the charge.succeeded event to its charge and back; settings' self-test passes", async ({
    page,
  }) => {
    const id = await payNewCharge(page, "4.44");
    await page.goto(`/events?object=${id}`);
    const row = page.getByTestId("events-table").locator("tr[data-event-id]");
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("charge.succeeded");
    await expect(row).toContainText("已应用");
    await row.getByRole("link", { name: id }).click();
    await expect(page.getByTestId("charge-detail-status")).toContainText("已支付");
    // …and back: the charge's own events link to the event in the log
    const own = page.getByTestId("object-events").locator("tr[data-event-id]");
    await expect(own).toHaveCount(1);
    await expect(own).toContainText("已应用");
    const eventId = (await own.getAttribute("data-event-id"))!;
    await own.getByRole("link", { name: "charge.succeeded" }).click();
    await expect(page).toHaveURL(new RegExp(`/events/${eventId}$`));
    await expect(page.getByTestId("event-status")).toHaveText("已应用");
    await expect(page.getByRole("link", { name: id })).toBeVisible();

    await page.goto("/settings");
    await expect(page.getByTestId("webhook-url")).toHaveText(/\/api\/webhooks\/pingpp$/);
    await page.getByRole("button", { name: "发送测试 Webhook" }).click();
    await expect(page.getByRole("status").filter({ hasText: "链路正常" })).toBeVisible();
  });

  test("shift report sums a terminal's window and is printable", async ({ page }) => {
    await payNewCharge(page, "5.00", "T23");
    await payNewCharge(page, "6.00", "T23");
    await page.goto("/shift-report?terminal=T23");
    await expect(page.getByTestId("shift-paid")).toHaveText("¥11.00 · 2 笔");
    await expect(page.getByRole("button", { name: "打印" })).toBeVisible();
  });
});
