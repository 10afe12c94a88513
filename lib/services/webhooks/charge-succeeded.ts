import "server-only";
import { isEventFor } from "../../pingpp";
import { applyCharge } from "../charges";
import type { EventHandler } from "./handlers";

/** charge.succeeded: the charge is paid (forward only: never un-refunds or un-pays). */
export const chargeSucceeded: EventHandler = async (tx, event) => {
  if (!isEventFor(event, "charge")) return { status: "failed", result: "data.object is not a charge" };
  const before = event.data.object;
  const row = await applyCharge(tx, before);
  return { status: "applied", result: `charge ${before.id} → ${row.status}` };
};
