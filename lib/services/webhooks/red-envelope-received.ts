import "server-only";
import { applyRedEnvelopeEvent } from "../red-envelopes";
import type { EventHandler } from "./handlers";

/** red_envelope.received: the recipient opened it (sent → received); forward only. */
export const redEnvelopeReceived: EventHandler = (tx, event) => applyRedEnvelopeEvent(tx, event);
