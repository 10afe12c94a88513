import { z } from "zod";
import { withActor, type LongPoll } from "@/lib/auth/route";
import { chargeKey } from "@/lib/db/wakeups";
import { chargeStatus, type ChargeView } from "@/lib/services/charges";

export const dynamic = "force-dynamic";

/**
 * Polled by cashier screens until the charge reaches a final state. `?wait=25` makes it a long
 * poll (lib/auth/route.ts): held until the charge changes, woken by Postgres NOTIFY.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!z.uuid().safeParse(id).success) return Response.json({ error: "not_found" }, { status: 404 });
  const longPoll: LongPoll<ChargeView> = { keys: [chargeKey(id)], holdAtMost: untilExpiry };
  return withActor("cashier.use", (actor) => chargeStatus(actor, id), { req, longPoll });
}

/**
 * A pending QR's expiry writes nothing by itself (the charge turns expired once Ping++ is asked,
 * which notifies): a pending answer is held until its expiry, and after it only briefly, as the
 * 1 s poll was.
 */
function untilExpiry(v: ChargeView): number | undefined {
  return v.status === "pending" && v.timeExpire ? Date.parse(v.timeExpire) - Date.now() + 500 : undefined;
}
