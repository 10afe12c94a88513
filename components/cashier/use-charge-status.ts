"use client";
import { useQuery } from "@tanstack/react-query";
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

/** Polls a charge's status about once a second, and stops at a final state (DESIGN rule 5). */
export function useChargeStatus(initial: ChargeView) {
  const router = useRouter();
  return useQuery({
    queryKey: ["charge-status", initial.id],
    queryFn: () => getJson<ChargeView>(`/api/charges/${initial.id}/status`, () => router.replace("/login")),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && isFinal(q.state.data.status) ? false : 1000),
    refetchIntervalInBackground: true,
    retry: false,
  });
}

/** The customer display's poll: whatever is live on the terminal. */
export function useTerminalCharge(terminal: string) {
  const router = useRouter();
  return useQuery({
    queryKey: ["terminal-charge", terminal],
    queryFn: () => getJson<{ charge: ChargeView | null }>(`/api/terminals/${encodeURIComponent(terminal)}/active`, () => router.replace("/login")),
    refetchInterval: 1000,
    refetchIntervalInBackground: true,
  });
}
