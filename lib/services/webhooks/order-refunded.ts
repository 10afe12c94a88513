import "server-only";
import { orderChanged } from "./order-succeeded";
import type { EventHandler } from "./handlers";

/**
 * order.refunded: carries the order (no refund details: those come with refund.succeeded), so
 * it is stored the same way as order.succeeded: forward only, amounts never shrink.
 */
export const orderRefunded: EventHandler = orderChanged;
