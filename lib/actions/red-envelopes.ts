"use server";
import { authedAction } from "./safe-action";
import { refreshRedEnvelope, sendRedEnvelope } from "../services/red-envelopes";
import { createBatch, deleteBatch, startBatch } from "../services/red-envelope-batches";
import { batchDryRunSchema, redEnvelopeIdSchema, sendRedEnvelopeSchema } from "../validations/red-envelopes";

export const sendRedEnvelopeAction = authedAction(
  "redEnvelopes.manage",
  sendRedEnvelopeSchema,
  (input, actor) => sendRedEnvelope(actor, input),
  { audit: "red_envelope.send" },
);

export const refreshRedEnvelopeAction = authedAction("redEnvelopes.manage", redEnvelopeIdSchema, ({ id }, actor) =>
  refreshRedEnvelope(actor, id),
);

export const dryRunBatchAction = authedAction("redEnvelopes.manage", batchDryRunSchema, (input, actor) =>
  createBatch(actor, input),
);

export const startBatchAction = authedAction(
  "redEnvelopes.manage",
  redEnvelopeIdSchema,
  ({ id }, actor) => startBatch(actor, id),
  { audit: "red_envelope.batch.start" },
);

export const deleteBatchAction = authedAction("redEnvelopes.manage", redEnvelopeIdSchema, ({ id }, actor) =>
  deleteBatch(actor, id),
);
