"use client";
import { useRef } from "react";
import { retriesWithSameKey } from "@/lib/retry-codes";

/**
 * A money form's idempotency key (ARCHITECTURE.md rule 4): one per intended request, so a double click or
 * a retry sends the same key. `key.current` is sent with the request; `renew()` when the input
 * changes or after success; `afterError(code)` keeps the key only when the same request may
 * safely go again (lib/retry-codes.ts: outcome unknown, or still in progress), else renews it.
 */
export function useIdempotencyKey() {
  const key = useRef<string>(crypto.randomUUID());
  const renew = () => {
    key.current = crypto.randomUUID();
  };
  const afterError = (code: string | undefined) => {
    if (!retriesWithSameKey(code)) renew();
  };
  return { key, renew, afterError };
}
