"use server";
import { z } from "zod";
import { revalidatePath } from "next/cache";
import { authedAction } from "./safe-action";
import { applyAgain } from "../services/event-log";

export const applyAgainAction = authedAction(
  "events.apply",
  z.object({ id: z.string().regex(/^evt_[A-Za-z0-9]+$/, "invalidId") }),
  async ({ id }, actor) => {
    const row = await applyAgain(actor, id);
    revalidatePath(`/events/${id}`);
    return { status: row.status, result: row.result };
  },
);
