import "server-only";
import type { Tx } from "../../db";
import type { PingppEvent } from "../../pingpp";
import { chargeSucceededWithOrder } from "./order-charge-succeeded";
import { orderChanged } from "./order-succeeded";
import { orderRefunded } from "./order-refunded";
import { refundSucceeded } from "./refund-succeeded";
import { redEnvelopeReceived } from "./red-envelope-received";
import { redEnvelopeSent } from "./red-envelope-sent";
import { royaltySettlementFinished } from "./royalty-settlement";

export interface HandlerResult {
  status: "applied" | "ignored" | "failed";
  /** What applying it changed, or why it could not: shown in the event log. */
  result: string;
}

export type EventHandler = (tx: Tx, event: PingppEvent) => Promise<HandlerResult>;

/** One handler per event type; later capabilities add theirs here. */
export const HANDLERS: Record<string, EventHandler> = {
  "charge.succeeded": chargeSucceededWithOrder,
  "order.succeeded": orderChanged,
  "order.refunded": orderRefunded,
  "refund.succeeded": refundSucceeded,
  "red_envelope.sent": redEnvelopeSent,
  "red_envelope.received": redEnvelopeReceived,
  "royalty_settlement.succeeded": royaltySettlementFinished,
  "royalty_settlement.partially_succeeded": royaltySettlementFinished,
  "royalty_settlement.failed": royaltySettlementFinished,
  "royalty_settlement.canceled": royaltySettlementFinished,
};
