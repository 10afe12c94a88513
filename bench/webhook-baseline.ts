/**
 * The framework-free baseline of bench/webhook-ingest.ts (started by it, not on its own):
 * node:http + postgres.js doing what POST /api/webhooks/pingpp does for charge.succeeded —
 * verify RSA-SHA256 over the raw body with the PEM public key, parse, then ONE transaction:
 * insert the event ON CONFLICT (its evt_ id) → if new, apply it to the charges row
 * (forward only) → record the result on the event. Same tables, same indexes.
 *
 * env: PORT, DATABASE_URL, PUBLIC_KEY_PEM, DATABASE_POOL_MAX (default 10, like the console).
 */
import http from "node:http";
import { createVerify } from "node:crypto";
import postgres from "postgres";

const PORT = Number(process.env.PORT);
const PEM = process.env.PUBLIC_KEY_PEM!;
const MAX_BYTES = 256 * 1024;
const sql = postgres(process.env.DATABASE_URL!, { max: Number(process.env.DATABASE_POOL_MAX ?? 10), onnotice: () => {} });

function verify(body: Buffer, sig: string | undefined): boolean {
  if (!sig) return false;
  try {
    return createVerify("RSA-SHA256").update(body).verify(PEM, sig.trim(), "base64");
  } catch {
    return false;
  }
}

interface Evt {
  id: string;
  type: string;
  created: number;
  livemode: boolean;
  data: { object: Record<string, unknown> & { id?: string; order_no?: string } };
}

async function ingest(body: Buffer, evt: Evt): Promise<string> {
  const o = evt.data.object;
  return sql.begin(async (tx) => {
    const [row] = await tx`
      insert into pingpp_events (id, type, object_id, livemode, created_at, signature_verified, payload, status)
      values (${evt.id}, ${evt.type}, ${typeof o.id === "string" ? o.id : null}, ${evt.livemode},
              ${new Date(evt.created * 1000)}, true, ${body.toString("utf8")}::jsonb, 'ignored')
      on conflict (id) do update set receive_count = pingpp_events.receive_count + 1, last_received_at = now()
      returning (xmax = 0) as inserted`;
    if (!row?.inserted) return "duplicate";
    let status = "ignored";
    let result = "no handler for this event type";
    if (evt.type === "charge.succeeded" && o.object === "charge") {
      const [c] = await tx`
        update charges set
          status = 'paid', pingpp_id = ${o.id as string},
          time_paid = coalesce(to_timestamp(${(o.time_paid as number | null) ?? null}::bigint), time_paid),
          transaction_no = ${(o.transaction_no as string | null) ?? null},
          amount_refunded = greatest(amount_refunded, ${(o.amount_refunded as number) ?? 0}),
          raw = ${JSON.stringify(o)}::jsonb, updated_at = now()
        where pingpp_id = ${o.id as string} or order_no = ${o.order_no as string}
        returning status`;
      status = c ? "applied" : "failed";
      result = c ? `charge ${o.id as string} → ${c.status as string}` : "unknown charge";
    }
    await tx`update pingpp_events set status = ${status}, result = ${result} where id = ${evt.id}`;
    return "ok";
  });
}

const server = http.createServer((req, res) => {
  const send = (code: number, text: string) => {
    res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
    res.end(text);
  };
  if (req.method !== "POST" || req.url !== "/api/webhooks/pingpp") return send(404, "not found");
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size <= MAX_BYTES) chunks.push(c);
  });
  req.on("end", () => {
    if (size > MAX_BYTES) return send(413, "payload too large");
    const body = Buffer.concat(chunks);
    if (!verify(body, req.headers["x-pingplusplus-signature"] as string | undefined)) return send(401, "invalid signature");
    let evt: Evt;
    try {
      evt = JSON.parse(body.toString("utf8")) as Evt;
      if (typeof evt.id !== "string" || typeof evt.type !== "string" || !evt.data?.object) throw new Error("shape");
    } catch {
      return send(400, "bad event");
    }
    ingest(body, evt).then(
      (r) => send(200, r),
      (e: unknown) => {
        console.error("[baseline] failed", e);
        send(503, "temporarily unavailable");
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, "127.0.0.1", () => console.log(`baseline listening on ${PORT}`));
const stop = () => {
  server.close();
  void sql.end({ timeout: 2 }).finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
