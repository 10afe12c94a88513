import { parseFilters } from "./dates";
import { describe, expect, it } from "vitest";
import { previewSettlementSchema, settlementFilterSchema } from "./settlements";

const base = { payerApp: "app_Sandbox000000001", method: "balance" };
const issue = (input: Record<string, unknown>) => {
  const r = previewSettlementSchema.safeParse({ ...base, ...input });
  return r.success ? null : { path: r.error.issues[0]!.path.join("."), message: r.error.issues[0]!.message };
};

describe("settlement form", () => {
  it("turns the form into Ping++'s terms: fen, metadata lines, empty fields left out", () => {
    const v = previewSettlementSchema.parse({
      ...base,
      recipientApp: "",
      sourceUser: " u1 ",
      sourceNo: "",
      minAmount: "12.5",
      metadata: "batch = 11\n\n shop=北京店 ",
    });
    expect(v).toEqual({
      ...base,
      recipientApp: undefined,
      sourceUser: "u1",
      sourceNo: undefined,
      minAmount: 1250,
      metadata: { batch: "11", shop: "北京店" },
    });
    expect(previewSettlementSchema.parse({ ...base, minAmount: "0" }).minAmount).toBe(0);
  });

  it("refuses what Ping++ would refuse, with a message key per field", () => {
    expect(issue({ payerApp: "sandbox" })).toEqual({ path: "payerApp", message: "appId" });
    expect(issue({ method: "bitcoin" })).toEqual({ path: "method", message: "method" });
    expect(issue({ minAmount: "-1" })).toEqual({ path: "minAmount", message: "amount" });
    expect(issue({ metadata: "no equals sign" })).toEqual({ path: "metadata", message: "metadataLine" });
    expect(issue({ metadata: Array.from({ length: 10 }, (_, i) => `k${i}=v`).join("\n") })).toEqual({
      path: "metadata",
      message: "metadataTooMany",
    });
    expect(issue({ from: "2026-02-02", to: "2026-02-01" })).toEqual({ path: "to", message: "dateRange" });
  });

  it("list filters ignore a malformed value, but report a malformed date (issue 15) rather than drop it in silence", () => {
    expect(settlementFilterSchema.parse({ status: "bogus", method: "alipay", page: "2" })).toEqual({
      status: undefined,
      method: "alipay",
      from: undefined,
      to: undefined,
      page: 2,
    });
    expect(settlementFilterSchema.safeParse({ method: "alipay", from: "yesterday" }).success).toBe(false);
    expect(
      parseFilters(settlementFilterSchema, { status: "bogus", method: "alipay", from: "yesterday", page: "2" }),
    ).toEqual({
      f: { status: undefined, method: "alipay", from: undefined, to: undefined, page: 2 },
      dateError: true,
    });
  });
});
