import { expect, test, type Page } from "@playwright/test";
import { E2E_ADMIN, loginAsAdmin } from "./helpers";

/** Every CSP violation the page reports (scripts refused, eval refused, frames refused…). */
async function collectViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.exposeFunction("__cspViolation", (v: string) => seen.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      );
    });
  });
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

test("pages carry a nonce-based CSP without unsafe-eval; the console runs under it with no violation", async ({
  page,
  request,
}) => {
  const first = await request.get("/login");
  const csp = first.headers()["content-security-policy"]!;
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).toContain("'strict-dynamic'");
  expect(csp).not.toContain("unsafe-eval"); // the e2e server is a production build
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  // Next.js put this response's nonce on its own scripts, and every script has it
  const html = await first.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const s of scripts) expect(s, s).toContain(`nonce="${nonce}"`);
  // a fresh nonce per response
  const again = (await request.get("/login")).headers()["content-security-policy"]!;
  expect(/'nonce-([^']+)'/.exec(again)?.[1]).not.toBe(nonce);

  const violations = await collectViolations(page);
  await loginAsAdmin(page); // the overview, with its chart
  await page.goto("/cashier");
  await page.getByLabel("金额（元）").fill("0.01");
  await page.getByRole("button", { name: "生成收款码" }).click();
  await expect(page.getByTestId("charge-status")).toHaveAttribute("data-status", "pending");
  await expect(page.getByTestId("charge-qr")).toBeVisible();
  await page.goto("/charges");
  await expect(page.getByRole("heading", { name: "交易" })).toBeVisible();
  expect(violations).toEqual([]);
});

test("an inline script injected into a page without the nonce is refused by the browser", async ({ page }) => {
  const violations = await collectViolations(page);
  // as if someone had got a <script> into the HTML (stored XSS): the same response, same headers
  await page.route("**/login", async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace("</body>", "<script>window.__injected = true</script></body>");
    await route.fulfill({ response: res, body });
  });
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "登录" })).toBeVisible(); // the page itself still works
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected === true)).toBe(false);
  await expect.poll(() => violations.join("\n")).toContain("script-src");
});

test("the session cookie is httpOnly and SameSite=Lax, and Secure (__Secure-) when the console is served over HTTPS", async ({
  page,
  context,
}) => {
  await loginAsAdmin(page);
  const plain = (await context.cookies()).find((c) => c.name === "authjs.session-token");
  expect(plain).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  // JavaScript in the page cannot read it
  expect(await page.evaluate(() => document.cookie)).not.toContain("session-token");

  // behind a TLS-terminating proxy (X-Forwarded-Proto: https), as in production
  await context.clearCookies();
  await page.setExtraHTTPHeaders({ "x-forwarded-proto": "https" });
  await page.goto("/login");
  await page.getByLabel("邮箱").fill(E2E_ADMIN.email);
  await page.getByLabel("密码").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("heading", { name: "概览" })).toBeVisible();
  const names = (await context.cookies()).map((c) => c.name);
  const secure = (await context.cookies()).find((c) => c.name === "__Secure-authjs.session-token");
  expect(secure, names.join(", ")).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax" });
  expect(names).not.toContain("authjs.session-token");
  // and the console accepts it on the next page
  await page.goto("/charges");
  await expect(page).toHaveURL(/\/charges$/);
});
