import { describe, expect, it } from "vitest";
import { createChargeSchema } from "./charges";
import { refundChargeSchema, refundOrderSchema } from "./refunds";
import { batchDryRunSchema, dryRunRows, sendRedEnvelopeSchema } from "./red-envelopes";
import { previewSettlementSchema } from "./settlements";

const key = "6b0c7f3e-5a2b-4c1d-9e8f-0a1b2c3d4e5f";
const amountIssue = (
  r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } },
  field = "amount",
) => (r.success ? null : (r.error!.issues.find((i) => i.path[0] === field)?.message ?? null));

describe("every money form parses amounts with the one strict parser", () => {
  const charge = (amount: string) =>
    createChargeSchema.safeParse({ idempotencyKey: key, amount, channel: "alipay_qr", subject: "s", body: "b" });
  const refund = (amount: string) =>
    refundChargeSchema.safeParse({ idempotencyKey: key, amount, description: "r", chargeId: "ch_1" });
  const orderRefund = (amount: string) =>
    refundOrderSchema.safeParse({ idempotencyKey: key, amount, description: "r", orderId: key });
  const envelope = (amount: string) =>
    sendRedEnvelopeSchema.safeParse({
      idempotencyKey: key,
      recipient: "o1",
      amount,
      sendName: "n",
      subject: "s",
      body: "b",
      description: "d",
    });
  const budget = (amount: string) =>
    batchDryRunSchema.safeParse({
      fileName: "f.csv",
      csv: "o1,1",
      budget: amount,
      sendName: "n",
      subject: "s",
      body: "b",
      description: "d",
    });

  it.each([
    ["charge", charge],
    ["refund", refund],
    ["order refund", orderRefund],
    ["red envelope", envelope],
    ["batch budget", budget],
  ] as const)(
    "%s: 1,5 is refused (not ¥15.00), ¥21,474,836.48 is a limit message, 1,234.50 reads right",
    (_name, parse) => {
      const field = parse === budget ? "budget" : "amount";
      expect(amountIssue(parse("1,5"), field)).toBe("amountSeparators");
      expect(amountIssue(parse("21474836.48"), field)).toBe("amountTooLarge");
      expect(amountIssue(parse("21,474,836.48"), field)).toBe("amountTooLarge");
      expect(amountIssue(parse("1.234"), field)).toBe("amount");
    },
  );

  it("reads the amounts it accepts exactly", () => {
    const c = charge("1,234.50");
    expect(c.success && c.data.amount).toBe(123450);
    const r = refund("10000000");
    expect(r.success && r.data.amount).toBe(1_000_000_000);
  });

  it("a settlement's minimum amount may be 0 but not malformed", () => {
    const p = (minAmount: string) =>
      previewSettlementSchema.safeParse({ payerApp: "app_1", method: "alipay", minAmount });
    const ok = p("0");
    expect(ok.success && ok.data.minAmount).toBe(0);
    expect(amountIssue(p("1,5"), "minAmount")).toBe("amountSeparators");
    expect(amountIssue(p("99999999999"), "minAmount")).toBe("amountTooLarge");
  });

  it("a batch row with 1,5 is refused in the dry run", () => {
    const [row] = dryRunRows('o_abc,"1,5"\n', undefined);
    expect(row).toMatchObject({ amount: null, error: "amountSeparators" });
    const [big] = dryRunRows("o_abc,99999999\n", undefined);
    expect(big).toMatchObject({ amount: null, error: "redEnvelopeAmountRange" });
  });
});
