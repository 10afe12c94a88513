import "server-only";
import QRCode from "qrcode";
import { formatMoney } from "../money";
import type { ChargeView } from "../services/charge-view";
import { esc, scriptJson } from "./page";

/**
 * The customer display (/cashier/display/{terminal}) as a plain HTML page (lib/html/page.ts): the
 * server paints the current state, a few lines of inline script follow the terminal by long
 * polling /api/terminals/{terminal}/active and paint each new answer the same way. What the
 * screen shows of a charge is made here, on the server, for both: the amount as text and the QR
 * as SVG, so the browser needs no money formatting and no QR encoder.
 */

/** The terminal poll's answer (app/api/terminals/[terminal]/active/route.ts) and the first paint. */
export interface DisplayState {
  /** The live charge on the terminal, or null (idle). */
  charge: ChargeView | null;
  /** Its amount as the screen shows it (lib/money.ts formatMoney: "¥12.34"). */
  amountText: string | null;
  /** A pending charge's QR, drawn here (360 px, 2-module margin, role="img"); the page names it. */
  qrSvg: string | null;
}

export async function displayState(charge: ChargeView | null): Promise<DisplayState> {
  return {
    charge,
    amountText: charge ? formatMoney(charge.amount, charge.currency) : null,
    qrSvg: charge?.status === "pending" && charge.qrPayload ? await qrSvg(charge.qrPayload) : null,
  };
}

/**
 * The QR of a payment link as SVG markup, 360 px with a 2-module margin and error correction L, as
 * qrcode.react drew it on the React screen. Drawn by the `qrcode` package: Next.js refuses
 * react-dom/server (renderToStaticMarkup of qrcode.react) in a route handler at build time.
 */
export function qrSvg(payload: string): Promise<string> {
  // A display's long poll reads its pending charge again on every wake-up and every 25 s, and the
  // page and its first poll draw the same QR: the latest ones drawn are kept, by payload.
  let svg = drawnQrs.get(payload);
  if (!svg) {
    svg = QRCode.toString(payload, { type: "svg", width: 360, margin: 2, errorCorrectionLevel: "L" }).then((s) =>
      s.trim().replace(/^<svg\b/, '<svg role="img"'),
    );
    svg.catch(() => drawnQrs.delete(payload));
    if (drawnQrs.size >= DRAWN_QRS_KEPT) drawnQrs.delete(drawnQrs.keys().next().value!);
    drawnQrs.set(payload, svg);
  }
  return svg;
}
/** QRs drawn lately, by payload (a few KB each): one per terminal's pending charge is plenty. */
const drawnQrs = new Map<string, Promise<string>>();
const DRAWN_QRS_KEPT = 64;

/** The screen's texts, already localized (the `display` catalogue). */
export interface DisplayMessages {
  welcome: string;
  /** "终端 T01": with the terminal filled in. */
  terminal: string;
  amount: string;
  scan: string;
  paid: string;
  ended: string;
  attemptFailed: string;
  /** The QR's accessible name. */
  qr: string;
}

/**
 * The four states, as the React screen drew them (e2e relies on the test ids and texts):
 * idle (no charge), pending (amount, QR, a failed attempt's notice, "scan"), paid, and any other
 * status (ended). The script's `render` below builds the very same elements in the browser.
 */
export function screenHtml(s: DisplayState, m: DisplayMessages): string {
  const c = s.charge;
  const p = (cls: string, text: string | null) => `<p class="${cls}">${esc(text ?? "")}</p>`;
  const main = (status: string, look: string, inner: string) =>
    `<main data-testid="display" data-status="${esc(status)}" class="screen ${look}">${inner}</main>`;
  if (!c) return main("idle", "idle", p("welcome", m.welcome) + p("where", m.terminal));
  if (c.status === "paid") return main("paid", "paid", p("thanks", m.paid) + p("sum", s.amountText));
  if (c.status !== "pending") return main(c.status, "ended", p("over", m.ended));
  return main(
    "pending",
    "pending",
    p("due", m.amount) +
      p("total", s.amountText) +
      (s.qrSvg ? `<div class="qr">${s.qrSvg.replace(/^<svg\b/, `<svg aria-label="${esc(m.qr)}"`)}</div>` : "") +
      (c.failureMsg ? `<p class="failed" data-testid="display-attempt-failed">${esc(m.attemptFailed)}</p>` : "") +
      p("scan", m.scan),
  );
}

/**
 * Tailwind's look of the React screen, by hand: slate-900 idle, white pending, emerald-700 paid
 * (emerald-500 failed contrast with white text), slate-800 ended; large type, tabular figures.
 * Staff controls small in a corner, not dimmed (dimmed text fails contrast, e2e/a11y.spec.ts).
 */
export const DISPLAY_CSS = `
.screen{display:flex;min-height:100vh;flex-direction:column;align-items:center;justify-content:center;gap:2rem;padding:2rem;text-align:center}
.idle{background:#0f172a;color:#fff}
.pending{background:#fff}
.paid{background:#047857;color:#fff}
.ended{background:#1e293b;color:#fff}
.welcome{font-size:3.75rem;line-height:1;font-weight:600}
.where{color:#94a3b8}
.thanks,.total{font-size:4.5rem;line-height:1;font-weight:700}
.sum,.over{font-size:3rem;line-height:1}
.sum,.total{font-variant-numeric:tabular-nums}
.due{font-size:1.5rem;line-height:2rem;color:#64748b}
.failed{font-size:1.875rem;line-height:2.25rem;font-weight:600;color:#e11d48}
.scan{font-size:1.875rem;line-height:2.25rem;color:#334155}
.qr{width:360px;max-width:100%}
.qr svg{display:block;width:100%;height:auto}
.controls{position:fixed;bottom:.5rem;right:.5rem;display:flex;align-items:center;gap:.25rem;border-radius:.25rem;background:rgb(255 255 255/.95);font-size:.75rem;box-shadow:0 1px 2px 0 rgb(0 0 0/.05)}
.controls .tool{font-size:.75rem}
@media print{.controls{display:none}}
`;

/**
 * Follows the terminal as useLongPoll did (ARCHITECTURE.md rule 5): each answer starts the next
 * poll at once, `?wait=25` with the last ETag, so the server answers the moment the charge
 * changes (304 after 25 s: nothing to do). A failed poll (network, 5xx) falls back to plain polls
 * once a second until one succeeds; signed out (401): the login page. Data goes in as text only;
 * the one markup inserted is the server's own QR SVG.
 */
export function displayScript(data: { url: string; etag: string; m: DisplayMessages }): string {
  return `
const { url, m, etag: painted } = ${scriptJson(data)};
let etag = painted;
let fallback = false;
const main = document.querySelector("[data-testid=display]");

function p(cls, text) {
  const e = document.createElement("p");
  e.className = cls;
  e.textContent = text;
  return e;
}

function render(s) {
  const c = s.charge;
  let status = "pending", look = "pending", parts;
  if (!c) {
    status = look = "idle";
    parts = [p("welcome", m.welcome), p("where", m.terminal)];
  } else if (c.status === "paid") {
    status = look = "paid";
    parts = [p("thanks", m.paid), p("sum", s.amountText)];
  } else if (c.status !== "pending") {
    status = c.status;
    look = "ended";
    parts = [p("over", m.ended)];
  } else {
    parts = [p("due", m.amount), p("total", s.amountText)];
    if (s.qrSvg) {
      const qr = document.createElement("div");
      qr.className = "qr";
      qr.innerHTML = s.qrSvg;
      qr.firstElementChild.setAttribute("aria-label", m.qr);
      parts.push(qr);
    }
    if (c.failureMsg) {
      const failed = p("failed", m.attemptFailed);
      failed.dataset.testid = "display-attempt-failed";
      parts.push(failed);
    }
    parts.push(p("scan", m.scan));
  }
  main.dataset.status = status;
  main.className = "screen " + look;
  main.textContent = "";
  main.append(...parts);
}

async function poll() {
  let next = 0;
  try {
    const res = await fetch(fallback ? url : url + "?wait=25", {
      cache: "no-store",
      headers: etag ? { "if-none-match": etag } : {},
    });
    if (res.status === 401) return location.replace("/login");
    if (res.status !== 304) {
      if (!res.ok) throw new Error("status " + res.status);
      const s = await res.json();
      etag = res.headers.get("etag");
      render(s);
    }
    fallback = false;
  } catch {
    fallback = true;
    next = 1000;
  }
  setTimeout(poll, next);
}
poll();
`;
}
