import { seeOther } from "@/lib/http/see-other";
import { getTranslations } from "next-intl/server";
import { getActor } from "@/lib/auth/session";
import { login, type LoginFailure } from "@/lib/auth/login";
import { esc, fromThisSite, htmlPage, localeSwitchForm, scriptJson, statusPage } from "@/lib/html/page";

export const dynamic = "force-dynamic";

/**
 * The login screen as a plain HTML page (lib/html/page.ts), with no React: a React page ships
 * Next.js + React's own ≈130 KB (gzip) of script, more than the whole 120 KB budget of /login
 * (issue 19). Two steps, both plain forms posting here (`method="post"`, so a password never lands
 * in a URL): e-mail and password, then, for an account with two-factor sign-in, the
 * authenticator's code (or a recovery code). Each post runs the one login of the console,
 * lib/auth/login.ts. The page works without script; its few lines of inline script only stop a
 * double submit and say "logging in…".
 */

/** Which form to show; `error` the refusal to show with it, `invalid` when it is about what was typed. */
type Step = { error?: string; invalid?: boolean } & (
  { kind: "password"; email: string } | { kind: "code"; email: string; password: string }
);

/** A signed-in visitor goes to the console (whose layout sends a gated account to /account). */
export async function GET(req: Request) {
  if (await getActor(req).catch(() => null)) return seeOther("/");
  return loginPage({ kind: "password", email: "" });
}

export async function POST(req: Request) {
  // What Next.js checks for a server action, by hand: another site cannot post this form (login CSRF).
  if (!fromThisSite(req)) return statusPage(403);
  const form = await req.formData().catch(() => null);
  const text = (name: string) => {
    const v = form?.get(name);
    return typeof v === "string" ? v : "";
  };
  const email = text("email");
  // "Back" on the code step: the first step again, the e-mail kept; nothing is tried.
  if (form?.has("back")) return loginPage({ kind: "password", email });
  const password = text("password");
  const res = await login({ email, password, code: form?.has("code") ? text("code") : undefined });
  if (res.ok) return seeOther("/");
  if (res.code === "codeRequired") return loginPage({ kind: "code", email, password });
  if (res.code === "invalidCode")
    return loginPage({ kind: "code", email, password, error: res.error, invalid: true }, 422);
  return loginPage({ kind: "password", email, error: res.error, invalid: res.code === "invalid" }, STATUS[res.code]);
}

/** A refused login's status: the form again, with why (the page reads the same either way). */
const STATUS: Record<Exclude<LoginFailure, "codeRequired" | "invalidCode">, number> = {
  invalid: 422,
  throttled: 429,
  unavailable: 503,
};

async function loginPage(step: Step, status = 200): Promise<Response> {
  const t = await getTranslations();
  const error = step.error ? `<div id="login-error" role="alert" class="alert">${esc(step.error)}</div>` : "";
  // The field that gets the focus is tied to the refusal, so a screen reader says why on arriving there.
  const focus = (describedBy: string[] = []) => {
    const ids = [...describedBy, ...(step.error ? ["login-error"] : [])];
    return ` autofocus${ids.length ? ` aria-describedby="${ids.join(" ")}"` : ""}${step.invalid ? ` aria-invalid="true"` : ""}`;
  };
  let fields: string;
  let submit: string;
  let after = "";
  if (step.kind === "password") {
    // After a refusal the e-mail is kept and the password is typed again: it gets the focus.
    const again = Boolean(step.email);
    fields =
      field(
        "email",
        t("login.email"),
        `type="email" autocomplete="username" required value="${esc(step.email)}"${again ? "" : focus()}`,
      ) +
      field(
        "password",
        t("login.password"),
        `type="password" autocomplete="current-password" required${again ? focus() : ""}`,
      );
    submit = t("login.submit");
  } else {
    // The second step needs the e-mail and password again (authenticate checks the three together,
    // under one throttle). They travel back as hidden fields of this form, as the React form kept
    // them in the page's memory: this answer is `no-store`, goes only to the browser that just sent
    // them, and nothing of the first step is kept on the server. A signed "password checked" ticket
    // instead would be a bearer credential of its own for its lifetime, and would need a second
    // way into authenticate that skips the password; hidden fields keep one path.
    fields =
      `<input type="hidden" name="email" value="${esc(step.email)}">` +
      `<input type="hidden" name="password" value="${esc(step.password)}">` +
      `<p id="code-hint" class="hint">${esc(t("login.codeHint"))}</p>` +
      field(
        "code",
        t("login.code"),
        `inputmode="text" autocomplete="one-time-code" required maxlength="32"${focus(["code-hint"])}`,
      );
    submit = t("login.verify");
    after =
      `<form method="post" action="/login" class="after"><input type="hidden" name="email" value="${esc(step.email)}">` +
      `<button type="submit" name="back" value="1" class="back">${esc(t("login.back"))}</button></form>`;
  }
  return htmlPage({
    title: t("login.title"),
    status,
    css: CSS,
    body:
      `<main class="center"><div class="card">` +
      `<div class="head"><div><p class="app">${esc(t("app.name"))}</p><h1>${esc(t("login.title"))}</h1></div>` +
      `${await localeSwitchForm("/login")}</div>` +
      `<form id="login" method="post" action="/login" class="stack">${fields}${error}` +
      `<button type="submit" class="primary">${esc(submit)}</button></form>${after}` +
      `</div></main>`,
    // One post per form: a double click or a second Enter does nothing while the first is on its way.
    script:
      `const f=document.getElementById("login"),b=f.querySelector("button"),l=b.textContent;` +
      `f.addEventListener("submit",e=>{if(f.dataset.sent)return e.preventDefault();f.dataset.sent="1";` +
      `b.setAttribute("aria-disabled","true");b.textContent=${scriptJson(t("login.submitting"))}});` +
      `addEventListener("pageshow",e=>{if(e.persisted){delete f.dataset.sent;b.removeAttribute("aria-disabled");b.textContent=l}});`,
  });
}

/** A labelled input (label, then the input; `attrs` is our own markup, values already escaped). */
const field = (id: string, label: string, attrs: string) =>
  `<div class="field"><label for="${id}">${esc(label)}</label><input id="${id}" name="${id}" ${attrs}></div>`;

/** The console's Tailwind look, by hand: slate text and borders, rounded inputs, an indigo-600 button. */
const CSS = `
.card{max-width:24rem}
.card>*+*{margin-top:1.5rem}
.card>.after{margin-top:1rem}
.head{display:flex;align-items:flex-start;justify-content:space-between;gap:1rem}
.app{font-size:.875rem;line-height:1.25rem;color:#64748b}
h1{font-size:1.5rem;line-height:2rem;font-weight:600}
.stack>*+*{margin-top:1rem}
.field>*+*{margin-top:.25rem}
label{display:block;font-size:.875rem;line-height:1.25rem;font-weight:500;color:#334155}
.field input{display:block;width:100%;border:1px solid #cbd5e1;border-radius:.375rem;background:#fff;padding:.5rem .75rem;font-size:.875rem;line-height:1.25rem;box-shadow:0 1px 2px 0 rgb(0 0 0/.05)}
.field input:focus{border-color:#6366f1}
.field input[aria-invalid=true]{border-color:#f43f5e}
.hint{font-size:.875rem;line-height:1.25rem;color:#475569}
.alert{border:1px solid #fecdd3;border-radius:.375rem;background:#fff1f2;padding:.5rem .75rem;font-size:.875rem;line-height:1.25rem;color:#9f1239}
.primary{display:flex;width:100%;align-items:center;justify-content:center;border-radius:.375rem;background:#4f46e5;padding:.5rem .75rem;font-size:.875rem;line-height:1.25rem;font-weight:500;color:#fff}
.primary:hover{background:#4338ca}
.primary[aria-disabled=true]{background:#a5b4fc;cursor:default}
.back{display:block;width:100%;font-size:.875rem;line-height:1.25rem;color:#64748b;text-decoration:underline}
`;
