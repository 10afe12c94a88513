"use client";
import { useRef, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/actions/result";

/** Errors after which the same request may be sent again safely with the same key. */
const RETRY_SAME_KEY = ["pingppUnavailable", "refunds.errors.inProgress", "orders.errors.cancelInProgress", "chargeInProgress"];

/**
 * Runs a money action with an idempotency key generated per form (DESIGN rule 4): the same key
 * for a double click or a retry after "Ping++ unavailable", a new one after success, a refusal,
 * or when the input changes (`renew`).
 */
export function useKeyedAction<I, R>(action: (input: I & { idempotencyKey: string }) => Promise<ActionResult<R>>) {
  const key = useRef<string>(crypto.randomUUID());
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const renew = () => {
    key.current = crypto.randomUUID();
  };
  const run = (input: I, onOk: (data: R) => void) =>
    start(async () => {
      setError(null);
      setFieldErrors({});
      const res = await action({ ...input, idempotencyKey: key.current });
      if (!res.ok) {
        setError(res.error);
        setFieldErrors(res.fieldErrors ?? {});
        if (!res.code || !RETRY_SAME_KEY.includes(res.code)) renew();
        return;
      }
      renew();
      onOk(res.data);
    });
  return { run, pending, error, fieldErrors, renew };
}
