import "server-only";
import type { Tx } from "../../db";
import type { PingppEvent } from "../../pingpp";
import { chargeSucceeded } from "./charge-succeeded";

export interface HandlerResult {
  status: "applied" | "ignored" | "failed";
  /** What applying it changed, or why it could not: shown in the event log. */
  result: string;
}

export type EventHandler = (tx: Tx, event: PingppEvent) => Promise<HandlerResult>;

/** One handler per event type; later capabilities add theirs here. */
export const HANDLERS: Record<string, EventHandler> = {
  "charge.succeeded": chargeSucceeded,
};
