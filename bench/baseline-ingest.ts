/**
 * What the framework-free webhook baseline does per delivery (bench/webhook-baseline.ts), in one
 * place so the Next.js ceiling (bench/next-ceiling) runs exactly the same code: verify
 * RSA-SHA256 over the raw body with the PEM public key, parse, then ONE transaction: insert the
 * event ON CONFLICT (its evt_ id) → if new, apply it to the charges row (forward only) → record
 * the result on the event. Same tables and indexes as the console.
 */
import { createVerify } from "node:crypto";
import type postgres from "postgres";

export const MAX_BYTES = 256 * 1024;

interface Evt {
  id: string;
  type: string;
  created: number;
  livemode: boolean;
  data: { object: Record<string, unknown> & { id?: string; order_no?: string } };
}

/** The whole delivery: the HTTP status and the text to answer. */
export function baselineIngest(sql: postgres.Sql, pem: string) {
  function verify(body: Buffer, sig: string | undefined): boolean {
    if (!sig) return false;
    try {
      return createVerify("RSA-SHA256").update(body).verify(pem, sig.trim(), "base64");
    } catch {
      return false;
    }
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

  return async (body: Buffer, signature: string | undefined): Promise<{ code: number; text: string }> => {
    if (body.length > MAX_BYTES) return { code: 413, text: "payload too large" };
    if (!verify(body, signature)) return { code: 401, text: "invalid signature" };
    let evt: Evt;
    try {
      evt = JSON.parse(body.toString("utf8")) as Evt;
      if (typeof evt.id !== "string" || typeof evt.type !== "string" || !evt.data?.object) throw new Error("shape");
    } catch {
      return { code: 400, text: "bad event" };
    }
    try {
      return { code: 200, text: await ingest(body, evt) };
    } catch (e) {
      console.error("[baseline] failed", e);
      return { code: 503, text: "temporarily unavailable" };
    }
  };
}
