import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { PingppConnectionError } from "@/lib/pingpp";

/** A Ping++ that takes every request and never answers. */
const silent = http.createServer(() => {});
let requests = 0;
silent.on("request", () => requests++);

beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  // before the configuration is first read in this file
  process.env.PINGPP_API_BASE = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  process.env.PINGPP_TIMEOUT_MS = "1000";
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

describe("the console's Ping++ client", () => {
  it("gives up on an unanswered call after PINGPP_TIMEOUT_MS, and says it may have reached Ping++", async () => {
    const { pingpp } = await import("./pingpp-client");
    const err = await pingpp()
      .charges.refunds.create("ch_x", { description: "d" })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(PingppConnectionError);
    expect(err).toMatchObject({
      timedOut: true,
      mayHaveReachedPingpp: true,
      message: "Ping++ did not answer within 1000 ms",
    });
    expect(requests).toBeLessThanOrEqual(1); // a POST is never sent twice (on a busy host it may not have arrived yet)
  });
});
