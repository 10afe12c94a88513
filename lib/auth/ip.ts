import { env } from "../env";

/**
 * The client's address, for the per-IP login throttle and the audit log. X-Forwarded-For reads
 * "client, proxy1, proxy2": each proxy APPENDS the address it saw, so only the last `hops`
 * entries were written by proxies we run; anything left of them came from the client and can be
 * forged (a made-up first entry must not buy a fresh login allowance). Next.js itself sets the
 * header to the socket's address when a request arrives without one. "unknown" when there is none.
 */
export function clientIp(headers: Headers, hops = env().trustedProxyHops): string {
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const ip = chain.length ? chain[Math.max(0, chain.length - hops)] : headers.get("x-real-ip")?.trim();
  return ip?.slice(0, 64) || "unknown";
}
