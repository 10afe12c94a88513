import "server-only";
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { env } from "../env";
import { getDb } from "../db";
import { pingppEvents } from "../db/schema";
import { audit } from "./audit";
import { pingpp } from "./pingpp-client";
import type { Actor } from "./actor";

export interface SettingsView {
  mode: "sandbox" | "test" | "live";
  appId: string;
  maskedKey: string;
  apiBase: string;
  webhookUrl: string;
  publicKeyFingerprint: string | null;
  requestSigning: boolean;
}

/** "sk_live_abcdef…wxyz" → "sk_live_••••wxyz": enough to recognise, never enough to use. */
export function maskKey(key: string): string {
  const prefix = /^sk_(live|test)_/.exec(key)?.[0] ?? "";
  return `${prefix}••••${key.slice(-4)}`;
}

/** SHA-256 of the key's DER (SubjectPublicKeyInfo), as colon-separated hex. */
export function publicKeyFingerprint(pem: string): string {
  const der = crypto.createPublicKey(pem).export({ type: "spki", format: "der" });
  return crypto.createHash("sha256").update(der).digest("hex").match(/../g)!.join(":").toUpperCase();
}

export function settingsView(origin: string): SettingsView {
  const p = env().pingpp;
  return {
    mode: p.mode,
    appId: p.appId,
    maskedKey: maskKey(p.apiKey),
    apiBase: p.apiBase,
    webhookUrl: `${origin}/api/webhooks/pingpp`,
    publicKeyFingerprint: p.publicKeyPem ? publicKeyFingerprint(p.publicKeyPem) : null,
    requestSigning: !!p.privateKeyPem,
  };
}

export type WebhookCheck =
  | { ok: true; kind: "signed-roundtrip"; eventId: string; ms: number }
  | { ok: true; kind: "unsigned-refused"; ms: number }
  | { ok: false; step: "reach" | "refuse" | "deliver"; detail: string };

/**
 * "Send a test webhook to myself". Sandbox: the sandbox signs and delivers a real event to the
 * console's webhook URL, and we wait until it is verified and stored. Test/live: Ping++'s
 * private key is not ours, so we check the URL answers and refuses an unsigned event (401).
 */
export async function checkWebhookPath(actor: Actor, webhookUrl: string): Promise<WebhookCheck> {
  const started = Date.now();
  const result = await (async (): Promise<WebhookCheck> => {
    let res: Response;
    try {
      res = await fetch(webhookUrl, {
        method: "POST",
        body: JSON.stringify({ id: "evt_console_selftest", object: "event" }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      return { ok: false, step: "reach", detail: (e as Error).message };
    }
    if (res.status !== 401) return { ok: false, step: "refuse", detail: `HTTP ${res.status}` };
    if (env().pingpp.mode !== "sandbox") return { ok: true, kind: "unsigned-refused", ms: Date.now() - started };

    const { apiBase, appId } = env().pingpp;
    const probe = await pingpp().charges.create({
      order_no: `selftest${Date.now()}`,
      app: { id: appId },
      channel: "alipay_qr",
      amount: 1,
      currency: "cny",
      client_ip: "127.0.0.1",
      subject: "webhook self-test",
      body: "webhook self-test",
    });
    const sent = await fetch(`${apiBase}/_sim/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "console.webhook_test", object_id: probe.id }),
    });
    if (!sent.ok) return { ok: false, step: "deliver", detail: `sandbox HTTP ${sent.status}` };
    const { id } = (await sent.json()) as { id: string };
    const db = await getDb();
    for (let i = 0; i < 100; i++) {
      const [row] = await db.select({ id: pingppEvents.id }).from(pingppEvents).where(eq(pingppEvents.id, id));
      if (row) return { ok: true, kind: "signed-roundtrip", eventId: id, ms: Date.now() - started };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { ok: false, step: "deliver", detail: `event ${id} not stored within 10 s` };
  })().catch((e: unknown): WebhookCheck => ({ ok: false, step: "deliver", detail: (e as Error).message }));
  await audit({
    actor,
    action: "settings.webhook_check",
    params: { webhookUrl },
    result: result.ok ? "ok" : "error",
    message: result.ok ? result.kind : `${result.step}: ${result.detail}`,
  });
  return result;
}
