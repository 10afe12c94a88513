import { expect, test } from "@playwright/test";
import { addStaff, login, loginAsAdmin, seriousViolations, sim, SANDBOX_URL } from "./helpers";

test.describe("QR cashier", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("charge → QR → the customer pays on the sandbox page → both screens turn green", async ({ page, context }) => {
    // the customer display of terminal T05, open before the charge exists: a plain page that loads
    // no script file at all, not even Next.js's own (issue 19: light on a cashier tablet)
    const display = await context.newPage();
    const scripts: string[] = [];
    display.on("request", (r) => {
      if (r.resourceType() === "script" || r.url().includes("/_next/")) scripts.push(r.url());
    });
    await display.goto("/cashier/display/T05");
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "idle");

    await page.goto("/cashier");
    await page.getByLabel("金额（元）").fill("12.34");
    await page.getByLabel("终端", { exact: true }).fill("T05");
    await page.getByRole("button", { name: "生成收款码" }).click();

    const state = page.getByTestId("charge-status");
    await expect(state).toHaveAttribute("data-status", "pending");
    await expect(page.getByTestId("charge-amount")).toHaveText("¥12.34");
    await expect(page.getByTestId("charge-countdown")).toContainText(/剩余 0[01]:\d\d/); // CHARGE_TTL_SECONDS=90 in e2e
    const payload = await page.getByTestId("charge-qr").getAttribute("data-payload");
    expect(payload).toMatch(/\/pay\/ch_/);
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "pending");
    await expect(display.getByText("¥12.34")).toBeVisible();
    await expect(display.getByRole("img", { name: "收款二维码" })).toBeVisible(); // the server's QR SVG
    expect(await seriousViolations(display), "axe on the display, pending").toEqual([]);

    // the customer "scans" the QR: the sandbox's pay page, a real form post
    const phone = await context.newPage();
    await phone.goto(payload!);
    await phone.getByRole("button", { name: /确认支付/ }).click();

    await expect(state).toHaveAttribute("data-status", "paid", { timeout: 5_000 });
    await expect(page.getByText("支付成功")).toBeVisible();
    await expect(display.getByTestId("display")).toHaveAttribute("data-status", "paid", { timeout: 5_000 });
    await expect(display.getByText("支付成功，谢谢！")).toBeVisible();
    expect(await seriousViolations(display), "axe on the display, paid (contrast of the green)").toEqual([]);
    expect(scripts, "script files the customer display loaded").toEqual([]);
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
    await page.locator('[name="channel"]').selectOption("wx_pub_qr");
    await page.getByLabel("商品 ID").fill("");
    await page.getByRole("button", { name: "生成收款码" }).click();
    await expect(page.getByText("必填").first()).toBeVisible();
    await expect(page.getByTestId("charge-status")).toHaveCount(0);
  });

  test("a pending charge can be reversed after confirming; cross-border shows US dollars", async ({ page }) => {
    await page.goto("/cashier");
    await page.locator('[name="channel"]').selectOption("cb_alipay_qr");
    await expect(page.getByLabel("金额（美元）")).toBeVisible();
    await page.locator('[name="channel"]').selectOption("alipay_qr");
    await page.getByLabel("金额（元）").fill("3.50");
    await page.getByRole("button", { name: "生成收款码" }).click();
    await expect(page.getByTestId("charge-status")).toHaveAttribute("data-status", "pending");
    await page.getByRole("button", { name: "撤销收款" }).click();
    await expect(page.getByRole("dialog")).toContainText("¥3.50");
    await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
    await expect(page.getByTestId("charge-status")).toHaveAttribute("data-status", "reversed");
  });

  test("isv_scan: a keyboard-wedge scan + Enter is paid at once; a refused code shows Ping++'s message", async ({
    page,
  }) => {
    await page.goto("/cashier");
    await page.locator('[name="channel"]').selectOption("isv_scan");
    await page.getByLabel("金额（元）").fill("1.00");
    await page.getByRole("textbox", { name: /^终端/ }).fill("T05");
    await page.getByLabel("顾客付款码").pressSequentially("fail0000001");
    await page.getByLabel("顾客付款码").press("Enter");
    await expect(page.getByRole("alert").filter({ hasText: "Ping++ 拒绝了请求" })).toBeVisible();
    await page.getByLabel("顾客付款码").fill("");
    await page.getByLabel("顾客付款码").pressSequentially("134567890123456789");
    await page.getByLabel("顾客付款码").press("Enter");
    await expect(page.getByTestId("charge-status")).toHaveAttribute("data-status", "paid");
  });

  async function createCharge(page: import("@playwright/test").Page, amount: string, channel = "alipay_qr") {
    await page.goto("/cashier");
    await page.locator('[name="channel"]').selectOption(channel);
    await page.locator('[name="amount"]').fill(amount);
    await page.getByRole("button", { name: "生成收款码" }).click();
    const status = page.getByTestId("charge-status");
    await expect(status).toHaveAttribute("data-status", "pending");
    const id = await status.getAttribute("data-charge-id");
    expect(id).toMatch(/^ch_/);
    return { status, id: id! };
  }

  test("wx_pub_qr and alipay_qr paid through the sandbox's /_sim control turn green", async ({ page }) => {
    for (const channel of ["wx_pub_qr", "alipay_qr"]) {
      const { status, id } = await createCharge(page, "0.01", channel);
      await sim(`charges/${id}/pay`);
      await expect(status).toHaveAttribute("data-status", "paid", { timeout: 5_000 });
    }
  });

  test("a lost webhook is healed by the scheduler's charge sync (the screen only reads)", async ({ page }) => {
    const config = await (await fetch(`${SANDBOX_URL}/_sim/config`)).json();
    const { status, id } = await createCharge(page, "6.60");
    await sim("config", { webhookUrl: "http://127.0.0.1:9/lost" });
    try {
      await sim(`charges/${id}/pay`);
      await expect(status).toHaveAttribute("data-status", "paid", { timeout: 15_000 });
    } finally {
      await sim("config", { webhookUrl: config.webhookUrl });
    }
  });

  test("an expired QR shows as expired", async ({ page }) => {
    const { status, id } = await createCharge(page, "7.70");
    await sim(`charges/${id}/expire`);
    await expect(status).toHaveAttribute("data-status", "expired", { timeout: 15_000 });
    await expect(page.getByRole("button", { name: "新建收款" })).toBeVisible();
  });

  test("a cashier sees only the charges of their terminal", async ({ page, browser }) => {
    const p1 = await addStaff(page, { email: "t1@e2e.test", name: "一号", role: "cashier", terminal: "T11" });
    const p2 = await addStaff(page, { email: "t2@e2e.test", name: "二号", role: "cashier", terminal: "T12" });
    const c1 = await (await browser.newContext()).newPage();
    await login(c1, "t1@e2e.test", p1);
    const a = await createCharge(c1, "11.11");
    const c2 = await (await browser.newContext()).newPage();
    await login(c2, "t2@e2e.test", p2);
    const b = await createCharge(c2, "22.22");
    await c1.goto("/charges");
    await expect(c1.locator(`[data-charge-id="${a.id}"]`)).toBeVisible();
    await expect(c1.locator(`[data-charge-id="${b.id}"]`)).toHaveCount(0);
    await c1.goto(`/charges/${b.id}`);
    await expect(c1.getByText("¥22.22")).toHaveCount(0);
    // finance/admin see both, with the raw object
    await page.goto("/charges");
    await expect(page.locator(`[data-charge-id="${a.id}"]`)).toBeVisible();
    await expect(page.locator(`[data-charge-id="${b.id}"]`)).toBeVisible();
    await page.goto(`/charges/${b.id}`);
    await expect(page.getByText("Ping++ 原始对象")).toBeVisible();
  });
});
