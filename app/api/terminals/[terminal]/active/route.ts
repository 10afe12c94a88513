import { withActor, SHORT_WAIT_MS, type LongPoll } from "@/lib/auth/route";
import { terminalKey } from "@/lib/db/wakeups";
import { activeChargeForTerminal, TERMINAL_STATUSES } from "@/lib/services/charges";
import { displayState, type DisplayState } from "@/lib/html/customer-display";

export const dynamic = "force-dynamic";

/**
 * The customer display's poll: the live charge on this terminal, or null (idle), with its amount
 * as text and a pending charge's QR as SVG (lib/html/customer-display.ts: the page draws neither
 * itself). `?wait=25` makes it a long poll (lib/auth/route.ts), woken by any change of a charge on
 * this terminal.
 */
export async function GET(req: Request, ctx: { params: Promise<{ terminal: string }> }) {
  const { terminal } = await ctx.params;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(terminal)) return Response.json({ error: "not_found" }, { status: 404 });
  const longPoll: LongPoll<DisplayState> = { keys: [terminalKey(terminal)], holdAtMost: byTime };
  return withActor("cashier.use", async (actor) => displayState(await activeChargeForTerminal(actor, terminal)), {
    req,
    longPoll,
  });
}

/**
 * What the display shows also changes with time alone: a finished charge leaves it a few seconds
 * after it ended (polled once a second meanwhile, as before), a pending one at its expiry.
 */
function byTime({ charge }: DisplayState): number | undefined {
  if (!charge) return undefined;
  if (TERMINAL_STATUSES.includes(charge.status)) return SHORT_WAIT_MS;
  return charge.timeExpire ? Date.parse(charge.timeExpire) - Date.now() + 500 : undefined;
}
