"use server";
import { revalidatePath } from "next/cache";
import { authedAction } from "./safe-action";
import { fixFromPingpp, noteDifference, reconcileDay } from "../services/reconciliation";
import { fixDifferenceSchema, noteDifferenceSchema, runReconciliationSchema } from "../validations/reconciliation";

/** 对账 on demand: reads Ping++ only, stores a run; answers its id and how many differences. */
export const runReconciliationAction = authedAction(
  "reconciliation.manage",
  runReconciliationSchema,
  async ({ day }, actor) => {
    const run = await reconcileDay(day, { actor, trigger: "manual" });
    revalidatePath("/reconciliation");
    return { id: run.id, status: run.status, differences: run.differences };
  },
);

export const fixDifferenceAction = authedAction("reconciliation.manage", fixDifferenceSchema, async ({ id }, actor) => {
  const d = await fixFromPingpp(actor, id);
  revalidatePath(`/reconciliation/${d.runId}`);
  return { id: d.id, resolution: d.resolution };
});

export const noteDifferenceAction = authedAction(
  "reconciliation.manage",
  noteDifferenceSchema,
  async ({ id, note }, actor) => {
    const d = await noteDifference(actor, id, note);
    revalidatePath(`/reconciliation/${d.runId}`);
    return { id: d.id, resolution: d.resolution };
  },
);
