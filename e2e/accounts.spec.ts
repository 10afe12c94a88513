import { test, expect, type Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { addStaff, changeOwnPassword, login, loginAsAdmin } from "./helpers";

/** What an authenticator app shows for a secret, `offsetSteps` 30-second steps from now. */
const codeFor = (secret: string, offsetSteps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 }).generate({
    timestamp: Date.now() + offsetSteps * 30_000,
  });

async function logout(page: Page) {
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

async function submitLogin(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
}

test("new staff must change the admin-set password at first login; nothing else is reachable until then", async ({
  page,
  browser,
}) => {
  await loginAsAdmin(page);
  await page.goto("/staff");
  await page.getByLabel("邮箱", { exact: true }).fill("first-login@e2e.test");
  await page.getByLabel("姓名").fill("首登");
  await page.getByLabel("角色", { exact: true }).selectOption("finance");
  await page.getByRole("button", { name: "创建" }).click();
  const oneTime = (await page.getByTestId("one-time-secret").textContent())!.trim();

  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await submitLogin(p, "first-login@e2e.test", oneTime);
  await expect(p.getByRole("heading", { name: "我的账号" })).toBeVisible();
  await expect(p.getByText("您的密码由管理员设置")).toBeVisible();
  await expect(p.getByRole("navigation", { name: "main" }).getByRole("link")).toHaveCount(0);
  for (const path of ["/", "/charges", "/refunds", "/audit"]) {
    await p.goto(path);
    await expect(p).toHaveURL(/\/account$/);
  }
  // an API route refuses too
  expect((await p.request.get("/api/overview")).status()).toBe(403);

  // the rules for a new password apply; a wrong current password is refused
  await changeOwnPassword(p, oneTime, "short");
  await expect(p.getByText("密码至少 10 个字符")).toBeVisible();
  await changeOwnPassword(p, "not-the-password", "my-own-password-1");
  await expect(p.getByText("密码错误。").first()).toBeVisible();
  await changeOwnPassword(p, oneTime, "my-own-password-1");
  await expect(p.getByRole("heading", { name: "概览" })).toBeVisible();
  await expect(p.getByRole("navigation", { name: "main" }).getByRole("link", { name: "退款" })).toBeVisible();
  await logout(p);
  await submitLogin(p, "first-login@e2e.test", oneTime);
  await expect(p.getByText("邮箱或密码错误")).toBeVisible();
  await submitLogin(p, "first-login@e2e.test", "my-own-password-1");
  await expect(p.getByRole("heading", { name: "概览" })).toBeVisible();
  await ctx.close();
});

test("everyone can change their own password from the user menu: this session stays, other sessions end", async ({
  page,
  browser,
}) => {
  await loginAsAdmin(page);
  const password = await addStaff(page, {
    email: "self-change@e2e.test",
    name: "自改",
    role: "cashier",
    terminal: "T77",
  });
  const [ca, cb] = [await browser.newContext(), await browser.newContext()];
  const [a, b] = [await ca.newPage(), await cb.newPage()];
  await login(a, "self-change@e2e.test", password);
  await login(b, "self-change@e2e.test", password);
  const current = `${password}-own`; // the login helper chose this at the first login

  await a.getByTestId("user-name").click();
  await expect(a.getByRole("heading", { name: "我的账号" })).toBeVisible();
  await changeOwnPassword(a, current, "cashier-own-password-2");
  await expect(a.getByText("密码已修改")).toBeVisible();
  await a.goto("/");
  await expect(a.getByRole("heading", { name: "概览" })).toBeVisible(); // still signed in here
  await b.goto("/");
  await expect(b).toHaveURL(/\/login$/); // the other session is over

  await ca.close();
  await cb.close();
  await page.goto("/audit");
  await page.getByRole("textbox", { name: "操作", exact: true }).fill("account.change_password");
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(page.getByTestId("audit-table")).toContainText("self-change@e2e.test");
});

test("two-factor sign-in: enroll with a QR and the key, log in with a code, then with a recovery code once", async ({
  page,
}) => {
  await loginAsAdmin(page);
  const oneTime = await addStaff(page, { email: "totp@e2e.test", name: "两步", role: "finance" });
  await logout(page);
  await login(page, "totp@e2e.test", oneTime);
  const password = `${oneTime}-own`;

  await page.goto("/account");
  await page.getByRole("button", { name: "开启两步验证" }).click();
  await expect(page.getByRole("img", { name: "两步验证二维码" })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!.trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel("验证码").fill(String((Number(codeFor(secret)) + 1) % 1_000_000).padStart(6, "0"));
  await page.getByRole("button", { name: "确认开启" }).click();
  await expect(page.getByText("验证码错误")).toBeVisible();
  await page.getByLabel("验证码").fill(codeFor(secret));
  await page.getByRole("button", { name: "确认开启" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  const codes = (await page.getByTestId("recovery-codes").locator("li").allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  await page.getByRole("button", { name: "我已保存" }).click();
  await expect(page.getByText("已开启", { exact: true })).toBeVisible();
  await expect(page.getByTestId("totp-secret")).toHaveCount(0); // the key is not shown again
  expect(await page.content()).not.toContain(secret);
  await logout(page);

  // password, then the code (the next step's: the enrollment code's step is spent)
  await submitLogin(page, "totp@e2e.test", password);
  await expect(page.getByLabel("验证码")).toBeVisible();
  await page.getByLabel("验证码").fill("000000" === codeFor(secret, 1) ? "111111" : "000000");
  await page.getByRole("button", { name: "验证" }).click();
  await expect(page.getByText("验证码错误或已使用")).toBeVisible();
  await page.getByLabel("验证码").fill(codeFor(secret, 1));
  await page.getByRole("button", { name: "验证" }).click();
  await expect(page.getByRole("heading", { name: "概览" })).toBeVisible();
  await logout(page);

  // a recovery code instead, once
  await submitLogin(page, "totp@e2e.test", password);
  await page.getByLabel("验证码").fill(codes[0]!);
  await page.getByRole("button", { name: "验证" }).click();
  await expect(page.getByRole("heading", { name: "概览" })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByText("剩余 9 个恢复码")).toBeVisible();
  await logout(page);
  await submitLogin(page, "totp@e2e.test", password);
  await page.getByLabel("验证码").fill(codes[0]!);
  await page.getByRole("button", { name: "验证" }).click();
  await expect(page.getByText("验证码错误或已使用")).toBeVisible();

  // the admin sees it on, and can reset it (confirmed, audited)
  await loginAsAdmin(page);
  await page.goto("/staff");
  const row = page.getByTestId("staff-row-totp@e2e.test");
  await expect(row.getByTestId("staff-2fa")).toHaveText("已开启");
  await row.getByRole("button", { name: "重置两步验证" }).click();
  await expect(page.getByRole("dialog")).toContainText("totp@e2e.test");
  await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
  await expect(row.getByTestId("staff-2fa")).toHaveText("未开启");
});

test("changing a role asks for confirmation; the last active admin cannot be demoted", async ({ page }) => {
  await loginAsAdmin(page);
  await addStaff(page, { email: "role-change@e2e.test", name: "换角色", role: "cashier" });
  await page.goto("/staff");
  const row = page.getByTestId("staff-row-role-change@e2e.test");
  const select = row.getByLabel("修改角色");

  await select.selectOption("finance");
  await expect(page.getByRole("dialog")).toContainText("将 role-change@e2e.test 的角色从「收银员」改为「财务」");
  await page.getByRole("dialog").getByRole("button", { name: "取消" }).click();
  await expect(select).toHaveValue("cashier"); // nothing changed
  await select.selectOption("finance");
  await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
  await expect(page.getByText("已保存")).toBeVisible();
  await page.reload();
  await expect(row.getByLabel("修改角色")).toHaveValue("finance");

  // the only active admin demoting themselves: refused
  const self = page.getByTestId("staff-row-admin@e2e.test");
  await self.getByLabel("修改角色").selectOption("finance");
  await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
  await expect(page.getByText("至少需要保留一名启用的管理员。")).toBeVisible();
  await page.reload();
  await expect(self.getByLabel("修改角色")).toHaveValue("admin");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the first-login password change and two-factor enrollment fit a 390 px screen", async ({ page, browser }) => {
    await loginAsAdmin(page);
    const oneTime = await addStaff(page, { email: "phone@e2e.test", name: "手机", role: "cashier", terminal: "T90" });
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const p = await ctx.newPage();
    await login(p, "phone@e2e.test", oneTime); // lands on 我的账号 and changes the one-time password there
    await p.goto("/account");
    await p.getByRole("button", { name: "开启两步验证" }).click();
    const qr = p.getByRole("img", { name: "两步验证二维码" });
    await expect(qr).toBeVisible();
    const box = (await qr.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await p.getByLabel("验证码").fill(codeFor((await p.getByTestId("totp-secret").textContent())!.trim()));
    await p.getByRole("button", { name: "确认开启" }).click();
    await expect(p.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
    await ctx.close();
  });
});
