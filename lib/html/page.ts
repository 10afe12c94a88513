import "server-only";
import { headers } from "next/headers";
import { getLocale, getTranslations } from "next-intl/server";

/**
 * Pages served as plain HTML from a route handler, with no React and no framework script: the
 * screens that must load fast on a cheap tablet over shop Wi-Fi (the customer display, the login
 * form; issue 19 "Light on a cashier tablet"). Next.js 16 + React 19's own scripts are ≈130 KB
 * gzip on every React page, more than those screens' whole budget. Such a page is still served by
 * Next.js's own server and router, behind proxy.ts (session gate, CSP nonce), and reads the same
 * services and catalogues; what it gives up is React: its markup is written here, its styles are
 * inline CSS, and any behaviour is a few lines of inline script carrying this response's nonce.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or attribute value → safe HTML. Everything that is not our own markup goes through it. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** JSON inside an inline <script>: never closes the script element, never starts a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

/** The few rules every plain page shares (the console's Tailwind look: slate text, system fonts). */
export const BASE_CSS = `
*,::before,::after{box-sizing:border-box;margin:0;padding:0;border:0 solid}
html{-webkit-text-size-adjust:100%;font-family:ui-sans-serif,system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;line-height:1.5;color:#0f172a}
body{min-height:100vh;background:#f8fafc}
button,input{font:inherit;color:inherit;background:none}
button{cursor:pointer}
button:disabled{cursor:default;opacity:.6}
:focus-visible{outline:2px solid #4f46e5;outline-offset:2px}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.tool{border-radius:.25rem;padding:.25rem .5rem;font-size:.875rem;color:#475569}
.tool:hover{background:#f1f5f9}
.card{width:100%;max-width:28rem;border-radius:.75rem;background:#fff;padding:2rem;box-shadow:0 1px 3px rgb(0 0 0/.1),0 1px 2px -1px rgb(0 0 0/.1)}
.center{display:flex;min-height:100vh;align-items:center;justify-content:center;padding:1rem}
`;

export interface HtmlPage {
  title: string;
  body: string;
  /** Page-specific CSS, after {@link BASE_CSS}. */
  css?: string;
  /** Inline script (runs after the body); gets this response's CSP nonce. */
  script?: string;
  status?: number;
}

/** A whole HTML document answer: localized `lang` and title, the app icon, never cached. */
export async function htmlPage(page: HtmlPage): Promise<Response> {
  const [locale, t, nonce] = await Promise.all([
    getLocale(),
    getTranslations("app"),
    headers().then((h) => h.get("x-nonce") ?? ""),
  ]);
  const html =
    `<!DOCTYPE html><html lang="${esc(locale)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(`${page.title} · ${t("name")}`)}</title>` +
    `<meta name="application-name" content="${esc(t("name"))}">` +
    `<link rel="icon" href="/icon.svg" type="image/svg+xml">` +
    `<style>${BASE_CSS}${page.css ?? ""}</style></head><body>${page.body}` +
    (page.script ? `<script nonce="${esc(nonce)}">${page.script}</script>` : "") +
    `</body></html>`;
  return new Response(html, {
    status: page.status ?? 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "private, no-store" },
  });
}

/**
 * The language switch of a plain page: a form that posts to /api/locale and comes back to `back`
 * (a path on this site). Its button names the other language, as the React pages' switch does.
 */
export async function localeSwitchForm(back: string): Promise<string> {
  const [locale, t] = await Promise.all([getLocale(), getTranslations("app")]);
  const other = locale === "zh-CN" ? "en" : "zh-CN";
  return (
    `<form method="post" action="/api/locale"><input type="hidden" name="locale" value="${other}">` +
    `<input type="hidden" name="back" value="${esc(back)}">` +
    `<button type="submit" class="tool">${esc(t("language"))}</button></form>`
  );
}

/** Sign-out of a plain page: posts to /api/logout, which ends the session and goes to /login. */
export async function logoutForm(): Promise<string> {
  const t = await getTranslations("app");
  return `<form method="post" action="/api/logout"><button type="submit" class="tool">${esc(t("logout"))}</button></form>`;
}

/** A localized whole-page 403/404 in the same plain form (the React pages use app/forbidden.tsx). */
export async function statusPage(code: 403 | 404): Promise<Response> {
  const t = await getTranslations();
  const [title, body, back] =
    code === 403
      ? [t("app.forbiddenTitle"), t("app.forbiddenBody"), t("app.backHome")]
      : [t("finding.notFound.title"), t("finding.notFound.body"), t("finding.notFound.back")];
  return htmlPage({
    title,
    status: code,
    css: `.status{text-align:center}.status>*+*{margin-top:.75rem}.code{font-size:2.25rem;font-weight:600;color:#64748b}h1{font-size:1.25rem;font-weight:600}.status p{color:#475569}.status a{color:#4f46e5}.status a:hover{text-decoration:underline}`,
    body:
      `<main class="center" data-testid="${code === 403 ? "forbidden" : "not-found"}"><div class="card status">` +
      `<p class="code">${code}</p><h1>${esc(title)}</h1><p>${esc(body)}</p>` +
      `<a href="/">${esc(back)}</a></div></main>`,
  });
}

/**
 * A form post from one of our own pages: the browser says where it comes from (Origin, or
 * Sec-Fetch-Site), and it must be this site. What Next.js checks for server actions, done by hand
 * for the plain pages' forms (login, language, sign-out): another site cannot post them.
 */
export function fromThisSite(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = req.headers.get("origin");
  if (!origin) return false;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Where a form may send the browser back to: a path on this site, never another host. */
export function safeBack(value: FormDataEntryValue | null, fallback = "/"): string {
  const s = typeof value === "string" ? value : "";
  return s.startsWith("/") && !s.startsWith("//") && !s.startsWith("/\\") ? s : fallback;
}
