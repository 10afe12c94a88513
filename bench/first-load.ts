/**
 * First-load JavaScript of /login and of the console shell (/), as a browser downloads it from
 * the built app: the sum of script responses (bytes as sent, and decoded), measured in Chromium.
 * Needs a running built console (`npm run build && npm start`, default http://127.0.0.1:3000)
 * and an admin login: BENCH_URL, BENCH_EMAIL, BENCH_PASSWORD.
 *   BENCH_EMAIL=admin@example.com BENCH_PASSWORD=… npx tsx bench/first-load.ts
 */
import { chromium, type Page } from "@playwright/test";

const base = process.env.BENCH_URL ?? "http://127.0.0.1:3000";

async function scriptBytes(page: Page, path: string, before?: () => Promise<void>) {
  const sizes: { url: string; encoded: number; decoded: number }[] = [];
  const onResponse = async (res: import("@playwright/test").Response) => {
    if (res.request().resourceType() !== "script") return;
    const body = await res.body().catch(() => Buffer.alloc(0));
    const encoded = Number(res.headers()["content-length"] ?? body.length);
    sizes.push({ url: res.url(), encoded, decoded: body.length });
  };
  await before?.();
  page.on("response", onResponse);
  await page.goto(base + path, { waitUntil: "networkidle" });
  page.off("response", onResponse);
  return { path, scripts: sizes.length, kB: Math.round(sizes.reduce((s, x) => s + x.decoded, 0) / 1024), sentKB: Math.round(sizes.reduce((s, x) => s + x.encoded, 0) / 1024) };
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const login = await scriptBytes(await (await browser.newContext()).newPage(), "/login");
// log in once, then measure the shell in a fresh context (empty cache) carrying only the session
const ctx = await browser.newContext();
const page = await ctx.newPage();
await page.goto(`${base}/login`);
await page.getByLabel("邮箱").fill(process.env.BENCH_EMAIL ?? "admin@example.com");
await page.getByLabel("密码").fill(process.env.BENCH_PASSWORD ?? "");
await page.getByRole("button", { name: "登录" }).click();
await page.waitForURL(`${base}/`);
const shellCtx = await browser.newContext({ storageState: await ctx.storageState() });
const shell = await scriptBytes(await shellCtx.newPage(), "/");
await browser.close();
console.log(JSON.stringify({ login, shell }));
console.log(`first-load JS: /login ${login.kB} kB (${login.sentKB} kB sent, ${login.scripts} scripts); console shell / ${shell.kB} kB (${shell.sentKB} kB sent, ${shell.scripts} scripts)`);
