/** Type-level checks of the public API (verified by `tsc --noEmit`; trivially true at run time). */
import { describe, expectTypeOf, it } from "vitest";
import type {
  Charge,
  List,
  Order,
  PageList,
  Pingpp,
  PingppEvent,
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
    expectTypeOf(() => create({ payer_app: "a", method: "alipay", is_preview: true }))
      .returns.resolves.toEqualTypeOf<RoyaltySettlementPreview>();
    expectTypeOf(() => create({ payer_app: "a", method: "alipay" }))
      .returns.resolves.toEqualTypeOf<RoyaltySettlement>();
  });

  it("charge params are a union by channel", () => {
    type P = Parameters<Pingpp["charges"]["create"]>[0];
    expectTypeOf<Extract<P, { channel: "wx_pub_qr" }>["extra"]>().toHaveProperty("product_id");
    expectTypeOf<Extract<P, { channel: "cb_wx_pub_qr" }>["currency"]>().toEqualTypeOf<"usd" | undefined>();
  });
});
