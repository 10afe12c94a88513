"use server";
import { authedAction } from "./safe-action";
import { FINANCE_ROLES } from "../auth/session";
import { refreshRedEnvelope, sendRedEnvelope } from "../services/red-envelopes";
import { createBatch, deleteBatch, startBatch } from "../services/red-envelope-batches";
import { batchDryRunSchema, redEnvelopeIdSchema, sendRedEnvelopeSchema } from "../validations/red-envelopes";

export const sendRedEnvelopeAction = authedAction(FINANCE_ROLES, sendRedEnvelopeSchema, (input, actor) => sendRedEnvelope(actor, input), { audit: "red_envelope.send" });

export const refreshRedEnvelopeAction = authedAction(FINANCE_ROLES, redEnvelopeIdSchema, ({ id }, actor) => refreshRedEnvelope(actor, id));

export const dryRunBatchAction = authedAction(FINANCE_ROLES, batchDryRunSchema, (input, actor) => createBatch(actor, input));

export const startBatchAction = authedAction(FINANCE_ROLES, redEnvelopeIdSchema, ({ id }, actor) => startBatch(actor, id), { audit: "red_envelope.batch.start" });

export const deleteBatchAction = authedAction(FINANCE_ROLES, redEnvelopeIdSchema, ({ id }, actor) => deleteBatch(actor, id));
