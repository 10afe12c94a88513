"use server";
import { authedAction } from "./safe-action";
import { cancelOrder, createOrderCharge, refreshOrder, syncOrders } from "../services/orders";
import { cancelOrderSchema, createOrderSchema, orderIdSchema } from "../validations/orders";
import { z } from "zod";

/** Order mode on the cashier screen: returns the order's charge for the QR panel. */
export const createOrderChargeAction = authedAction("cashier.use", createOrderSchema, (input, actor) =>
  createOrderCharge(actor, input),
);

export const cancelOrderAction = authedAction(
  "orders.manage",
  cancelOrderSchema,
  async ({ id, idempotencyKey }, actor) => {
    const row = await cancelOrder(actor, id, idempotencyKey);
    return { status: row.status };
  },
  { audit: "order.cancel" },
);

export const refreshOrderAction = authedAction("orders.manage", orderIdSchema, async ({ id }, actor) => {
  const row = await refreshOrder(actor, id);
  return { status: row.status };
});

export const syncOrdersAction = authedAction("orders.manage", z.looseObject({}), (_input, actor) => syncOrders(actor));
