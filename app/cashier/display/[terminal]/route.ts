import { seeOther } from "@/lib/http/see-other";
import { getTranslations } from "next-intl/server";
import { can, getActor } from "@/lib/auth/session";
import { etagOf } from "@/lib/auth/route";
import { activeChargeForTerminal } from "@/lib/services/charges";
import { htmlPage, localeSwitchForm, logoutForm, statusPage } from "@/lib/html/page";
import {
  DISPLAY_CSS,
  displayScript,
  displayState,
  screenHtml,
  type DisplayMessages,
} from "@/lib/html/customer-display";

export const dynamic = "force-dynamic";

/**
 * Customer-facing screen of one terminal: amount + QR + status of whatever is live there. A plain
 * HTML page with no React (lib/html/customer-display.ts; issue 19: ≤ 100 KB of script on a
 * cashier tablet), so this route checks what requireCapability and the page checked: no session →
 * /login, an account to set up first → /account, no cashier.use or another terminal → 403, a
 * malformed terminal → 404. Redirects are relative 303s, as app/go/[objectId]/route.ts.
 */
export async function GET(req: Request, ctx: { params: Promise<{ terminal: string }> }) {
  const actor = await getActor(req);
  if (!actor) return seeOther("/login");
  if (actor.gate) return seeOther("/account");
  if (!can(actor.role, "cashier.use")) return statusPage(403);
  const { terminal } = await ctx.params;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(terminal)) return statusPage(404);
  if (!can(actor.role, "terminals.all") && actor.terminalId !== terminal) return statusPage(403);

  const [state, t, tc] = await Promise.all([
    activeChargeForTerminal(actor, terminal).then(displayState),
    getTranslations("display"),
    getTranslations("cashier"),
  ]);
  const m: DisplayMessages = {
    welcome: t("welcome"),
    terminal: t("terminal", { terminal }),
    amount: t("amount"),
    scan: t("scan"),
    paid: t("paid"),
    ended: t("ended"),
    attemptFailed: t("attemptFailed"),
    qr: t("qr"),
  };
  const path = `/cashier/display/${terminal}`;
  return htmlPage({
    title: tc("display"),
    css: DISPLAY_CSS,
    body:
      screenHtml(state, m) +
      // for the staff, out of the customer's way: language and sign-out, small in a corner
      `<div class="controls" data-testid="display-controls">${await localeSwitchForm(path)}${await logoutForm()}</div>`,
    script: displayScript({
      url: `/api/terminals/${terminal}/active`,
      // what the poll route would answer now (same JSON, same ETag): the first poll already waits
      etag: etagOf(JSON.stringify(state)),
      m,
    }),
  });
}
