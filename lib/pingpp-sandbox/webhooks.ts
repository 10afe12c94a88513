// Webhook signing, delivery and retries (ARCHITECTURE.md §9, Ping++'s schedule), persisted so retries resume after a
// restart.
import { createPrivateKey, createSign, type KeyObject } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { Store } from "./store";
import type { Delivery, PingppEvent } from "./types";
import { randomAlnum } from "./util";

/** Seconds to wait before retry n (after the first, immediate, attempt). */
export const RETRY_SCHEDULE_S = [5, 10, 120, 300, 600, 1800, 3600, 7200, 21600, 54000];

/** How much of each receiver answer is kept in the delivery log (characters). */
const RESPONSE_BODY_LIMIT = 2000;

const parsedKeys = new Map<string, KeyObject>();

/** base64 RSA-SHA256 (PKCS#1 v1.5) over the raw bytes: `X-Pingplusplus-Signature`. The PEM is parsed once. */
export function signBody(privateKeyPem: string, body: string | Buffer): string {
  let key = parsedKeys.get(privateKeyPem);
  if (!key) parsedKeys.set(privateKeyPem, (key = createPrivateKey(privateKeyPem)));
  return createSign("RSA-SHA256").update(body).sign(key, "base64");
}

interface WebhookOptions {
  store: Store;
  privateKeyPem: string;
  webhookUrl: () => string | undefined;
  timeScale: number;
  /** per attempt */
  timeoutMs?: number;
}

export class Webhooks {
  private timers = new Map<string, NodeJS.Timeout>();
  private inflight = new Set<http.ClientRequest>();
  private closed = false;

  constructor(private readonly o: WebhookOptions) {}

  private get state() {
    return this.o.store.state;
  }

  /** Queue delivery of a stored event (no-op without a webhook URL); first attempt right away. */
  enqueue(event: PingppEvent): Delivery | null {
    const url = this.o.webhookUrl();
    if (!url) return null;
    const d: Delivery = {
      id: "whd_" + randomAlnum(20),
      event_id: event.id,
      event_type: event.type,
      url,
      status: "pending",
      attempts: [],
      next_attempt_at: Date.now(),
      created: Date.now(),
    };
    this.state.deliveries[d.id] = d;
    this.refreshPending(event.id);
    this.schedule(d, 0);
    return d;
  }

  /** Re-send pending deliveries left over from a previous run. */
  resume(): void {
    for (const d of Object.values(this.state.deliveries)) {
      if (d.status === "pending") this.schedule(d, Math.max(0, (d.next_attempt_at ?? Date.now()) - Date.now()));
    }
  }

  /** Webhook URL just became available/changed: retry pending deliveries now. */
  kick(): void {
    for (const d of Object.values(this.state.deliveries)) {
      if (d.status === "pending" && !this.inflightIds.has(d.id)) this.schedule(d, 0);
    }
  }

  private inflightIds = new Set<string>();

  private schedule(d: Delivery, delayMs: number): void {
    if (this.closed) return;
    const old = this.timers.get(d.id);
    if (old) clearTimeout(old);
    const t = setTimeout(() => {
      this.timers.delete(d.id);
      void this.attempt(d.id);
    }, delayMs);
    t.unref?.();
    this.timers.set(d.id, t);
  }

  private refreshPending(eventId: string): void {
    const ev = this.state.events[eventId];
    if (!ev) return;
    ev.pending_webhooks = Object.values(this.state.deliveries).filter(
      (x) => x.event_id === eventId && x.status === "pending",
    ).length;
  }

  private async attempt(id: string): Promise<void> {
    const d = this.state.deliveries[id];
    const ev = d ? this.state.events[d.event_id] : undefined;
    if (!d || !ev || d.status !== "pending" || this.closed) return;
    const url = this.o.webhookUrl() ?? d.url;
    d.url = url;
    const body = JSON.stringify(ev);
    const started = Date.now();
    this.inflightIds.add(id);
    const res = await this.post(url, body);
    this.inflightIds.delete(id);
    if (this.closed) return;
    d.attempts.push({
      at: started,
      status_code: res.status,
      response_body: res.body,
      error: res.error,
      duration_ms: Date.now() - started,
    });
    if (res.status !== null && res.status >= 200 && res.status < 300) {
      d.status = "delivered";
      d.next_attempt_at = null;
    } else {
      const delay = RETRY_SCHEDULE_S[d.attempts.length - 1];
      if (delay === undefined) {
        d.status = "failed";
        d.next_attempt_at = null;
      } else {
        const ms = Math.round(delay * 1000 * this.o.timeScale);
        d.next_attempt_at = Date.now() + ms;
        this.schedule(d, ms);
      }
    }
    this.refreshPending(d.event_id);
    this.o.store.save();
  }

  private post(
    url: string,
    body: string,
  ): Promise<{ status: number | null; body: string | null; error: string | null }> {
    return new Promise((resolve) => {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        resolve({ status: null, body: null, error: `invalid webhook URL: ${url}` });
        return;
      }
      const lib = u.protocol === "https:" ? https : http;
      const raw = Buffer.from(body, "utf8");
      const req = lib.request(
        u,
        {
          method: "POST",
          headers: {
            "content-type": "application/json; charset=utf-8",
            "content-length": String(raw.length),
            "user-agent": "Pingpp-Sandbox/1.0",
            "x-pingplusplus-signature": signBody(this.o.privateKeyPem, raw),
          },
          timeout: this.o.timeoutMs ?? 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          res.on("data", (c: Buffer) => {
            if (kept < RESPONSE_BODY_LIMIT) chunks.push(c);
            kept += c.length;
          });
          res.on("end", () => {
            this.inflight.delete(req);
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({
              status: res.statusCode ?? null,
              body: text.length > RESPONSE_BODY_LIMIT ? `${text.slice(0, RESPONSE_BODY_LIMIT)}…` : text,
              error: null,
            });
          });
          res.on("error", () => undefined);
        },
      );
      this.inflight.add(req);
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => {
        this.inflight.delete(req);
        resolve({ status: null, body: null, error: e.message || String(e) });
      });
      req.end(raw);
    });
  }

  /** A new delivery of an existing event (manual redelivery). */
  redeliver(eventId: string): Delivery | null {
    const ev = this.state.events[eventId];
    return ev ? this.enqueue(ev) : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const r of this.inflight) r.destroy();
    this.inflight.clear();
  }
}
