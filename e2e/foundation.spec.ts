import { expect, test } from "@playwright/test";
import { addStaff, loginAsAdmin, loginInNewContext, E2E_ADMIN } from "./helpers";

test("an anonymous visitor is sent to the login page, and a wrong password is refused clearly", async ({ page }) => {
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("邮箱").fill(E2E_ADMIN.email);
  await page.getByLabel("密码").fill("definitely-wrong");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "邮箱或密码" })).toHaveText("邮箱或密码错误，或账号已停用。");
  await expect(page).toHaveURL(/\/login$/);
});

test("the login page is plain HTML (no framework script), signs in from the keyboard alone, and without script", async ({
  page,
  browser,
}) => {
  // issue 19: /login ≤ 120 KB of script; it ships one inline script of a few lines, nothing from /_next/static
  const scripts: string[] = [];
  page.on("request", (r) => {
    if (r.resourceType() === "script") scripts.push(r.url());
  });
  const res = await page.goto("/login", { waitUntil: "load" });
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
  expect(scripts).toEqual([]);
  expect(await page.locator("script[src]").count()).toBe(0);
  expect(await page.locator("script").count()).toBe(1);
  // the keyboard alone: the e-mail has the focus, Tab to the password, Enter sends
  await expect(page.getByLabel("邮箱")).toBeFocused();
  await page.keyboard.type(E2E_ADMIN.email);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("密码")).toBeFocused();
  await page.keyboard.type(E2E_ADMIN.password);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "概览" })).toBeVisible();
  expect(scripts.some((u) => u.includes("/_next/static/"))).toBe(true); // the console's pages do (the listener works)
  // signed in, /login goes straight to the console
  await page.goto("/login");
  await expect(page).toHaveURL(/\/$/);

  // with script off, the language switch and the form still work (a wrong password first: the message, the e-mail kept)
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const p = await noJs.newPage();
  await p.goto("/login");
  await p.getByRole("button", { name: "English" }).click();
  await expect(p.getByRole("heading", { name: "Log in" })).toBeVisible();
  await p.getByRole("button", { name: "中文" }).click();
  await expect(p.getByRole("heading", { name: "登录" })).toBeVisible();
  await p.getByLabel("邮箱").fill(E2E_ADMIN.email);
  await p.getByLabel("密码").fill("definitely-wrong");
  await p.getByRole("button", { name: "登录" }).click();
  await expect(p.getByRole("alert")).toHaveText("邮箱或密码错误，或账号已停用。");
  await expect(p.getByLabel("邮箱")).toHaveValue(E2E_ADMIN.email);
  await expect(p.getByLabel("密码")).toHaveValue("");
  await p.getByLabel("密码").fill(E2E_ADMIN.password);
  await p.getByRole("button", { name: "登录" }).click();
  await expect(p).toHaveURL(/\/$/);
  await noJs.close();
});

test("admin logs in on the sandbox, adds a cashier; the cashier sees only what a cashier may; disabling ends the session", async ({
  page,
  browser,
}) => {
  await loginAsAdmin(page);
  await expect(page.getByTestId("mode-badge")).toHaveText("沙箱");
  // the page header says who is signed in, and as what
  await expect(page.getByTestId("user-name")).toHaveText("Admin");
  await expect(page.getByTestId("user-role")).toHaveText("管理员");

  await page.getByRole("link", { name: "员工" }).click();
  await page.getByLabel("邮箱", { exact: true }).fill("cashier1@e2e.test");
  await page.getByLabel("姓名").fill("收银员一");
  await page.getByLabel("角色", { exact: true }).selectOption("cashier");
  await page.getByLabel("终端", { exact: true }).fill("T01");
  await page.getByRole("button", { name: "创建" }).click();
  const secret = page.getByTestId("one-time-secret");
  await expect(secret).toBeVisible();
  const password = (await secret.textContent())!.trim();
  expect(password).toHaveLength(16);
  const row = page.getByTestId("staff-row-cashier1@e2e.test");
  await expect(row).toContainText("正常");

  // bad input: a duplicate e-mail is refused with a message, nothing created
  await page.getByLabel("邮箱", { exact: true }).fill("CASHIER1@e2e.test");
  await page.getByLabel("姓名").fill("重复");
  await page.getByRole("button", { name: "创建" }).click();
  await expect(page.getByText("该邮箱已被使用。").first()).toBeVisible();

  // the cashier, in a second browser
  const { ctx, page: cashier } = await loginInNewContext(browser, "cashier1@e2e.test", password);
  await expect(cashier.getByText("终端：T01")).toBeVisible();
  await expect(cashier.getByTestId("user-name")).toHaveText("收银员一");
  await expect(cashier.getByTestId("user-role")).toHaveText("收银员 · T01");
  await expect(cashier.getByRole("link", { name: "员工" })).toHaveCount(0);
  await cashier.goto("/staff");
  await expect(cashier.getByRole("heading", { name: "没有权限" })).toBeVisible();
  await cashier.goto("/audit");
  await expect(cashier.getByRole("heading", { name: "没有权限" })).toBeVisible();

  // admin disables the cashier (after confirming); the cashier's open session stops working
  await row.getByRole("button", { name: "停用" }).click();
  await expect(page.getByRole("dialog")).toContainText("cashier1@e2e.test");
  await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
  await expect(row).toContainText("已停用");
  await cashier.goto("/");
  await expect(cashier).toHaveURL(/\/login$/);
  await ctx.close();

  // the audit log shows the staff changes and logins, filterable
  await page.getByRole("link", { name: "审计日志" }).click();
  const table = page.getByTestId("audit-table");
  await expect(table).toContainText("staff.create");
  await expect(table).toContainText("staff.disable");
  await page.getByRole("textbox", { name: "操作", exact: true }).fill("auth.login");
  await page.getByRole("button", { name: "筛选" }).click();
  await expect(table).not.toContainText("staff.create");
  await expect(table).toContainText("cashier1@e2e.test");
});

test("English switch translates the console", async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("mode-badge")).toHaveText("Sandbox");
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("heading", { name: "概览" })).toBeVisible();
});

test("login is throttled after repeated wrong passwords, with a clear message", async ({ page }) => {
  await loginAsAdmin(page);
  const password = await addStaff(page, { email: "throttle@e2e.test", name: "限流", role: "finance" });
  const anon = await page.context().browser()!.newContext();
  const p = await anon.newPage();
  await p.goto("/login");
  for (let i = 0; i < 5; i++) {
    await p.getByLabel("邮箱").fill("throttle@e2e.test");
    await p.getByLabel("密码").fill(`wrong-${i}`);
    await p.getByRole("button", { name: "登录" }).click();
    await expect(p.getByRole("alert").filter({ hasText: "邮箱或密码错误" })).toBeVisible();
  }
  // now even the right password is refused, with the throttle message
  await p.getByLabel("密码").fill(password);
  await p.getByRole("button", { name: "登录" }).click();
  await expect(p.getByRole("alert").filter({ hasText: "尝试次数过多" })).toHaveText("尝试次数过多，请 15 分钟后再试。");
  await expect(p).toHaveURL(/\/login$/);
  await anon.close();
});

test("logout ends the session", async ({ page }) => {
  await loginAsAdmin(page);
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/login$/);
});

test("health answers with the database and Ping++ mode; pages carry the security headers", async ({ request }) => {
  const login = await request.get("/login");
  expect(login.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(login.headers()["x-content-type-options"]).toBe("nosniff");
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ ok: true, db: "up", pingpp: "sandbox" });
});
