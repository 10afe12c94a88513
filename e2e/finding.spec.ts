import { expect, test, type Page } from "@playwright/test";
import { addStaff, deliverSigned, loginAsAdmin, loginInNewContext, sim } from "./helpers";

/**
 * Issue 19, "Finding and reading things", in the built console: the sidebar marks the current
 * page; lists page back and forth with a count and find by id prefix / order number; the
 * needs-attention queue is grouped, filtered and synced a kind at a time; the audit log reads as
 * words with ¥ and links; unknown ids answer 404 and forbidden pages 403; exports carry words;
 * favicon and title; the cashier screens switch language and sign out; isv_wap's result page.
 */
const PORT = Number(process.env.E2E_PORT ?? 3100);

/** A QR charge made on /cashier (left unpaid); its ch_ id and our id. */
async function newCharge(page: Page, amount: string, terminal: string, channel = "alipay_qr") {
  await page.goto("/cashier"); // a fresh form each time
  await page.locator("#channel").selectOption(channel);
  await page.locator('[name="amount"]').fill(amount);
  await page.getByRole("textbox", { name: /^终端/ }).fill(terminal);
  const [poll] = await Promise.all([
    page.waitForRequest((r) => /\/api\/charges\/[0-9a-f-]{36}\/status/.test(r.url())),
    page.getByRole("button", { name: "生成收款码" }).click(),
  ]);
  const status = page.getByTestId("charge-status");
  await expect(status).toHaveAttribute("data-status", "pending");
  const made = {
    chargeId: (await status.getAttribute("data-charge-id"))!,
    ours: /\/api\/charges\/([0-9a-f-]{36})\/status/.exec(poll.url())![1]!,
  };
  return made;
}

test.describe("finding and reading things (issue 19)", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("the sidebar marks the current page, on its sub-pages too", async ({ page }) => {
    const nav = page.getByRole("navigation", { name: "main" });
    await expect(nav.getByRole("link", { name: "概览" })).toHaveAttribute("aria-current", "page");
    await nav.getByRole("link", { name: "审计日志" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(nav.getByRole("link", { name: "审计日志" })).toHaveAttribute("aria-current", "page");
    await expect(nav.getByRole("link", { name: "概览" })).not.toHaveAttribute("aria-current", /./);
    await expect(nav.locator('[aria-current="page"]')).toHaveCount(1);
    await page.goto("/red-envelopes/batches");
    await expect(nav.locator('[aria-current="page"]')).toHaveText("红包");
  });

  test("charges: a count, next and previous pages, search by id prefix and by order number in any case", async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const made: { chargeId: string; ours: string }[] = [];
    for (let i = 0; i < 12; i++) made.push(await newCharge(page, `1.${String(i).padStart(2, "0")}`, "T71"));
    await page.goto("/charges?terminal=T71&per=10");
    await expect(page.getByTestId("charges-totals")).toContainText("共 12 笔");
    const rows = page.getByTestId("charges-table").locator("tbody tr");
    await expect(rows).toHaveCount(10);
    await expect(page.getByTestId("pager-prev-off")).toBeVisible(); // the first page: no previous
    await expect(rows.first()).toHaveAttribute("data-charge-id", made[11]!.chargeId);
    await page.getByTestId("pager-next").click();
    await expect(rows).toHaveCount(2);
    await expect(rows.last()).toHaveAttribute("data-charge-id", made[0]!.chargeId);
    await expect(page.getByTestId("pager-next-off")).toBeVisible();
    await expect(page.getByTestId("charges-totals")).toContainText("共 12 笔"); // the filter's, on every page
    await page.getByTestId("pager-prev").click();
    await expect(rows).toHaveCount(10);
    await expect(rows.first()).toHaveAttribute("data-charge-id", made[11]!.chargeId);
    await expect(page).toHaveURL(/terminal=T71/);
    await expect(page).toHaveURL(/per=10/);

    // the start of a ch_ id finds it
    const target = made[10]!.chargeId;
    await page.goto(`/charges?q=${encodeURIComponent(target.slice(0, 14))}`);
    await expect(page.getByTestId("charges-table").locator(`tr[data-charge-id="${target}"]`)).toHaveCount(1);
    // the order number, typed in capitals
    const orderNo = (await page
      .getByTestId("charges-table")
      .locator(`tr[data-charge-id="${target}"] td`)
      .last()
      .textContent())!.trim();
    await page.getByPlaceholder(/订单号/).fill(orderNo.toUpperCase());
    await page.getByRole("button", { name: "筛选" }).click();
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-charge-id", target);
    // % and _ are not wildcards
    await page.goto("/charges?q=%25");
    await expect(page.getByTestId("charges-table")).toHaveCount(0);
  });

  test("settlements: the search box finds a settlement by the start of its Ping++ id or of ours; a piece from the middle finds none", async ({
    page,
  }) => {
    // two settlements, each of one royalty on a Shanghai day no other test settles
    const made: { ours: string; pingppId: string }[] = [];
    for (const [day, user] of [
      ["2025-07-11", "e2e_find_a"],
      ["2025-07-12", "e2e_find_b"],
    ] as const) {
      const created = Math.floor(Date.parse(`${day}T12:00:00+08:00`) / 1000);
      await sim("royalties", { royalties: [{ source_user: user, amount: 1200, created }] });
      await page.goto("/settlements/new");
      await page.getByLabel("分润产生日期：从").fill(day);
      await page.getByLabel("至", { exact: true }).fill(day);
      await page.getByRole("button", { name: "预览" }).click();
      const preview = page.getByTestId("settlement-preview");
      await expect(preview.getByTestId("royalty-transaction")).toHaveCount(1);
      await expect(preview.getByTestId("royalty-transaction")).toContainText(user);
      await preview.getByRole("button", { name: "创建结算" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "确认" }).click();
      await expect(page).toHaveURL(/\/settlements\/[0-9a-f-]{36}$/);
      made.push({ ours: new URL(page.url()).pathname.split("/").pop()!, pingppId: "" });
    }
    const table = page.getByTestId("settlements-table");
    const rowOf = (ours: string) => table.locator("tbody tr", { has: page.locator(`a[href="/settlements/${ours}"]`) });
    await page.goto("/settlements");
    for (const m of made) m.pingppId = (await rowOf(m.ours).locator("td").nth(1).textContent())!.trim();
    const [target, other] = made as [(typeof made)[0], (typeof made)[0]];
    expect(target.pingppId).toMatch(/^\d{18}$/); // the sandbox's royalty_settlement ids
    /** The shortest start of `a` (at least 4 characters) that is not the start of `b`. */
    const startOnlyOf = (a: string, b: string) => {
      let n = 0;
      while (a[n] === b[n]) n++;
      return a.slice(0, Math.max(n + 1, 4));
    };

    /** Typed in the search box and sent, as a person does; the rows must change to the result. */
    const search = async (q: string) => {
      await page.goto("/settlements");
      await expect(rowOf(other.ours)).toHaveCount(1); // unfiltered: both are listed
      await page.getByRole("textbox", { name: "搜索" }).fill(q);
      await page.getByRole("button", { name: "筛选" }).click();
      await expect(page).toHaveURL(new RegExp(`[?&]q=${q}(&|$)`));
    };
    /** Only rows whose Ping++ id or our id starts with `q`, and the count says how many. */
    const onlyMatching = async (q: string) => {
      await expect(rowOf(target.ours)).toHaveCount(1);
      await expect(rowOf(other.ours)).toHaveCount(0);
      const rows = table.locator("tbody tr");
      const n = await rows.count();
      for (let i = 0; i < n; i++) {
        const pingppId = (await rows.nth(i).locator("td").nth(1).textContent())!.trim();
        const ours = (await rows.nth(i).getByRole("link").getAttribute("href"))!.split("/").pop()!;
        expect(pingppId.startsWith(q) || ours.startsWith(q), `${pingppId} / ${ours} starts with ${q}`).toBe(true);
      }
      await expect(page.getByTestId("settlement-totals")).toContainText(`共 ${n} 笔结算`);
    };

    // the start of its Ping++ id (both were made within seconds: their ids share a long start)
    const byPingpp = startOnlyOf(target.pingppId, other.pingppId);
    expect(byPingpp.length).toBeLessThan(target.pingppId.length);
    await search(byPingpp);
    await onlyMatching(byPingpp);
    await expect(page.getByTestId("settlement-totals")).toContainText("金额合计 ¥12.00");

    // the start of our id (the one in its page's address)
    const byOurs = startOnlyOf(target.ours, other.ours);
    await search(byOurs);
    await onlyMatching(byOurs);

    // a prefix search, not "contains": the id without its first six digits finds nothing
    const middle = target.pingppId.slice(6);
    await search(middle);
    await expect(page.getByText("没有符合条件的分润结算")).toBeVisible();
    await expect(table).toHaveCount(0);
    await expect(page.getByTestId("settlement-totals")).toContainText("共 0 笔结算");
  });

  test("red-envelope batches: past a page (50), next and previous show the other batches, newest first, with the count", async ({
    page,
  }) => {
    test.setTimeout(420_000); // 51 uploads on a busy machine
    const PER_PAGE = 50; // listBatches (lib/services/red-envelope-batches.ts)
    const links = page.getByTestId("batches-table").locator('a[href^="/red-envelopes/batches/"]');
    const hrefs = async () => Promise.all((await links.all()).map(async (a) => (await a.getAttribute("href"))!));
    await page.goto("/red-envelopes/batches");
    const count = page.getByTestId("batches-count");
    await expect(count).toHaveText(/^共 \d+ 个批次$/);
    const before = Number((await count.textContent())!.replace(/\D/g, ""));
    expect(before, "the batches other tests made fit on the first page").toBeLessThanOrEqual(PER_PAGE);
    const existing = await hrefs(); // newest first
    expect(existing).toHaveLength(before);

    // enough one-row batches (dry runs, nothing sent) for one more than a page
    // (back to the list by the batch page's link: a client navigation, quicker than loading it again)
    const mine: string[] = [];
    for (let i = 0; before + i <= PER_PAGE; i++) {
      if (i > 0) await page.getByRole("link", { name: "批量发放红包" }).click();
      await expect(page).toHaveURL(/\/red-envelopes\/batches$/);
      await page.getByLabel("CSV 文件").setInputFiles({
        name: `翻页-${i}.csv`,
        mimeType: "text/csv",
        buffer: Buffer.from(`open_id,amount,wishing\noPager${i},1.00,\n`),
      });
      await page.getByLabel("预算上限（元）").fill("10");
      await page.getByRole("button", { name: "上传 CSV 并检查" }).click();
      await expect(page).toHaveURL(/\/red-envelopes\/batches\/[0-9a-f-]{36}$/);
      mine.push(new URL(page.url()).pathname);
    }
    const all = [...[...mine].reverse(), ...existing]; // newest first
    expect(all.length).toBe(PER_PAGE + 1);

    await page.goto("/red-envelopes/batches");
    await expect(count).toHaveText(`共 ${all.length} 个批次`);
    await expect(page.getByTestId("pager-position")).toHaveText("1 / 2");
    await expect(page.getByTestId("pager-prev-off")).toBeVisible();
    await expect(links).toHaveCount(PER_PAGE);
    expect(await hrefs()).toEqual(all.slice(0, PER_PAGE));

    await page.getByTestId("pager-next").click();
    await expect(page).toHaveURL(/[?&]page=2(&|$)/);
    await expect(page.getByTestId("pager-position")).toHaveText("2 / 2");
    await expect(links).toHaveCount(1);
    expect(await hrefs()).toEqual(all.slice(PER_PAGE)); // the oldest, not on the first page
    await expect(page.getByTestId("pager-next-off")).toBeVisible();
    await expect(count).toHaveText(`共 ${all.length} 个批次`); // all of them, on every page

    await page.getByTestId("pager-prev").click();
    await expect(page.getByTestId("pager-position")).toHaveText("1 / 2");
    await expect(links).toHaveCount(PER_PAGE);
    expect(await hrefs()).toEqual(all.slice(0, PER_PAGE));
  });

  test("unknown ids answer a localized 404 with HTTP 404; a page a role may not open answers 403", async ({
    page,
    browser,
  }) => {
    for (const p of [
      "/charges/ch_DoesNotExist0000000000",
      "/orders/00000000-0000-4000-8000-000000000000",
      "/refunds/not-a-uuid",
      "/red-envelopes/00000000-0000-4000-8000-000000000000",
      "/no-such-page",
    ]) {
      const res = await page.goto(p);
      expect(res?.status(), p).toBe(404);
      await expect(page.getByRole("heading", { name: "找不到该页面" })).toBeVisible();
    }
    // in English too
    await page.goto("/");
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    expect((await page.goto("/charges/ch_DoesNotExist0000000000"))?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await page.getByRole("button", { name: "中文" }).click();
    await expect(page.getByRole("heading", { name: "找不到该页面" })).toBeVisible();

    const pw = await addStaff(page, {
      email: "cashier-403@e2e.test",
      name: "收银 403",
      role: "cashier",
      terminal: "T43",
    });
    const { ctx, page: cashier } = await loginInNewContext(browser, "cashier-403@e2e.test", pw);
    for (const p of ["/audit", "/staff", "/attention", "/cashier/display/T01"]) {
      const res = await cashier.goto(p);
      expect(res?.status(), p).toBe(403);
      await expect(cashier.getByRole("heading", { name: "没有权限" })).toBeVisible();
    }
    expect((await cashier.goto("/cashier/display/T43"))?.status()).toBe(200);
    await ctx.close();
  });

  test("needs attention: grouped by kind with counts, filtered by kind, a kind synced in bulk with how many failed", async ({
    page,
  }) => {
    const ids = [];
    // a shape this version refuses: failed events
    for (let i = 0; i < 3; i++) ids.push((await deliverSigned({ amount: "100" })).id);
    await page.goto("/attention");
    const group = page.getByTestId("attention-group-eventFailed");
    await expect(group.getByTestId("attention-group-count")).toHaveText(/共 \d+ 项/);
    const n = Number((await group.getByTestId("attention-group-count").textContent())!.replace(/\D/g, ""));
    expect(n).toBeGreaterThanOrEqual(3);
    await expect(page.getByTestId("attention-kind-eventFailed")).toContainText(String(n));
    for (const id of ids) await expect(group.locator(`tr[data-object="charge.succeeded ${id}"]`)).toBeVisible();

    await page.getByTestId("attention-kind-eventFailed").click();
    await expect(page).toHaveURL(/kind=eventFailed/);
    await expect(page.getByTestId("attention-kind-eventFailed")).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("list-count")).toHaveText(`共 ${n} 项`);
    await expect(page.locator('tr[data-kind]:not([data-kind="eventFailed"])')).toHaveCount(0);
    await expect(page.locator('tr[data-kind="eventFailed"]')).toHaveCount(Math.min(n, 50));

    await page.getByTestId("bulk-sync-eventFailed").click();
    await page.locator("dialog[open]").getByRole("button", { name: "开始同步" }).click();
    // this version still cannot apply them
    await expect(page.getByTestId("bulk-sync-result")).toHaveText(
      `同步完成：成功 0 个，失败 ${n} 个；仍待处理 ${n} 个。`,
    );

    await page.goto("/audit?action=attention.");
    const row = page.locator('tr[data-action="attention.sync_kind"]').first();
    await expect(row.getByTestId("audit-action")).toHaveText("批量从 Ping++ 同步待处理事项");
    await expect(row.getByTestId("audit-params")).toContainText(`failed: ${n}`);
  });

  test("audit log: action names in both languages, amounts in ¥, targets that open their page", async ({ page }) => {
    const { chargeId } = await newCharge(page, "12.34", "T72");
    await page.goto(`/audit?target=${chargeId}`);
    const row = page.locator('tr[data-action="charge.create"]').first();
    await expect(row.getByTestId("audit-action")).toHaveText("创建交易");
    await expect(row.getByTestId("audit-params")).toContainText("amount: ¥12.34");
    await expect(row.getByTestId("audit-params")).toHaveAttribute("title", /amount: ¥12\.34/);
    await row.getByTestId("audit-target").click();
    await expect(page).toHaveURL(new RegExp(`/charges/${chargeId}$`));
    await page.goto(`/audit?target=${chargeId.slice(0, 12)}`); // a target's prefix finds it
    await expect(page.locator('tr[data-action="charge.create"]').first()).toBeVisible();
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.locator('tr[data-action="charge.create"]').first().getByTestId("audit-action")).toHaveText(
      "Created charge",
    );
    await page.getByRole("button", { name: "中文" }).click();
    await expect(page.locator('tr[data-action="charge.create"]').first().getByTestId("audit-action")).toHaveText(
      "创建交易",
    );
  });

  test("CSV exports carry the channel and status as words beside the codes", async ({ page }) => {
    await newCharge(page, "2.22", "T73");
    const zh = await (await page.request.get("/api/exports/charges?terminal=T73")).text();
    const [zhHeader, zhRow] = zh
      .replace(/^\uFEFF/, "")
      .trim()
      .split(/\r?\n/);
    expect(zhHeader).toMatch(
      /^交易编号 charge_id,订单号 order_no,渠道 channel,.*退款状态 refund_state,渠道名称 channel_name,状态名称 status_name$/,
    );
    expect(zhRow).toMatch(/,alipay_qr,2\.22,.*,pending,.*,支付宝扫码,待支付$/);
    const en = await (await page.request.get("/api/exports/charges?terminal=T73&lang=en")).text();
    expect(en.trim().split(/\r?\n/)[1]).toMatch(/,Alipay QR,Pending$/);
  });

  test("favicon and app name; /cashier and the customer display switch language and sign out", async ({ page }) => {
    expect((await page.request.get("/icon.svg")).status()).toBe(200);
    await expect(page.locator('link[rel="icon"]').first()).toHaveAttribute("href", /icon\.svg/);
    await expect(page).toHaveTitle(/Ping\+\+ 商户控制台/);
    // each page's tab says what it is: its section, and on a detail page the id
    await page.goto("/charges");
    await expect(page).toHaveTitle("交易 · Ping++ 商户控制台");
    await page.goto("/audit");
    await expect(page).toHaveTitle("审计日志 · Ping++ 商户控制台");

    await page.goto("/cashier");
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { name: "Cashier" })).toBeVisible();
    await page.getByRole("button", { name: "中文" }).click();
    await expect(page.getByRole("heading", { name: "收银台" })).toBeVisible();

    await page.goto("/cashier/display/T01");
    const controls = page.getByTestId("display-controls");
    await controls.getByRole("button", { name: "English" }).click();
    await expect(controls.getByRole("button", { name: "中文" })).toBeVisible();
    await controls.getByRole("button", { name: "中文" }).click();
    await controls.getByRole("button", { name: "退出登录" }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/cashier");
    await expect(page).toHaveURL(/\/login/);
  });

  test("isv_wap: the result URL defaults to the customer's own page (status and amount only, no session) and must be http(s)", async ({
    page,
    browser,
  }) => {
    await page.goto("/cashier");
    await page.locator("#channel").selectOption("isv_wap");
    const resultUrl = page.locator("#resultUrl");
    await expect(resultUrl).toHaveValue(`http://127.0.0.1:${PORT}/paid`);
    await page.locator('[name="amount"]').fill("6.60");
    await page.getByRole("textbox", { name: /^终端/ }).fill("T74");
    await resultUrl.evaluate((el: HTMLInputElement) => (el.type = "text")); // past the browser's own check: the server refuses
    await resultUrl.fill("javascript:alert(1)");
    await page.getByRole("button", { name: "生成收款码" }).click();
    await expect(page.getByText("请输入有效的网址").first()).toBeVisible();
    await resultUrl.fill(`http://127.0.0.1:${PORT}/paid`);
    const [poll] = await Promise.all([
      page.waitForRequest((r) => /\/api\/charges\/[0-9a-f-]{36}\/status/.test(r.url())),
      page.getByRole("button", { name: "生成收款码" }).click(),
    ]);
    const ours = /\/api\/charges\/([0-9a-f-]{36})\/status/.exec(poll.url())![1]!;
    const chargeId = (await page.getByTestId("charge-status").getAttribute("data-charge-id"))!;

    const customer = await (await browser.newContext()).newPage(); // the customer's phone: no session
    const res = await customer.goto(`/paid/${ours}`);
    expect(res?.status()).toBe(200);
    await expect(customer.getByTestId("payment-result")).toHaveAttribute("data-status", "pending");
    await expect(customer.getByTestId("payment-amount")).toHaveText("¥6.60");
    await expect(customer.getByText(chargeId)).toHaveCount(0);
    await expect(customer.getByText("T74")).toHaveCount(0);
    await sim(`charges/${chargeId}/pay`);
    await expect(async () => {
      await customer.reload();
      await expect(customer.getByTestId("payment-result")).toHaveAttribute("data-status", "paid", { timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    await expect(customer.getByRole("heading", { name: "支付成功" })).toBeVisible();
    expect((await customer.goto("/paid/00000000-0000-4000-8000-000000000000"))?.status()).toBe(404);
  });
});
