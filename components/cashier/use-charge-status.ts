"use client";
import { useQuery } from "@tanstack/react-query";
import type { ChargeView } from "@/lib/services/charge-view";

export const FINAL_STATUSES = ["paid", "expired", "reversed", "failed"] as const;
export const isFinal = (s: string) => (FINAL_STATUSES as readonly string[]).includes(s);

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store" });
  if (res.status === 401) {
    window.location.assign("/login");
    throw new Error("unauthenticated");
  }
  if (!res.ok) throw new Error(`status ${res.status}`);
  return res.json() as Promise<T>;
}

/** Polls a charge's status about once a second, and stops at a final state (DESIGN rule 5). */
export function useChargeStatus(initial: ChargeView) {
  return useQuery({
    queryKey: ["charge-status", initial.id],
    queryFn: () => getJson<ChargeView>(`/api/charges/${initial.id}/status`),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && isFinal(q.state.data.status) ? false : 1000),
    refetchIntervalInBackground: true,
    retry: false,
  });
}

/** The customer display's poll: whatever is live on the terminal. */
export function useTerminalCharge(terminal: string) {
  return useQuery({
    queryKey: ["terminal-charge", terminal],
    queryFn: () => getJson<{ charge: ChargeView | null }>(`/api/terminals/${encodeURIComponent(terminal)}/active`),
    refetchInterval: 1000,
    refetchIntervalInBackground: true,
  });
}
