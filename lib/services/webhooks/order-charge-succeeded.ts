import "server-only";
import { isEventFor } from "../../pingpp";
import { applyOrderCharge } from "../orders";
import { chargeSucceeded } from "./charge-succeeded";
import type { EventHandler } from "./handlers";

/**
 * charge.succeeded, then the order it pays: Ping++ sends order.succeeded only once, so a
 * second payment of an order (two channels, or after a cancel) shows up only here.
 */
export const chargeSucceededWithOrder: EventHandler = async (tx, event) => {
  const done = await chargeSucceeded(tx, event);
  if (done.status !== "applied" || !isEventFor(event, "charge")) return done;
  const order = await applyOrderCharge(tx, event.data.object);
  return order ? { ...done, result: `${done.result}; order ${order.pingppId} paid ${order.amountPaid}` } : done;
};
