"use server";
import { revalidatePath } from "next/cache";
import { authedAction } from "./safe-action";
import { resolveAttention, syncAttention, syncAttentionKind } from "../services/attention";
import { resolveAttentionSchema, syncAttentionKindSchema, syncAttentionSchema } from "../validations/attention";

export const syncAttentionAction = authedAction(
  "attention.manage",
  syncAttentionSchema,
  async ({ kind, objectId }, actor) => {
    const outcome = await syncAttention(actor, kind, objectId);
    revalidatePath("/attention");
    return outcome ?? null;
  },
);

export const resolveAttentionAction = authedAction(
  "attention.manage",
  resolveAttentionSchema,
  async ({ kind, objectId, note }, actor) => {
    await resolveAttention(actor, kind, objectId, note);
    revalidatePath("/attention");
    return null;
  },
);

/** 「从 Ping++ 同步」 for every item of a kind (bounded concurrency; audited): how many synced and failed. */
export const syncAttentionKindAction = authedAction(
  "attention.manage",
  syncAttentionKindSchema,
  async ({ kind }, actor) => {
    const outcome = await syncAttentionKind(actor, kind);
    revalidatePath("/attention");
    return outcome;
  },
);
