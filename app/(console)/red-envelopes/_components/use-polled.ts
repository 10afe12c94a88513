"use client";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { getJson } from "@/components/cashier/use-charge-status";

/** Poll a status endpoint every 2 s (ARCHITECTURE.md rule 5) until `final` says the state is final. */
export function usePolled<T extends object>(url: string, initial: T, final: (data: T) => boolean, enabled = true) {
  const router = useRouter();
  return useQuery({
    queryKey: [url],
    queryFn: () => getJson<T>(url, () => router.replace("/login")),
    initialData: initial,
    enabled,
    refetchInterval: (q) => (q.state.data && final(q.state.data) ? false : 2000),
  });
}
