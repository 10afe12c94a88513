import "server-only";
import { isEventFor } from "../../pingpp";
import { applySettlement } from "../settlements";
import type { EventHandler } from "./handlers";

/**
 * royalty_settlement.succeeded / partially_succeeded / failed / canceled: the settlement and each
 * of its transactions reach their outcome (forward only: a late event never moves one back).
 */
export const royaltySettlementFinished: EventHandler = async (tx, event) => {
  if (!isEventFor(event, "royalty_settlement"))
    return { status: "failed", result: "data.object is not a royalty_settlement" };
  const s = event.data.object;
  const row = await applySettlement(tx, s);
  return { status: "applied", result: `royalty_settlement ${s.id} → ${row.status}` };
};
