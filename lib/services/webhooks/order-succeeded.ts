import "server-only";
import { isEventFor } from "../../pingpp";
import { applyOrder } from "../orders";
import type { EventHandler } from "./handlers";

/** order.succeeded / order.refunded: store the order as Ping++ now sees it (forward only). */
export const orderChanged: EventHandler = async (tx, event) => {
  if (!isEventFor(event, "order")) return { status: "failed", result: "data.object is not an order" };
  const o = event.data.object;
  const row = await applyOrder(tx, o);
  return {
    status: "applied",
    result: `order ${o.id} → ${row.status}${row.canceled && row.paid ? " (paid after cancel)" : ""}`,
  };
};
