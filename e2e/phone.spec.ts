import { expect, test, type Page } from "@playwright/test";
import { loginAsAdmin, paidOrderByQr } from "./helpers";

/**
 * An owner checks the day's takings on a phone (issue 19): overview, charges, orders and needs
 * attention at 390 × 844. The page never scrolls sideways (a wide table scrolls inside its own
 * frame), the sidebar is a menu button + drawer that works from the keyboard, and no amount is cut.
 */
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

const PAGES = [
  { path: "/", heading: "概览" },
  { path: "/charges", heading: "交易" },
  { path: "/orders", heading: "订单" },
  { path: "/attention", heading: "待处理" },
];

/**
 * Every text leaf showing an amount (¥1,234.56 / US$…), and whether it is fully visible: its box
 * (the nearest non-inline element) does not overflow, and no ancestor that clips (overflow
 * hidden/clip) cuts it. An ancestor that scrolls (auto/scroll) does not cut: the amount is reached
 * by scrolling that table, not lost.
 */
async function amounts(page: Page) {
  return page.evaluate(() => {
    const money = /(¥|US\$|\$)\s?-?[\d,]+\.\d{2}/;
    const out: { text: string; cut: string | null }[] = [];
    const walker = document.createTreeWalker(document.querySelector("main") ?? document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? "";
      if (!money.test(text)) continue;
      const el = n.parentElement!;
      if (el.closest("[hidden], [aria-hidden='true']") || el.getClientRects().length === 0) continue;
      let box: HTMLElement = el;
      while (getComputedStyle(box).display === "inline" && box.parentElement) box = box.parentElement;
      let cut: string | null = null;
      if (box.scrollWidth > box.clientWidth + 1)
        cut = `box ${box.tagName} scrollWidth ${box.scrollWidth} > clientWidth ${box.clientWidth}`;
      const r = el.getBoundingClientRect();
      for (let a = el.parentElement; a && !cut; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX;
        if (ox !== "hidden" && ox !== "clip") continue;
        const ar = a.getBoundingClientRect();
        if (r.left < ar.left - 1 || r.right > ar.right + 1) cut = `clipped by ${a.tagName}.${a.className}`;
      }
      out.push({ text: text.trim(), cut });
    }
    return out;
  });
}

test.describe("phone (390 px)", () => {
  test.beforeEach(async ({ page }) => {
    await loginAsAdmin(page);
  });

  test("overview, charges, orders and needs attention: no sideways page scroll, every amount shown whole", async ({
    page,
  }) => {
    await paidOrderByQr(page, "123456.78");
    for (const p of PAGES) {
      await page.goto(p.path);
      await expect(page.getByRole("heading", { name: p.heading, exact: true, level: 1 })).toBeVisible();
      const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
      expect(width, `${p.path}: page width`).toBeLessThanOrEqual(390);
      const found = await amounts(page);
      if (p.path === "/charges" || p.path === "/orders")
        expect(found.map((a) => a.text).join(" "), `${p.path}: the paid ¥123,456.78 is listed`).toContain(
          "¥123,456.78",
        );
      if (p.path === "/") expect(found.length, "the overview shows its figures").toBeGreaterThan(3);
      expect(
        found.filter((a) => a.cut),
        `${p.path}: amounts cut`,
      ).toEqual([]);
    }
  });

  test("the sidebar is a menu: hidden until opened, keyboard operable, closes on Escape and after navigating", async ({
    page,
  }) => {
    await page.goto("/");
    const menu = page.getByRole("button", { name: "菜单", exact: true });
    const nav = page.getByRole("navigation", { name: "main" });
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav.getByRole("link", { name: "交易" })).toBeHidden();

    // keyboard: focus the button, open with Enter, focus moves into the drawer, Escape closes it
    await menu.focus();
    await page.keyboard.press("Enter");
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await expect(nav.getByRole("link", { name: "交易" })).toBeVisible();
    expect(await page.evaluate(() => !!document.activeElement?.closest("#console-sidebar"))).toBe(true);
    await page.keyboard.press("Escape");
    await expect(nav.getByRole("link", { name: "交易" })).toBeHidden();
    await expect(menu).toBeFocused();

    // open with Space, follow a link: the new page shows with the drawer shut
    await page.keyboard.press(" ");
    await nav.getByRole("link", { name: "订单" }).click();
    await expect(page).toHaveURL(/\/orders$/);
    await expect(page.getByRole("heading", { name: "订单", exact: true, level: 1 })).toBeVisible();
    await expect(nav.getByRole("link", { name: "交易" })).toBeHidden();
    await expect(menu).toHaveAttribute("aria-expanded", "false");

    // the close button inside the drawer
    await menu.click();
    await page.getByRole("button", { name: "关闭菜单" }).click();
    await expect(nav.getByRole("link", { name: "交易" })).toBeHidden();
  });
});

test.describe("wide screen", () => {
  test.use({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false });
  test("the sidebar is always there and the menu button is not", async ({ page }) => {
    await loginAsAdmin(page);
    await expect(page.getByRole("navigation", { name: "main" }).getByRole("link", { name: "交易" })).toBeVisible();
    await expect(page.getByRole("button", { name: "菜单", exact: true })).toBeHidden();
  });
});
