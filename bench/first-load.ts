/**
 * First-load JavaScript of every console page, as a browser downloads it from the built app:
 * each script response Chromium fetches for the page (fresh context, empty cache), counted as
 * gzip -9 of its body (what a compressing proxy would send; Next.js's standalone server sends
 * them uncompressed) and as decoded bytes.
 * Needs a running built console (`npm run build && npm start`, default http://127.0.0.1:3000)
 * and an admin login: BENCH_URL, BENCH_EMAIL, BENCH_PASSWORD; BENCH_TERMINAL (default T01) names
 * the customer display's terminal. It makes one sandbox charge through /cashier when the charges
 * list is empty, for the charge detail page. BENCH_PAGES=/,/cashier limits the pages;
 * BENCH_SCRIPTS=1 also lists each page's scripts with their sizes.
 *   BENCH_EMAIL=admin@example.com BENCH_PASSWORD=… npx tsx bench/first-load.ts
 */
import { gzipSync } from "node:zlib";
import { chromium, type BrowserContext, type Response } from "@playwright/test";
import { NAV_ITEMS } from "../components/nav";

const base = process.env.BENCH_URL ?? "http://127.0.0.1:3000";
const terminal = process.env.BENCH_TERMINAL ?? "T01";
const listScripts = process.env.BENCH_SCRIPTS === "1";

type Script = { url: string; gzip9: number; decoded: number };

async function scriptBytes(ctx: BrowserContext, path: string) {
  const page = await ctx.newPage();
  const pending: Promise<Script | null>[] = [];
  page.on("response", (res: Response) => {
    if (res.request().resourceType() !== "script") return;
    pending.push(
      res
        .body()
        .then((body) => ({
          url: res.url().replace(base, ""),
          gzip9: gzipSync(body, { level: 9 }).length,
          decoded: body.length,
        }))
        .catch(() => null),
    );
  });
  // not "networkidle": the cashier screens long-poll (?wait=25), so the network is never idle.
  // Loaded, then no new script for 2 s (lazy chunks and Link prefetches included).
  const res = await page.goto(base + path, { waitUntil: "load" });
  for (let seen = -1, waited = 0; seen !== pending.length && waited < 20_000; waited += 2_000) {
    seen = pending.length;
    await page.waitForTimeout(2_000);
  }
  const scripts = (await Promise.all(pending)).filter((s): s is Script => s !== null);
  await page.close();
  const sum = (k: "gzip9" | "decoded") => scripts.reduce((s, x) => s + x[k], 0);
  return {
    path,
    status: res?.status() ?? 0,
    scripts: scripts.length,
    gzipKB: +(sum("gzip9") / 1024).toFixed(1),
    decodedKB: +(sum("decoded") / 1024).toFixed(1),
    list: scripts,
  };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const results = [await scriptBytes(await browser.newContext(), "/login")];

// log in once; each page is then measured in a fresh context (empty cache) carrying only the session
const ctx = await browser.newContext();
const page = await ctx.newPage();
await page.goto(`${base}/login`);
await page.getByLabel(/邮箱|Email/).fill(process.env.BENCH_EMAIL ?? "admin@example.com");
await page.getByLabel(/密码|Password/).fill(process.env.BENCH_PASSWORD ?? "");
await page.getByRole("button", { name: /^(登录|Sign in)$/ }).click();
await page.waitForURL(`${base}/`);

// a charge for the detail page: the newest listed, else one made through the cashier form
async function chargeId() {
  await page.goto(`${base}/charges`);
  const href = () =>
    page
      .locator('a[href^="/charges/"]')
      .first()
      .getAttribute("href", { timeout: 3_000 })
      .catch(() => null);
  let h = await href();
  if (!h) {
    await page.goto(`${base}/cashier`);
    await page
      .getByLabel(/金额|Amount/)
      .first()
      .fill("1.00");
    await page.getByRole("button", { name: /生成收款码|Create QR/ }).click();
    await page.getByTestId("charge-status").waitFor();
    await page.goto(`${base}/charges`);
    h = await href();
  }
  return h;
}
const detail = await chargeId();

// Every page of the sidebar (components/nav.ts is the one list of the console's sections), then
// the pages beyond it: the customer display (a kiosk screen, no sidebar entry), a charge's detail
// page, the two send/create forms reached from their lists, the batches page reached from
// /red-envelopes, and /account (the header's link). /login is measured above, before signing in.
const beyondNav = [
  `/cashier/display/${terminal}`,
  ...(detail ? [detail] : []),
  "/settlements/new",
  "/red-envelopes/new",
  "/red-envelopes/batches",
  "/account",
];
const all = [...NAV_ITEMS.map((i) => i.href), ...beyondNav];
const only = process.env.BENCH_PAGES?.split(",");
const storageState = await ctx.storageState();
for (const p of all.filter((p) => !only || only.includes(p))) {
  const c = await browser.newContext({ storageState });
  results.push(await scriptBytes(c, p));
  await c.close();
}
await browser.close();

console.log(JSON.stringify(results.map(({ list, ...r }) => (listScripts ? { ...r, list } : r))));
console.log("\npage | status | scripts | gzip -9 KB | decoded KB");
for (const r of results) console.log(`${r.path} | ${r.status} | ${r.scripts} | ${r.gzipKB} | ${r.decodedKB}`);
if (listScripts)
  for (const r of results) {
    console.log(`\n${r.path}`);
    for (const s of [...r.list].sort((a, b) => b.gzip9 - a.gzip9))
      console.log(`  ${(s.gzip9 / 1024).toFixed(1).padStart(7)} KB  ${s.url}`);
  }
