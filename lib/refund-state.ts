/**
 * The one place that decides how refunded an order or a charge is (issue 15, item 5). Ping++
 * marks an order `refunded` as soon as any refund is created, partial or still pending; what a
 * merchant needs to read is what has actually gone back (succeeded refunds) against what was
 * paid, and, apart from that, what is still on its way (pending refunds). Every page, list and
 * export shows these figures, so a partial refund reads 部分退款 everywhere and a pending one
 * reads 退款中 everywhere. Pure and client-safe.
 */

/** none: nothing went back; partial: some of what was paid; full: all of it. */
export type RefundLevel = "none" | "partial" | "full";

export interface RefundState {
  level: RefundLevel;
  /** Fen that went back (refunds that succeeded). */
  succeeded: number;
  /** Fen on its way back (refunds sent and not yet succeeded or failed). */
  pending: number;
}

/**
 * `paid`: what was paid (fen); `succeeded`: the refunds that succeeded (the larger of Ping++'s
 * and our own count, since either may be first); `pending`: the refunds still pending. A pending
 * amount never shows more than what is left to go back.
 */
export function refundState(paid: number, succeeded: number, pending: number): RefundState {
  const done = Math.max(0, succeeded);
  const level: RefundLevel = done <= 0 ? "none" : paid > 0 && done >= paid ? "full" : "partial";
  const onTheWay = Math.max(0, Math.min(pending, Math.max(0, paid - done)));
  return { level, succeeded: done, pending: onTheWay };
}

/**
 * The order status a person reads: Ping++'s `refunded` means any refund at all, so it becomes paid, partially refunded
 * or refunded by what succeeded.
 */
export type ShownOrderStatus =
  "created" | "paid" | "canceled" | "partially_refunded" | "refunded" | "creating" | "failed";

export function shownOrderStatus(status: string, refund: RefundState): ShownOrderStatus {
  if (status !== "paid" && status !== "refunded") return status as ShownOrderStatus;
  return refund.level === "full" ? "refunded" : refund.level === "partial" ? "partially_refunded" : "paid";
}
