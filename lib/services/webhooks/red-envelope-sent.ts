import "server-only";
import { applyRedEnvelopeEvent } from "../red-envelopes";
import type { EventHandler } from "./handlers";

/** red_envelope.sent: WeChat accepted the envelope (sending → sent); forward only. */
export const redEnvelopeSent: EventHandler = (tx, event) => applyRedEnvelopeEvent(tx, event);
