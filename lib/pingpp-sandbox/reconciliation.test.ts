// What 对账 needs from the sandbox: charges listed by `created[gte]`/`created[lte]` and paged with
// `limit`/`starting_after`/`has_more` as Ping++ documents, and a lost webhook to create a difference.
import { afterEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "./server";
import { call, chargeParams, startReceiver, waitFor } from "./test-helpers";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sandbox(opts: Parameters<typeof startSandbox>[0] = {}): Promise<Sandbox> {
  const sb = await startSandbox({ port: 0, timeScale: 0.001, refundDelayMs: 20, ...opts });
  cleanups.push(() => sb.close());
  return sb;
}

describe("sandbox for reconciliation", () => {
  it("lists charges of a created range, newest first, paged by limit/starting_after until has_more is false", async () => {
    const sb = await sandbox();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await call(sb, "POST", "/v1/charges", chargeParams(sb.appId))).body.id);
    const created = (await call(sb, "GET", `/v1/charges/${made[0]}`)).body.created as number;
    const range = `app[id]=${sb.appId}&created[gte]=${created - 5}&created[lte]=${created + 60}`;
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await call(sb, "GET", `/v1/charges?${range}&limit=2${after ? `&starting_after=${after}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ object: "list", url: "/v1/charges" });
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((c: { id: string }) => c.id));
      pages++;
      if (!page.body.has_more) break;
      after = page.body.data.at(-1).id;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
    // a range that ends before they were made lists none of them
    const before = await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}&created[lte]=${created - 1}&limit=100`);
    expect(before.body.data.filter((c: { id: string }) => made.includes(c.id))).toEqual([]);
    expect(before.body.has_more).toBe(false);
    // a bad bound is refused like Ping++ refuses it
    expect((await call(sb, "GET", `/v1/charges?app[id]=${sb.appId}&created[gte]=yesterday`)).status).toBe(400);
  });

  it("lose_webhook: the charge is paid and its event stored, but nothing is delivered", async () => {
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    const sb = await sandbox({ webhookUrl: rx.url });
    const lost = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    const paid = await call(sb, "POST", `/_sim/charges/${lost.body.id}/pay`, { lose_webhook: true });
    expect(paid.body.paid).toBe(true);
    const events = await call(sb, "GET", `/v1/events?limit=100`);
    expect(
      events.body.data.some((ev: { data: { object: { id: string } } }) => ev.data.object.id === lost.body.id),
    ).toBe(true);
    // a normal payment afterwards is delivered (the loss was for that one payment only)
    const ok = await call(sb, "POST", "/v1/charges", chargeParams(sb.appId));
    await call(sb, "POST", `/_sim/charges/${ok.body.id}/pay`, {});
    await waitFor(() => rx.received.some((r) => r.event.data.object.id === ok.body.id));
    expect(rx.received.some((r) => r.event.data.object.id === lost.body.id)).toBe(false);
    const deliveries = await call(sb, "GET", `/_sim/deliveries`);
    const forLost = deliveries.body.data.filter((d: { event_id: string }) =>
      events.body.data.some(
        (ev: { id: string; data: { object: { id: string } } }) =>
          ev.id === d.event_id && ev.data.object.id === lost.body.id,
      ),
    );
    expect(forLost).toEqual([]);
  });
});
