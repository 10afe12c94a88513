/**
 * Response headers every answer of the console carries. Next.js adds them from next.config.ts;
 * the routes the console's front answers without Next.js add the same list (lib/http/serve.ts),
 * so no response can miss them whichever way it is served.
 */
export const SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  // No page of the console may be framed (clickjacking on money actions). Pages get their
  // full Content-Security-Policy, with a per-request script nonce, from proxy.ts.
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

/** Added under /api/: JSON and text answers need no script, style or frame. */
export const API_HEADERS: readonly { key: string; value: string }[] = [
  { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
];
