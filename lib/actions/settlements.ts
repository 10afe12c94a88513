"use server";
import { authedAction } from "./safe-action";
import { FINANCE_ROLES } from "../auth/session";
import { cancelSettlement, confirmSettlement, createSettlement, previewSettlement } from "../services/settlements";
import { createSettlementSchema, previewSettlementSchema, settlementIdSchema } from "../validations/settlements";

export const previewSettlementAction = authedAction(FINANCE_ROLES, previewSettlementSchema, (input, actor) => previewSettlement(actor, input));

export const createSettlementAction = authedAction(FINANCE_ROLES, createSettlementSchema, (input, actor) => createSettlement(actor, input), { audit: "royalty_settlement.create" });

export const confirmSettlementAction = authedAction(FINANCE_ROLES, settlementIdSchema, ({ id }, actor) => confirmSettlement(actor, id), { audit: "royalty_settlement.confirm" });

export const cancelSettlementAction = authedAction(FINANCE_ROLES, settlementIdSchema, ({ id }, actor) => cancelSettlement(actor, id), { audit: "royalty_settlement.cancel" });
