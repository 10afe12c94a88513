import { z } from "../zod";

import { filterDay } from "./dates";

/**
 * A period of Shanghai days; `from`..`to` inclusive (swapped when reversed); a malformed day is an issue ("date"),
 * absent → today.
 */
export const periodSchema = z
  .object({ from: filterDay, to: filterDay })
  .transform((p) => (p.from && p.to && p.from > p.to ? { from: p.to, to: p.from } : p));
export type PeriodInput = z.output<typeof periodSchema>;
