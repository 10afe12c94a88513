import { formatMoney } from "@/lib/money";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PINGPP_ID = /^[a-z]{2,4}_[A-Za-z0-9]{8,60}$/;

/**
 * The console page of an audit row's target, or null (plain text): our ids open the page, Ping++ ids go through
 * /go/{id}.
 */
export function targetHref(type: string | null, id: string | null): string | null {
  if (!type || !id) return null;
  const ours: Record<string, string> = {
    charge: "/charges/",
    order: "/orders/",
    refund: "/refunds/",
    red_envelope: "/red-envelopes/",
    royalty_settlement: "/settlements/",
    red_envelope_batch: "/red-envelopes/batches/",
    reconciliation: "/reconciliation/",
    event: "/events/",
  };
  if (type === "staff") return "/staff";
  if (type === "setting" || type === "app") return "/settings";
  if (type === "event") return `/events/${encodeURIComponent(id)}`;
  if (UUID.test(id) && ours[type]) return `${ours[type]}${id}`;
  if (type === "charge" && PINGPP_ID.test(id)) return `/charges/${id}`;
  if (ours[type] && PINGPP_ID.test(id)) return `/go/${id}`; // a Ping++ id (or_…, re_…, red_…)
  if (type === "order") return `/orders?q=${encodeURIComponent(id)}`; // a merchant order number
  return null;
}

/** Whether a parameter holds money in fen (`amount`, `refundAmount`, a batch's `total` and `budget`…). */
const isAmountKey = (k: string) => /amount|fen$|^(total|budget)$/i.test(k);

/** Parameters as `key: value` pairs for people: amounts in ¥ (fen → yuan), objects as JSON. */
export function paramPairs(params: unknown): { key: string; value: string }[] {
  if (!params || typeof params !== "object" || Array.isArray(params)) return [];
  const p = params as Record<string, unknown>;
  const currency = typeof p.currency === "string" ? p.currency : "cny";
  return Object.entries(p)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([key, v]) => ({
      key,
      value:
        isAmountKey(key) && typeof v === "number" && Number.isSafeInteger(v)
          ? formatMoney(v, currency)
          : isAmountKey(key) && typeof v === "string" && /^-?\d+$/.test(v)
            ? formatMoney(Number(v), currency)
            : typeof v === "object"
              ? JSON.stringify(v)
              : String(v),
    }));
}

/** The message key of an action code (`red_envelope.batch.start` → `auditActions.red_envelope.batch.start`). */
export const actionKey = (action: string) => `auditActions.${action}`;
