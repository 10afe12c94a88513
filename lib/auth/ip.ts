/** The client's address as the first proxy saw it; "unknown" when there is none. */
export function clientIp(headers: Headers): string {
  const fwd = headers.get("x-forwarded-for");
  if (fwd) return fwd.split(",")[0]!.trim().slice(0, 64) || "unknown";
  return headers.get("x-real-ip")?.slice(0, 64) ?? "unknown";
}
