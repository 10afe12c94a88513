"use client";
import { useEffect, useRef } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { ChargeView } from "@/lib/services/charge-view";

/**
 * A QR charge is final only when paid, expired or reversed. Not "failed": a failed payment attempt
 * leaves the QR payable (the service keeps such a charge pending, with a notice), and a row marked
 * failed by an older version may still turn paid, so the screen keeps following Ping++.
 */
export const FINAL_STATUSES = ["paid", "expired", "reversed"] as const;
export const isFinal = (s: string) => (FINAL_STATUSES as readonly string[]).includes(s);

export async function getJson<T>(url: string, onSignedOut: () => void): Promise<T> {
  // "no-cache": revalidate every time; an unchanged answer comes back as a cheap 304 (ETag).
  const res = await fetch(url, { cache: "no-cache" });
  if (res.status === 401) {
    onSignedOut();
    throw new Error("unauthenticated");
  }
  if (!res.ok) throw new Error(`status ${res.status}`);
  return res.json() as Promise<T>;
}

/** How long the server may hold each poll (a long poll, lib/auth/route.ts). */
export const LONG_POLL_SECONDS = 25;
/** After a long poll fails (network, 5xx): plain polls this often until one succeeds. */
export const FALLBACK_POLL_MS = 1000;

/**
 * Follows a polled JSON endpoint by long polling (ARCHITECTURE.md rule 5): each answer starts the next
 * poll at once, `?wait=25` with the last ETag, so the server answers the moment it changes (or
 * 304 after 25 s). A failed long poll falls back to plain polls once a second, and the next
 * success returns to long polls. Stops once `done(data)`.
 */
function useLongPoll<T>(
  queryKey: readonly unknown[],
  url: string,
  opts: { initialData?: T; done?: (data: T) => boolean } = {},
) {
  const router = useRouter();
  const qc = useQueryClient();
  const poll = useRef({ etag: null as string | null, fallback: false });
  const q = useQuery({
    queryKey,
    queryFn: async ({ signal }): Promise<T> => {
      const p = poll.current;
      try {
        // The ETag is sent by hand, so the browser's cache stays out of it and a 304 reaches us.
        const res = await fetch(p.fallback ? url : `${url}?wait=${LONG_POLL_SECONDS}`, {
          cache: "no-store",
          headers: p.etag ? { "if-none-match": p.etag } : {},
          signal,
        });
        if (res.status === 401) {
          router.replace("/login");
          throw new Error("unauthenticated");
        }
        const previous = qc.getQueryData<T>(queryKey);
        let data: T;
        if (res.status === 304 && previous !== undefined) data = previous;
        else if (res.ok) {
          data = (await res.json()) as T;
          p.etag = res.headers.get("etag");
        } else throw new Error(`status ${res.status}`);
        p.fallback = false;
        return data;
      } catch (e) {
        if (!signal.aborted) p.fallback = true;
        throw e;
      }
    },
    initialData: opts.initialData,
    retry: false,
  });
  const done = q.data !== undefined && !!opts.done?.(q.data);
  const { fetchStatus, refetch } = q;
  // Each answer (or failure) starts the next poll: at once, or after a second when falling back.
  useEffect(() => {
    if (done || fetchStatus !== "idle") return;
    const next = setTimeout(() => void refetch(), poll.current.fallback ? FALLBACK_POLL_MS : 0);
    return () => clearTimeout(next);
  }, [done, fetchStatus, q.dataUpdatedAt, q.errorUpdatedAt, refetch]);
  return q;
}

/** Follows a charge's status until a final state (ARCHITECTURE.md rule 5). */
export function useChargeStatus(initial: ChargeView) {
  const q = useLongPoll<ChargeView>(["charge-status", initial.id], `/api/charges/${initial.id}/status`, {
    initialData: initial,
    done: (c) => isFinal(c.status),
  });
  return q as typeof q & { data: ChargeView }; // with initialData, data is always there
}
