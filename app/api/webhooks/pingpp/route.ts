import { ingestWebhook, MAX_WEBHOOK_BYTES } from "@/lib/services/webhooks";

export const dynamic = "force-dynamic";

/**
 * Ping++ webhooks (ARCHITECTURE.md rule 3). Public by nature: authenticated by Ping++'s RSA signature
 * over the raw body, not by a session. 2xx = stored (Ping++ stops retrying), also when it is not
 * ours or could not be applied (kept for needs-attention); 401 bad signature; 400 unreadable (not
 * JSON with an event id and type); 413 too large; 5xx the database is down, so Ping++ retries.
 */
export async function POST(req: Request) {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_WEBHOOK_BYTES) return text("payload too large", 413);
  let body: Uint8Array;
  try {
    body = new Uint8Array(await req.arrayBuffer());
  } catch {
    return text("unreadable body", 400);
  }
  if (body.byteLength > MAX_WEBHOOK_BYTES) return text("payload too large", 413);
  try {
    const r = await ingestWebhook(body, req.headers.get("x-pingplusplus-signature"));
    if (r.kind === "unauthorized") return text("invalid signature", 401);
    if (r.kind === "bad_request") return text(`bad event: ${r.reason}`, 400);
    return text(r.duplicate ? "duplicate" : "ok", 200);
  } catch (e) {
    console.error("[webhook] failed to store/apply", e);
    return text("temporarily unavailable", 503);
  }
}

function text(body: string, status: number) {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
