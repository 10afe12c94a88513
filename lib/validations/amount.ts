import { z } from "../zod";
import { parseYuan } from "../money";

/**
 * An amount typed in yuan → fen, > 0 and at most MAX_AMOUNT_FEN: the one schema every form and
 * action that takes money uses (charges, orders, refunds, red envelopes, batches). Messages are
 * i18n keys under "validation": amount · amountSeparators · amountTooLarge.
 */
export const yuanAmount = z.string().transform((v, ctx) => {
  const r = parseYuan(v);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.error });
    return z.NEVER;
  }
  return r.fen;
});

/** The same, for a lower bound in a filter: empty → undefined, 0 allowed. */
export const optionalYuanMin = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v?.trim()) return undefined;
    const r = parseYuan(v, { allowZero: true });
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.error });
      return z.NEVER;
    }
    return r.fen;
  });
