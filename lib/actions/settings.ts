"use server";
import { z } from "zod";
import { headers } from "next/headers";
import { authedAction } from "./safe-action";
import { checkWebhookPath } from "../services/settings";
import { setRefundApproval } from "../services/refund-approval";
import { refundApprovalSchema } from "../validations/refund-approval";

/** The console's own webhook URL as this server reaches itself (loopback, the port it serves on). */
async function selfWebhookUrl(): Promise<string> {
  const h = await headers();
  const port = process.env.PORT ?? h.get("host")?.split(":")[1] ?? "3000";
  return `http://127.0.0.1:${port}/api/webhooks/pingpp`;
}

export const checkWebhookAction = authedAction("settings.manage", z.object({}), async (_input, actor) =>
  checkWebhookPath(actor, await selfWebhookUrl()),
);

/**
 * 设置 → refund approval: the per-refund threshold and the per-person daily limit (empty = off). Audited by the service.
 */
export const setRefundApprovalAction = authedAction("settings.manage", refundApprovalSchema, async (input, actor) =>
  setRefundApproval(actor, input),
);
