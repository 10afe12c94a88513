import "server-only";
import { isEventFor } from "../../pingpp";
import { applyOrderCharge, lockOrderOfCharge } from "../orders";
import { chargeSucceeded } from "./charge-succeeded";
import type { EventHandler } from "./handlers";

/**
 * charge.succeeded, then the order it pays: Ping++ sends order.succeeded only once, so a
 * second payment of an order (two channels, or after a cancel) shows up only here.
 *
 * The order's lookup (FOR UPDATE) is sent right behind the charge's update, without waiting for
 * its answer: the connection carries both in one round trip (every charge.succeeded asks, most
 * find no order). Postgres runs them in the order sent, so the charge row is still locked before
 * the order's, as before; when the update fails the transaction fails with it.
 */
export const chargeSucceededWithOrder: EventHandler = async (tx, event) => {
  if (!isEventFor(event, "charge")) return chargeSucceeded(tx, event);
  const done = chargeSucceeded(tx, event); // sends the charge's update first
  const locked = lockOrderOfCharge(tx, event.data.object);
  locked.catch(() => {}); // awaited below; if the update failed first, its error is the one thrown
  const applied = await done;
  if (applied.status !== "applied") {
    await locked.catch(() => null);
    return applied;
  }
  const order = await applyOrderCharge(tx, event.data.object, locked);
  return order
    ? { ...applied, result: `${applied.result}; order ${order.pingppId} paid ${order.amountPaid}` }
    : applied;
};
