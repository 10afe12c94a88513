import http from "node:http";
import type { AddressInfo } from "node:net";
import { startSandbox, type Sandbox } from "@/lib/pingpp-sandbox";

/**
 * The console's test harness for Ping++: a real sandbox on a random port whose signed webhooks
 * are delivered over real HTTP to the console's own webhook route handler. Call it BEFORE the
 * first database/env use in a test file: it points the configuration at the sandbox.
 */
export async function startConsoleSandbox(
  opts: { timeScale?: number; refundDelayMs?: number; pingppTimeoutMs?: number } = {},
) {
  const { POST } = await import("@/app/api/webhooks/pingpp/route");
  const deliveries: { status: number; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const r = await POST(
        new Request("http://console.test/api/webhooks/pingpp", {
          method: "POST",
          headers,
          body: Buffer.concat(chunks),
        }),
      );
      const body = await r.text();
      deliveries.push({ status: r.status, body });
      res.writeHead(r.status).end(body);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/webhooks/pingpp`;
  const sandbox: Sandbox = await startSandbox({
    port: 0,
    webhookUrl,
    timeScale: opts.timeScale ?? 0.001,
    refundDelayMs: opts.refundDelayMs,
  });
  process.env.PINGPP_API_BASE = sandbox.url;
  process.env.PINGPP_PUBLIC_KEY = sandbox.publicKeyPem;
  delete process.env.PINGPP_API_KEY;
  // a file whose tests wait for the console to give up on Ping++ (a "timeout" fault) waits this, not 15 s
  if (opts.pingppTimeoutMs) process.env.PINGPP_TIMEOUT_MS = String(opts.pingppTimeoutMs);

  return {
    sandbox,
    deliveries,
    /** Where the sandbox delivers webhooks (the console's route). */
    webhookUrl,
    /** POST a /_sim control; returns the parsed JSON answer. */
    async sim(path: string, body: unknown = {}) {
      const res = await fetch(`${sandbox.url}/_sim/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`sim ${path} → ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    async close() {
      await sandbox.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    },
  };
}

/** Wait until `check` returns a truthy value (polling), or fail with `what`. */
/**
 * Every webhook the sandbox has queued is delivered. A refused connection or a reset (a keep-alive
 * socket the sandbox closed while the machine is busy) is asked again, not a failure.
 */
export async function webhooksDelivered(sandboxUrl: string, timeoutMs = 10_000): Promise<void> {
  await eventually(
    async () => {
      try {
        const res = await fetch(`${sandboxUrl}/_sim/deliveries?status=pending`);
        return ((await res.json()) as { data: unknown[] }).data.length === 0;
      } catch {
        return false;
      }
    },
    "webhooks delivered",
    timeoutMs,
  );
}

export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
