import { createVerify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "./server";
import { call, chargeParams, startReceiver, waitFor } from "./test-helpers";
import { RETRY_SCHEDULE_S } from "./webhooks";

const verify = (pem: string, raw: Buffer, sig: string | undefined) =>
  !!sig && createVerify("RSA-SHA256").update(raw).verify(pem, sig, "base64");

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sandbox(opts: Parameters<typeof startSandbox>[0] = {}): Promise<Sandbox> {
  const sb = await startSandbox({ port: 0, timeScale: 0.001, refundDelayMs: 20, ...opts });
  cleanups.push(() => sb.close());
  return sb;
}
async function receiver(statuses: number[] = []) {
  const r = await startReceiver(statuses);
  cleanups.push(() => r.close());
  return r;
}
function tempDir() {
  const d = mkdtempSync(path.join(os.tmpdir(), "pingpp-sandbox-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe("webhooks", () => {
  it("sim pay fires charge.succeeded, signed with the sandbox key; the event is retrievable", async () => {
    const rx = await receiver();
    const sb = await sandbox({ webhookUrl: rx.url });
    const ch = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    const paid = await call(sb, "POST", `/_sim/charges/${ch.body.id}/pay`, {});
    expect(paid.body.paid).toBe(true);
    const got = await waitFor(() => rx.received[0]);
    expect(verify(sb.publicKeyPem, got.raw, got.signature)).toBe(true);
    const tampered = Buffer.from(got.raw);
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    expect(verify(sb.publicKeyPem, tampered, got.signature)).toBe(false);

    expect(got.event).toMatchObject({ object: "event", type: "charge.succeeded", livemode: false });
    expect(got.event.id).toMatch(/^evt_[0-9a-zA-Z]{24}$/);
    expect(got.event.data.object).toMatchObject({ id: ch.body.id, object: "charge", paid: true });
    expect(got.event.data.object.time_paid).toBeGreaterThan(0);
    expect(Object.keys(got.event).sort()).toEqual([
      "created",
      "data",
      "id",
      "livemode",
      "object",
      "pending_webhooks",
      "request",
      "type",
    ]);

    const ev = await call(sb, "GET", `/v1/events/${got.event.id}`);
    expect(ev.status).toBe(200);
    expect(ev.body.data.object.id).toBe(ch.body.id);
    await waitFor(async () => (await call(sb, "GET", `/v1/events/${got.event.id}`)).body.pending_webhooks === 0);
  });

  it("retries a failing receiver with the (scaled) schedule: fails twice, delivered on the 3rd try", async () => {
    const rx = await receiver([500, 503]);
    const sb = await sandbox({ webhookUrl: rx.url });
    const ch = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    await call(sb, "POST", `/_sim/charges/${ch.body.id}/pay`, {});
    await waitFor(() => rx.received.length === 1);
    expect(rx.hits()).toBe(3);
    const log = await call(sb, "GET", `/_sim/deliveries?event_id=${rx.received[0]?.event.id}`);
    const d = log.body.data[0];
    expect(d.status).toBe("delivered");
    expect(d.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 503, 200]);
    // each attempt is recorded with status, response body and time
    expect(d.attempts.map((a: { response_body: string }) => a.response_body)).toEqual(["nope", "nope", "OK"]);
    for (const a of d.attempts as { at: number; duration_ms: number; error: string | null }[]) {
      expect(a.at).toBeGreaterThan(Date.now() - 60_000);
      expect(a.duration_ms).toBeGreaterThanOrEqual(0);
      expect(a.error).toBeNull();
    }
    expect(d.attempts[1].at).toBeGreaterThan(d.attempts[0].at);
    expect(RETRY_SCHEDULE_S).toEqual([5, 10, 120, 300, 600, 1800, 3600, 7200, 21600, 54000]);
  });

  it("marks a delivery failed after the schedule is exhausted and can redeliver it", async () => {
    const rx = await receiver(Array(11).fill(500));
    const sb = await sandbox({ webhookUrl: rx.url, timeScale: 0.00001 });
    const ch = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    await call(sb, "POST", `/_sim/charges/${ch.body.id}/pay`, {});
    const failed = await waitFor(
      async () => (await call(sb, "GET", "/_sim/deliveries?status=failed")).body.data[0],
      10_000,
    );
    expect(failed.attempts).toHaveLength(RETRY_SCHEDULE_S.length + 1);
    // each retry waits at least its scheduled delay (× timeScale) after the try before it: start to
    // start, in whole ms (lower bounds only: how much later it runs depends on the machine)
    const starts = (failed.attempts as { at: number }[]).map((a) => a.at);
    RETRY_SCHEDULE_S.forEach((delayS, i) => {
      expect(starts[i + 1]! - starts[i]!, `retry ${i + 1}`).toBeGreaterThanOrEqual(
        Math.floor(delayS * 1000 * 0.00001) - 1,
      );
    });
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(
      Math.floor(RETRY_SCHEDULE_S.reduce((a, b) => a + b, 0) * 1000 * 0.00001) - RETRY_SCHEDULE_S.length,
    );
    const again = await call(sb, "POST", "/_sim/webhooks/redeliver", { event_id: failed.event_id });
    expect(again.status).toBe(200);
    await waitFor(() => rx.received.length === 1);
  });

  it("connection errors are retried too; the URL can be set later via /_sim/config", async () => {
    const sb = await sandbox({ webhookUrl: "http://127.0.0.1:1/nothing-listens" });
    const ch = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    await call(sb, "POST", `/_sim/charges/${ch.body.id}/pay`, {});
    const first = await waitFor(async () => (await call(sb, "GET", "/_sim/deliveries")).body.data[0]?.attempts[0]);
    expect(first.error).toBeTruthy();
    expect([first.status_code, first.response_body]).toEqual([null, null]);
    const rx = await receiver();
    const cfg = await call(sb, "POST", "/_sim/config", { webhookUrl: rx.url });
    expect(cfg.body.webhookUrl).toBe(rx.url);
    await waitFor(() => rx.received.length === 1);
    expect(rx.received[0]?.event.type).toBe("charge.succeeded");
  });

  it("re-sends an event of a resource via POST /_sim/events", async () => {
    const rx = await receiver();
    const sb = await sandbox({ webhookUrl: rx.url });
    const ch = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    const ev = await call(sb, "POST", "/_sim/events", { type: "charge.succeeded", object_id: ch.body.id });
    expect(ev.status).toBe(200);
    const got = await waitFor(() => rx.received[0]);
    expect(got.event.id).toBe(ev.body.id);
    expect(got.event.data.object.id).toBe(ch.body.id);
  });
});

describe("persistence", () => {
  it("keeps objects, events, the key pair and pending deliveries across a restart (same dataDir)", async () => {
    const dataDir = tempDir();
    const a = await startSandbox({ port: 0, dataDir, webhookUrl: "http://127.0.0.1:1/down", timeScale: 0.2 });
    const ch = await call(a, "POST", "/v1/charges", chargeParams(a.appId));
    await call(a, "POST", `/_sim/charges/${ch.body.id}/pay`, {});
    await waitFor(async () => (await call(a, "GET", "/_sim/deliveries")).body.data[0]?.attempts.length === 1);
    const pem = a.publicKeyPem;
    await a.close();
    expect(JSON.parse(readFileSync(path.join(dataDir, "state.json"), "utf8")).charges[ch.body.id].paid).toBe(true);

    const rx = await receiver();
    const b = await sandbox({ dataDir, webhookUrl: rx.url });
    expect(b.publicKeyPem).toBe(pem);
    const again = await call(b, "GET", `/v1/charges/${ch.body.id}`);
    expect(again.status).toBe(200);
    expect(again.body.paid).toBe(true);
    // the pending delivery resumes after restart: its retry was due 5 s × 0.2 after the first attempt
    const got = await waitFor(() => rx.received[0]);
    expect(got.event.data.object.id).toBe(ch.body.id);
    expect(verify(b.publicKeyPem, got.raw, got.signature)).toBe(true);
  });

  it("writes each change to disk right after the request, without waiting for close", async () => {
    const dataDir = tempDir();
    const a = await sandbox({ dataDir });
    const ch = await call(a, "POST", "/v1/charges", chargeParams(a.appId));
    await call(a, "POST", `/_sim/charges/${ch.body.id}/pay`, {});
    await new Promise((r) => setImmediate(r));
    const onDisk = await waitFor(() => {
      const st = JSON.parse(readFileSync(path.join(dataDir, "state.json"), "utf8"));
      return st.charges[ch.body.id]?.paid === true && st;
    }, 1000);
    expect(Object.values(onDisk.events).map((e) => (e as { type: string }).type)).toContain("charge.succeeded");
  });

  it("finishes a pending refund after a restart (delayed jobs are persisted)", async () => {
    const dataDir = tempDir();
    const a = await startSandbox({ port: 0, dataDir, refundDelayMs: 400 });
    const ch = await call(a, "POST", "/v1/charges", chargeParams(a.appId));
    await call(a, "POST", `/_sim/charges/${ch.body.id}/pay`, {});
    const re = await call(a, "POST", `/v1/charges/${ch.body.id}/refunds`, { description: "restart" });
    expect(re.body.status).toBe("pending");
    await a.close();
    const b = await sandbox({ dataDir });
    const done = await waitFor(async () => {
      const r = await call(b, "GET", `/v1/charges/${ch.body.id}/refunds/${re.body.id}`);
      return r.body.status === "succeeded" && r.body;
    });
    expect(done.succeed).toBe(true);
    expect((await call(b, "GET", `/v1/charges/${ch.body.id}`)).body.amount_refunded).toBe(1000);
  });
});
