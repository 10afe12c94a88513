import { describe, expect, it } from "vitest";
import crypto from "node:crypto";
import { createChargeSchema, type CreateChargeInput } from "./charges";
import { chargeCreateParamsSchema, parseParams, SCAN_CODE_MAX } from "../pingpp";

const form = (over: Partial<CreateChargeInput>) =>
  ({
    idempotencyKey: crypto.randomUUID(),
    amount: "1.00",
    channel: "isv_scan",
    subject: "s",
    body: "b",
    ...over,
  }) as CreateChargeInput;
const issue = (over: Partial<CreateChargeInput>) => {
  const r = createChargeSchema.safeParse(form(over));
  return r.success ? null : r.error.issues.map((i) => [i.path.join("."), i.message]);
};

describe("cashier form: the isv_* limits Ping++'s SDK documents (the client's, lib/pingpp/limits.ts)", () => {
  it("a terminal number for an isv_* channel is 1-8 letters or digits; other channels keep the console's own terminals", () => {
    expect(issue({ terminalId: "A0000007", scanCode: "131141564583769183" })).toBeNull();
    expect(issue({ terminalId: "T-01", scanCode: "1311" })).toEqual([["terminalId", "isvTerminalId"]]);
    expect(issue({ channel: "isv_qr", payChannel: "wx", terminalId: "TERMINAL9" })).toEqual([
      ["terminalId", "isvTerminalId"],
    ]);
    expect(issue({ channel: "alipay_qr", terminalId: "front-desk_01" })).toBeNull();
    // left empty: the cashier's own terminal is used (the client refuses it if Ping++ would)
    expect(issue({ scanCode: "1311" })).toBeNull();
  });

  it("a payment code is at most 32 characters, and what the form lets through the client accepts", () => {
    expect(issue({ terminalId: "T1", scanCode: "1".repeat(SCAN_CODE_MAX + 1) })).toEqual([
      ["scanCode", "scanCodeTooLong"],
    ]);
    const ok = createChargeSchema.parse(form({ terminalId: "T1", scanCode: "1".repeat(SCAN_CODE_MAX) }));
    const params = {
      order_no: "o1",
      app: { id: "app_1" },
      channel: "isv_scan",
      amount: 100,
      client_ip: "127.0.0.1",
      subject: "s",
      body: "b",
      extra: { terminal_id: ok.terminalId, scan_code: ok.scanCode },
    };
    expect(parseParams(chargeCreateParamsSchema, params).extra).toEqual({
      terminal_id: "T1",
      scan_code: "1".repeat(32),
    });
  });
});
