/**
 * The routes the console's front answers without Next.js (lib/http/serve.ts, scripts/bootstrap.ts): the two that
 * arrive hundreds of times a second. Their handlers are the app/ route files themselves.
 */
import type { HotRoute } from "../lib/http/serve";
import { MAX_WEBHOOK_BYTES } from "../lib/services/events";
import { POST as webhook } from "../app/api/webhooks/pingpp/route";
import { GET as chargeStatus } from "../app/api/charges/[id]/status/route";

export const HOT_ROUTES: readonly HotRoute[] = [
  { method: "POST", path: /^\/api\/webhooks\/pingpp\/?$/, maxBodyBytes: MAX_WEBHOOK_BYTES, handler: (req) => webhook(req) },
  {
    method: "GET",
    path: /^\/api\/charges\/(?<id>[^/]+)\/status\/?$/,
    handler: (req, params) => chargeStatus(req, { params: Promise.resolve({ id: decoded(params.id!) }) }),
  },
];

/** As Next.js hands a dynamic segment to its handler: percent-decoded (left as sent when it is not valid encoding; the route then refuses it). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
