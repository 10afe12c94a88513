"use server";
import { authedAction } from "./safe-action";
import { createCharge, reverseCharge } from "../services/charges";
import { chargeIdSchema, createChargeSchema } from "../validations/charges";

export const createChargeAction = authedAction("cashier.use", createChargeSchema, (input, actor) =>
  createCharge(actor, input),
);

export const reverseChargeAction = authedAction("cashier.use", chargeIdSchema, ({ id }, actor) =>
  reverseCharge(actor, id),
);
