"use server";
import { revalidatePath } from "next/cache";
import { authedAction } from "./safe-action";
import { resolveAttention, syncAttention } from "../services/attention";
import { resolveAttentionSchema, syncAttentionSchema } from "../validations/attention";

export const syncAttentionAction = authedAction("attention.manage", syncAttentionSchema, async ({ kind, objectId }, actor) => {
  const outcome = await syncAttention(actor, kind, objectId);
  revalidatePath("/attention");
  return outcome ?? null;
});

export const resolveAttentionAction = authedAction("attention.manage", resolveAttentionSchema, async ({ kind, objectId, note }, actor) => {
  await resolveAttention(actor, kind, objectId, note);
  revalidatePath("/attention");
  return null;
});
