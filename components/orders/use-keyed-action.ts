"use client";
import { useState, useTransition } from "react";
import type { ActionResult } from "@/lib/actions/result";
import { useIdempotencyKey } from "@/components/use-idempotency-key";

/**
 * Runs a money action with an idempotency key generated per form (ARCHITECTURE.md rule 4): the same key
 * for a double click or a retry after "Ping++ unavailable", a new one after success, a refusal,
 * or when the input changes (`renew`).
 */
export function useKeyedAction<I, R>(action: (input: I & { idempotencyKey: string }) => Promise<ActionResult<R>>) {
  const { key, renew, afterError } = useIdempotencyKey();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const run = (input: I, onOk: (data: R) => void) =>
    start(async () => {
      setError(null);
      setFieldErrors({});
      const res = await action({ ...input, idempotencyKey: key.current });
      if (!res.ok) {
        setError(res.error);
        setFieldErrors(res.fieldErrors ?? {});
        afterError(res.code);
        return;
      }
      renew();
      onOk(res.data);
    });
  return { run, pending, error, fieldErrors, renew };
}
