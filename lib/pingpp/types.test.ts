/** Type-level checks of the public API (verified by `tsc --noEmit`; trivially true at run time). */
import { describe, expectTypeOf, it } from "vitest";
import { isEventFor } from "./index";
import type {
  Charge,
  EventFor,
  EventOfType,
  KnownEventType,
  List,
  Order,
  PageList,
  Pingpp,
  OtherPingppEvent,
  PingppEvent,
  RedEnvelope,
  Refund,
  RoyaltySettlement,
  RoyaltySettlementPreview,
} from "./index";

type Result<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;

describe("public types", () => {
  it("resources return the object types", () => {
    expectTypeOf<Result<Pingpp["charges"]["create"]>>().toExtend<Charge>();
    expectTypeOf<Result<Pingpp["charges"]["list"]>>().toExtend<List<Charge>>();
    expectTypeOf<Result<Pingpp["charges"]["refunds"]["list"]>>().toExtend<List<Refund>>();
    expectTypeOf<Result<Pingpp["orders"]["cancel"]>>().toExtend<Order>();
    expectTypeOf<Result<Pingpp["orders"]["refunds"]["create"]>>().toExtend<PageList<Refund>>();
    expectTypeOf<Result<Pingpp["orders"]["list"]>>().toExtend<PageList<Order>>();
    expectTypeOf<Result<Pingpp["events"]["retrieve"]>>().toExtend<PingppEvent>();
  });

  it("a settlement preview is typed as such", () => {
    const create = null as unknown as Pingpp["royaltySettlements"]["create"];
    expectTypeOf(() =>
      create({ payer_app: "a", method: "alipay", is_preview: true }),
    ).returns.resolves.toEqualTypeOf<RoyaltySettlementPreview>();
    expectTypeOf(() =>
      create({ payer_app: "a", method: "alipay" }),
    ).returns.resolves.toEqualTypeOf<RoyaltySettlement>();
  });

  it("charge params are a union by channel", () => {
    type P = Parameters<Pingpp["charges"]["create"]>[0];
    expectTypeOf<Extract<P, { channel: "wx_pub_qr" }>["extra"]>().toHaveProperty("product_id");
    expectTypeOf<Extract<P, { channel: "cb_wx_pub_qr" }>["currency"]>().toEqualTypeOf<"usd" | undefined>();
  });

  // type-only checks: the functions are never called
  type Handled =
    "charge.succeeded" | "royalty_settlement.succeeded" | "royalty_settlement.failed" | "royalty_settlement.canceled";

  it("events are a discriminated union on type; unknown types stay generic", () => {
    const check = (e: PingppEvent) => {
      if (e.type === "charge.succeeded") expectTypeOf(e.data.object).toEqualTypeOf<Charge>();
      if (e.type === "refund.succeeded") expectTypeOf(e.data.object).toEqualTypeOf<Refund>();
      if (e.type === "order.succeeded" || e.type === "order.refunded")
        expectTypeOf(e.data.object).toEqualTypeOf<Order>();
      if (e.type === "red_envelope.sent" || e.type === "red_envelope.received")
        expectTypeOf(e.data.object).toEqualTypeOf<RedEnvelope>();
      if (e.type === "royalty_settlement.partially_succeeded")
        expectTypeOf(e.data.object).toEqualTypeOf<RoyaltySettlement>();
      switch (e.type) {
        case "royalty_settlement.succeeded":
        case "royalty_settlement.failed":
        case "royalty_settlement.canceled":
          expectTypeOf(e).toEqualTypeOf<
            | EventOfType<"royalty_settlement.succeeded">
            | EventOfType<"royalty_settlement.failed">
            | EventOfType<"royalty_settlement.canceled">
          >();
          break;
        case "charge.succeeded":
          expectTypeOf(e).toEqualTypeOf<EventOfType<"charge.succeeded">>();
          break;
        default:
          expectTypeOf(e).toEqualTypeOf<
            | { [T in Exclude<KnownEventType, Handled>]: EventOfType<T> }[Exclude<KnownEventType, Handled>]
            | OtherPingppEvent
          >();
      }
      // the event type is still a string wherever one is expected
      expectTypeOf(e.type).toExtend<string>();
      expectTypeOf<OtherPingppEvent["data"]["object"]>().toEqualTypeOf<Record<string, unknown>>();
    };
    expectTypeOf(check).toBeFunction();
  });

  it("isEventFor narrows by object kind, incl. other types with that prefix", () => {
    const check = (e: PingppEvent) => {
      if (isEventFor(e, "charge")) {
        expectTypeOf(e).toEqualTypeOf<EventFor<"charge">>();
        expectTypeOf(e.data.object.amount).toEqualTypeOf<number>();
      }
      if (isEventFor(e, "royalty_settlement"))
        expectTypeOf(e.data.object.status).toEqualTypeOf<RoyaltySettlement["status"]>();
    };
    expectTypeOf(check).toBeFunction();
  });
});
