"use server";
import { revalidatePath } from "next/cache";
import { authedAction } from "./safe-action";
import { FINANCE_ROLES } from "../auth/session";
import { resolveAttention, syncAttention } from "../services/attention";
import { resolveAttentionSchema, syncAttentionSchema } from "../validations/attention";

export const syncAttentionAction = authedAction(FINANCE_ROLES, syncAttentionSchema, async ({ kind, objectId }, actor) => {
  const outcome = await syncAttention(actor, kind, objectId);
  revalidatePath("/attention");
  return outcome ?? null;
});

export const resolveAttentionAction = authedAction(FINANCE_ROLES, resolveAttentionSchema, async ({ kind, objectId, note }, actor) => {
  await resolveAttention(actor, kind, objectId, note);
  revalidatePath("/attention");
  return null;
});
