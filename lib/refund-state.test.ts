import { describe, expect, it } from "vitest";
import { refundState, shownOrderStatus } from "./refund-state";
import { byCurrency, compareCurrency } from "./money-totals";

describe("refundState: one decision for orders and charges", () => {
  it("reads what succeeded against what was paid, pending apart", () => {
    expect(refundState(10000, 0, 0)).toEqual({ level: "none", succeeded: 0, pending: 0 });
    expect(refundState(10000, 3000, 0)).toEqual({ level: "partial", succeeded: 3000, pending: 0 });
    expect(refundState(10000, 10000, 0)).toEqual({ level: "full", succeeded: 10000, pending: 0 });
    // a pending refund is not a refund yet: nothing succeeded, ¥10.00 on its way
    expect(refundState(10000, 0, 1000)).toEqual({ level: "none", succeeded: 0, pending: 1000 });
    expect(refundState(10000, 3000, 7000)).toEqual({ level: "partial", succeeded: 3000, pending: 7000 });
    // never more on its way than is left
    expect(refundState(10000, 9000, 5000).pending).toBe(1000);
  });

  it("Ping++'s `refunded` order status shows as paid, 部分退款 or 已退款 by what succeeded", () => {
    expect(shownOrderStatus("refunded", refundState(10000, 0, 1000))).toBe("paid");
    expect(shownOrderStatus("refunded", refundState(10000, 3000, 0))).toBe("partially_refunded");
    expect(shownOrderStatus("paid", refundState(10000, 3000, 0))).toBe("partially_refunded");
    expect(shownOrderStatus("refunded", refundState(10000, 10000, 0))).toBe("refunded");
    expect(shownOrderStatus("created", refundState(0, 0, 0))).toBe("created");
    expect(shownOrderStatus("canceled", refundState(0, 0, 0))).toBe("canceled");
  });
});

describe("per-currency totals", () => {
  it("yuan first, and a yuan entry (at zero) when asked for one", () => {
    expect(["usd", "cny"].sort(compareCurrency)).toEqual(["cny", "usd"]);
    expect(
      byCurrency([
        { currency: "usd", n: 1 },
        { currency: "cny", n: 2 },
      ]),
    ).toEqual([
      { currency: "cny", n: 2 },
      { currency: "usd", n: 1 },
    ]);
    expect(byCurrency([{ currency: "usd", n: 1 }], (currency) => ({ currency, n: 0 }))).toEqual([
      { currency: "cny", n: 0 },
      { currency: "usd", n: 1 },
    ]);
  });
});
