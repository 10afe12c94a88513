import "server-only";
import { PingppConnectionError, PingppError, PingppResponseError, PingppValidationError } from "../pingpp";
import { audit, type AuditEntry } from "./audit";
import { AppError } from "./errors";
import { UNKNOWN_OUTCOME } from "../retry-codes";

/**
 * Ask Ping++ to move money. A refusal (4xx, or parameters it would refuse) → audit "refused"
 * and AppError("pingppRefused") with Ping++'s own message; no usable answer (network, timeout,
 * 5xx, garbled body) → audit "error" and AppError("pingppUnavailable"): the outcome is unknown,
 * so the caller keeps its claim and a retry with the same key checks before sending again.
 * `undo` runs first, to put local state back where it was.
 */
export async function callPingpp<T>(
  entry: Omit<AuditEntry, "result" | "message">,
  fn: () => Promise<T>,
  undo?: (refused: boolean, message: string) => Promise<unknown>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const refused = (e instanceof PingppError && e.status < 500) || e instanceof PingppValidationError;
    if (
      !refused &&
      !(e instanceof PingppError || e instanceof PingppConnectionError || e instanceof PingppResponseError)
    )
      throw e;
    const message = (e as Error).message;
    await undo?.(refused, message);
    await audit({ ...entry, result: refused ? "refused" : "error", message });
    throw refused ? new AppError("pingppRefused", {}, message) : new AppError(UNKNOWN_OUTCOME);
  }
}

/** Refuse before Ping++ is asked, with an audit entry saying why. */
export async function refuse(
  entry: Omit<AuditEntry, "result" | "message">,
  code: string,
  values: Record<string, string | number> = {},
  field?: string,
): Promise<never> {
  await audit({ ...entry, result: "refused", message: code });
  throw new AppError(code, values, undefined, field);
}
