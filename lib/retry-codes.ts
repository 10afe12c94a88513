/**
 * The error codes after which a money form sends the same request again with the same
 * idempotency key (ARCHITECTURE.md rule 4). One list, read by the services that raise these codes and by
 * the one client hook that keeps or renews a form's key (components/use-idempotency-key.ts).
 * Plain constants, no server imports: client components import this file.
 */

/**
 * Ping++ gave no usable answer (network, timeout, 5xx): the outcome is unknown. The claim is kept,
 * and a retry with the same key asks Ping++ before sending again.
 */
export const UNKNOWN_OUTCOME = "pingppUnavailable";

/**
 * Another request holds the claim of this key and its lease has not run out: the same key, a
 * moment later, gets that request's result (or retakes the claim once its lease ends).
 */
export const IN_PROGRESS = {
  /** a QR charge, or an order paid by one (the cashier's order mode) */
  charge: "chargeInProgress",
  refund: "refunds.errors.inProgress",
  orderCancel: "orders.errors.cancelInProgress",
  /** a create, confirm or cancel */
  settlement: "settlements.errors.inProgress",
  redEnvelope: "redEnvelopes.errors.inProgress",
} as const;

export type InProgressCode = (typeof IN_PROGRESS)[keyof typeof IN_PROGRESS];

/** Every code after which the same key goes again; any other answer (success, a refusal, bad input) gets a new key. */
export const RETRY_SAME_KEY: readonly string[] = [UNKNOWN_OUTCOME, ...Object.values(IN_PROGRESS)];

export function retriesWithSameKey(code: string | undefined): boolean {
  return code !== undefined && RETRY_SAME_KEY.includes(code);
}
