// The sandbox's own web page (`GET /`): what it holds (charges, orders, red envelopes, settlements, webhook
// deliveries) with buttons for the /_sim controls. Chinese first, English after the slash. Plain HTML forms:
// every form posts to a /_sim control with `_back=/`, and the server answers 303 back here with a notice.
import type { Engine } from "./engine";
import { payRefusal } from "./resources/charges";
import { Reply, type Req, type Router } from "./router";
import type { Charge, Delivery, Order, RedEnvelope, RoyaltySettlement } from "./types";

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function formatAmount(fen: number, currency: string): string {
  const yuan = `${Math.floor(fen / 100).toLocaleString("en-US")}.${String(fen % 100).padStart(2, "0")}`;
  return currency === "cny" ? `¥${yuan}` : `${currency.toUpperCase()} ${yuan}`;
}

const ROWS = 20;
const h = escapeHtml;

/** Unix seconds or ms → `2026-11-27 13:05:09` (Asia/Shanghai). */
function time(t: number | null | undefined, ms = false): string {
  if (!t) return "—";
  const d = new Date(ms ? t : t * 1000);
  return d.toLocaleString("sv-SE", { timeZone: "Asia/Shanghai", hour12: false });
}

/** A one-button form posting to a /_sim control and coming back here. */
function button(action: string, label: string, fields: Record<string, string> = {}, cls = ""): string {
  const hidden = Object.entries({ ...fields, _back: "/" })
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}">`)
    .join("");
  return `<form method="post" action="${h(action)}" class="inline">${hidden}<button type="submit" class="${cls}">${label}</button></form>`;
}

const latest = <T extends { created: number }>(xs: Iterable<T>): T[] => [...xs].slice(-ROWS).reverse();

function chargeStatus(e: Engine, c: Charge): string {
  if (c.paid)
    return c.refunded
      ? `<span class="tag ok">已支付·有退款 / paid·refunded</span>`
      : `<span class="tag ok">已支付 / paid</span>`;
  if (c.reversed) return `<span class="tag">已撤销 / reversed</span>`;
  if (c.time_expire < e.now()) return `<span class="tag">已过期 / expired</span>`;
  if (c.failure_msg) return `<span class="tag bad">支付失败 / failed</span>`;
  return `<span class="tag wait">待支付 / pending</span>`;
}

function chargesTable(e: Engine): string {
  const rows = latest(Object.values(e.s.charges)).map((c) => {
    const id = encodeURIComponent(c.id);
    const open = !payRefusal(e, c);
    const actions = open
      ? [
          button(`/_sim/charges/${id}/pay`, "支付 / Pay", {}, "primary"),
          button(`/_sim/charges/${id}/fail`, "失败 / Fail"),
          button(`/_sim/charges/${id}/expire`, "过期 / Expire"),
        ].join("")
      : "";
    const page = c.credential && Object.keys(c.credential).length > 0 ? ` <a href="/pay/${id}">支付页 / page</a>` : "";
    return `<tr><td><code>${h(c.id)}</code>${c._order ? `<br><small>订单 ${h(c._order)}</small>` : ""}</td>
<td class="num">${h(formatAmount(c.amount, c.currency))}</td><td>${h(c.channel)}</td><td>${chargeStatus(e, c)}</td>
<td>${h(c.order_no)}</td><td>${time(c.created)}</td><td>${actions}${page}</td></tr>`;
  });
  return table(
    "支付 Charges",
    ["ID", "金额 Amount", "渠道 Channel", "状态 Status", "商户订单号 order_no", "创建 Created", "操作 Actions"],
    rows,
  );
}

const ORDER_STATUS: Record<string, string> = {
  created: "待支付 / created",
  paid: "已支付 / paid",
  refunded: "已退款 / refunded",
  canceled: "已取消 / canceled",
};

function ordersTable(e: Engine): string {
  const rows = latest(Object.values(e.s.orders)).map((o: Order) => {
    const id = encodeURIComponent(o.id);
    const actions: string[] = [];
    if (o.status === "created" && !o.paid)
      actions.push(button(`/_sim/orders/${id}/pay_twice`, "两个渠道各付一次 / Pay twice"));
    if ((o.status === "created" || o.status === "canceled") && !o.paid) {
      actions.push(button(`/_sim/orders/${id}/pay_after_cancel`, "取消后支付 / Pay after cancel"));
    }
    return `<tr><td><code>${h(o.id)}</code></td><td class="num">${h(formatAmount(o.amount, o.currency))}</td>
<td class="num">${h(formatAmount(o.amount_paid, o.currency))}</td><td class="num">${h(formatAmount(o.amount_refunded, o.currency))}</td>
<td>${h(ORDER_STATUS[o.status] ?? o.status)}</td><td>${h(o.merchant_order_no)}</td><td>${time(o.created)}</td><td>${actions.join("")}</td></tr>`;
  });
  return table(
    "订单 Orders",
    ["ID", "金额 Amount", "已付 Paid", "已退 Refunded", "状态 Status", "商户订单号", "创建 Created", "操作 Actions"],
    rows,
  );
}

const RED_STATUS: Record<string, string> = {
  sending: "发送中 / sending",
  sent: "已发送 / sent",
  received: "已领取 / received",
  failed: "失败 / failed",
  refunding: "退回中 / refunding",
  refund: "已退回 / refunded",
};

function redEnvelopesTable(e: Engine): string {
  const rows = latest(Object.values(e.s.redEnvelopes)).map((r: RedEnvelope) => {
    const id = encodeURIComponent(r.id);
    const actions =
      r.status === "sending" || r.status === "sent"
        ? button(`/_sim/red_envelopes/${id}/receive`, "领取 / Receive", {}, "primary") +
          button(`/_sim/red_envelopes/${id}/fail`, "失败 / Fail")
        : "";
    return `<tr><td><code>${h(r.id)}</code></td><td class="num">${h(formatAmount(r.amount, r.currency))}</td><td>${h(r.recipient)}</td>
<td>${h(RED_STATUS[r.status] ?? r.status)}</td><td>${time(r.created)}</td><td>${actions}</td></tr>`;
  });
  return table(
    "红包 Red envelopes",
    ["ID", "金额 Amount", "接收者 Recipient", "状态 Status", "创建 Created", "操作 Actions"],
    rows,
  );
}

function settlementsTable(e: Engine): string {
  const rows = latest(Object.values(e.s.settlements)).map(
    (
      s: RoyaltySettlement,
    ) => `<tr><td><code>${h(s.id)}</code></td><td>${h(s.method)}</td><td class="num">${h(formatAmount(s.amount, "cny"))}</td>
<td class="num">${s.count}</td><td class="num">${h(formatAmount(s.amount_succeeded, "cny"))} / ${h(formatAmount(s.amount_failed, "cny"))}</td>
<td>${h(s.status)}</td><td>${time(s.created)}</td></tr>`,
  );
  return table(
    "分润结算 Royalty settlements",
    ["ID", "方式 Method", "金额 Amount", "笔数 Count", "成功/失败 Succeeded/failed", "状态 Status", "创建 Created"],
    rows,
  );
}

function deliveriesTable(e: Engine): string {
  const all = Object.values(e.s.deliveries);
  const rows = all
    .slice(-ROWS)
    .reverse()
    .map((d: Delivery) => {
      const last = d.attempts[d.attempts.length - 1];
      const answer = last ? (last.status_code !== null ? String(last.status_code) : h(last.error ?? "—")) : "—";
      const body = last?.response_body ? `<br><small>${h(last.response_body.slice(0, 120))}</small>` : "";
      const tag = d.status === "delivered" ? "ok" : d.status === "failed" ? "bad" : "wait";
      const label =
        d.status === "delivered" ? "已送达 / delivered" : d.status === "failed" ? "失败 / failed" : "重试中 / pending";
      const attempts = d.attempts
        .map((a) => `${time(a.at, true)} → ${a.status_code ?? h(a.error ?? "?")}`)
        .join("<br>");
      return `<tr><td>${h(d.event_type)}<br><small><code>${h(d.event_id)}</code></small></td><td><span class="tag ${tag}">${label}</span></td>
<td class="num"><details><summary>${d.attempts.length}</summary><small>${attempts || "—"}</small></details></td><td>${answer}${body}</td>
<td>${d.next_attempt_at ? time(d.next_attempt_at, true) : "—"}</td>
<td>${button("/_sim/webhooks/redeliver", "重新推送 / Redeliver", { event_id: d.event_id })}</td></tr>`;
    });
  return table(
    `Webhook 推送 Deliveries <small>(${all.length})</small>`,
    ["事件 Event", "状态 Status", "尝试 Attempts", "最后应答 Last answer", "下次重试 Next try", "操作 Actions"],
    rows,
  );
}

function table(title: string, head: string[], rows: string[]): string {
  const body = rows.length
    ? rows.join("\n")
    : `<tr><td colspan="${head.length}" class="empty">暂无 / None yet</td></tr>`;
  return `<section><h2>${title}</h2><div class="scroll"><table><thead><tr>${head.map((x) => `<th>${x}</th>`).join("")}</tr></thead>
<tbody>${body}</tbody></table></div></section>`;
}

function controls(e: Engine, webhookUrl: string | undefined): string {
  const pool = Object.values(e.s.royalties).filter((r) => r.status === "created" && r.royalty_settlement === null);
  const poolSum = pool.reduce((n, r) => n + r.amount, 0);
  const next = e.s.nextOutcome
    ? `${e.s.nextOutcome.status}${e.s.nextOutcome.fail_count ? ` ×${e.s.nextOutcome.fail_count}` : ""}`
    : "succeeded (默认 default)";
  const back = `<input type="hidden" name="_back" value="/">`;
  return `<section class="controls">
<form method="post" action="/_sim/faults">${back}<label>故障注入 Faults <select name="mode">
<option value="500">500 api_error</option><option value="502_html">502 HTML (非 JSON)</option><option value="channel_error">402 channel_error</option>
<option value="timeout">超时 timeout</option><option value="none">关闭 none</option></select></label>
<label>次数 count <input name="count" type="number" min="1" max="1000" value="1"></label><button type="submit">设置 / Set</button></form>

<form method="post" action="/_sim/royalty_settlements/next_outcome">${back}<label>下一次结算结果 Next settlement <select name="status">
<option value="succeeded">succeeded</option><option value="partially_succeeded">partially_succeeded</option><option value="failed">failed</option></select></label>
<label>失败笔数 fail_count <input name="fail_count" type="number" min="1"></label><button type="submit">设置 / Set</button>
<small>当前 now: ${h(next)}</small></form>

<form method="post" action="/_sim/royalties">${back}<label>添加分润 Seed royalties: 金额(分) amount <input name="amount" type="number" min="1" value="1000" required></label>
<label>用户 source_user <input name="source_user" value="user_001" required></label><label>笔数 count <input name="count" type="number" min="1" max="100" value="1"></label>
<button type="submit">添加 / Seed</button><small>待结算 pool: ${pool.length} 笔, ${h(formatAmount(poolSum, "cny"))}</small></form>

<div>${button("/_sim/webhooks/redeliver", "重新推送全部失败的 Webhook / Redeliver all failed")}
${button("/_sim/jobs/run", "立即完成退款/结算 / Run pending jobs")}</div>

<form method="post" action="/_sim/config">${back}<label>Webhook URL <input name="webhookUrl" type="url" size="48" value="${h(webhookUrl ?? "")}" required></label>
<button type="submit">保存 / Save</button></form>
</section>`;
}

export interface DashboardInfo {
  webhookUrl(): string | undefined;
  publicUrl(): string;
  fault(): { mode: string; remaining: number } | null;
}

export function dashboardPage(e: Engine, info: DashboardInfo, notice: { ok?: string; error?: string }): string {
  const fault = info.fault();
  const flash = notice.error
    ? `<p class="flash bad">✗ ${h(notice.error)}</p>`
    : notice.ok
      ? `<p class="flash ok">✓ 已执行 / Done: ${h(notice.ok)}</p>`
      : "";
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Ping++ 沙箱 / Sandbox</title>
<style>
body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;padding:16px 24px;color:#1f2937;background:#f8fafc;font-size:14px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#4b5563;margin:0 0 8px}.meta code{background:#eef2f7;padding:1px 4px;border-radius:3px}
.badge{background:#f59e0b;color:#fff;border-radius:4px;padding:2px 8px;font-size:12px;vertical-align:middle}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e5e7eb;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f1f5f9;font-weight:600;white-space:nowrap}.num{text-align:right;white-space:nowrap}.empty{color:#9ca3af;text-align:center}
.scroll{overflow-x:auto}form.inline{display:inline}button{margin:2px;padding:3px 8px;border:1px solid #cbd5e1;background:#fff;border-radius:4px;cursor:pointer}
button.primary{background:#16a34a;border-color:#16a34a;color:#fff}.tag{padding:1px 6px;border-radius:3px;background:#e5e7eb;white-space:nowrap}
.tag.ok{background:#dcfce7;color:#166534}.tag.bad{background:#fee2e2;color:#991b1b}.tag.wait{background:#fef3c7;color:#92400e}
.controls form,.controls div{margin:6px 0;padding:8px;background:#fff;border:1px solid #e5e7eb;border-radius:6px}.controls label{margin-right:8px}
.flash{padding:8px 12px;border-radius:6px}.flash.ok{background:#dcfce7}.flash.bad{background:#fee2e2}small{color:#6b7280}
</style></head><body>
<h1>Ping++ 沙箱 <span class="badge">SANDBOX</span></h1>
<p class="meta">App ID <code>${h(e.cfg.appId)}</code> · API <code>/v1</code> · 支付页地址 Pay pages <code>${h(info.publicUrl())}/pay/{charge_id}</code> ·
Webhook → <code>${h(info.webhookUrl() ?? "未配置 not set")}</code>${fault ? ` · <span class="tag bad">故障注入中 fault: ${h(fault.mode)} ×${fault.remaining}</span>` : ""} ·
<a href="/">刷新 / Refresh</a> · <a href="/_sim">/_sim</a></p>
${flash}
<h2>模拟控制 Simulation controls</h2>
${controls(e, info.webhookUrl())}
${chargesTable(e)}
${ordersTable(e)}
${redEnvelopesTable(e)}
${settlementsTable(e)}
${deliveriesTable(e)}
</body></html>`;
}

export function registerDashboard(r: Router, e: Engine, info: DashboardInfo): void {
  r.get("/", (req: Req) => {
    const accept = String(req.headers.accept ?? "");
    // machine clients (curl -H accept:application/json, health checks) keep getting the old JSON summary
    if (accept.includes("application/json") && !accept.includes("text/html")) {
      return {
        object: "sandbox",
        api_base: "/v1",
        app_id: e.cfg.appId,
        sim: "/_sim",
        dashboard: "/",
        pay_page: `${info.publicUrl()}/pay/{charge_id}`,
      };
    }
    const one = (k: string) => {
      const v = req.query[k];
      return typeof v === "string" ? v : undefined;
    };
    return Reply.html(dashboardPage(e, info, { ok: one("ok"), error: one("error") }));
  });
}
