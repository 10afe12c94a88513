import { z } from "../zod";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** A period of Shanghai days; `from`..`to` inclusive, at most a year; bad values fall back to today. */
export const periodSchema = z
  .object({ from: day.optional().catch(undefined), to: day.optional().catch(undefined) })
  .transform((p) => (p.from && p.to && p.from > p.to ? { from: p.to, to: p.from } : p));
export type PeriodInput = z.output<typeof periodSchema>;
