"use server";
import { authedAction } from "./safe-action";
import { cancelSettlement, confirmSettlement, createSettlement, previewSettlement } from "../services/settlements";
import { createSettlementSchema, previewSettlementSchema, settlementIdSchema } from "../validations/settlements";

export const previewSettlementAction = authedAction("settlements.manage", previewSettlementSchema, (input, actor) =>
  previewSettlement(actor, input),
);

export const createSettlementAction = authedAction(
  "settlements.manage",
  createSettlementSchema,
  (input, actor) => createSettlement(actor, input),
  { audit: "royalty_settlement.create" },
);

export const confirmSettlementAction = authedAction(
  "settlements.manage",
  settlementIdSchema,
  ({ id }, actor) => confirmSettlement(actor, id),
  { audit: "royalty_settlement.confirm" },
);

export const cancelSettlementAction = authedAction(
  "settlements.manage",
  settlementIdSchema,
  ({ id }, actor) => cancelSettlement(actor, id),
  { audit: "royalty_settlement.cancel" },
);
