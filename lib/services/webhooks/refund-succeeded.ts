import "server-only";
import { isEventFor } from "../../pingpp";
import { applyRefund } from "../refunds";
import type { EventHandler } from "./handlers";

/** refund.succeeded: the refund is done, and its charge's refunded amount follows (forward only). */
export const refundSucceeded: EventHandler = async (tx, event) => {
  if (!isEventFor(event, "refund")) return { status: "failed", result: "data.object is not a refund" };
  const r = event.data.object;
  const row = await applyRefund(tx, r);
  return { status: "applied", result: `refund ${r.id} → ${row.status}` };
};
