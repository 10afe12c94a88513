"use server";
import { authedAction } from "./safe-action";
import { ALL_ROLES } from "../auth/session";
import { createCharge, reverseCharge } from "../services/charges";
import { chargeIdSchema, createChargeSchema } from "../validations/charges";

export const createChargeAction = authedAction(ALL_ROLES, createChargeSchema, (input, actor) => createCharge(actor, input));

export const reverseChargeAction = authedAction(ALL_ROLES, chargeIdSchema, ({ id }, actor) => reverseCharge(actor, id));
