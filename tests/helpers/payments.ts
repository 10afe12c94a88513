import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { charges, orders } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/services/actor";
import { createCharge } from "@/lib/services/charges";
import { createOrderCharge } from "@/lib/services/orders";
import { createChargeSchema, type CreateChargeInput } from "@/lib/validations/charges";
import { createOrderSchema } from "@/lib/validations/orders";
import { eventually } from "./console-sandbox";
import type { ConsoleSandbox } from "./testbed";

/** The cashier's QR charge form (¥20.00, alipay_qr, 门店消费), with `over` on top. */
export const qrChargeForm = (over: Partial<CreateChargeInput> = {}) =>
  createChargeSchema.parse({
    idempotencyKey: crypto.randomUUID(),
    amount: "20.00",
    channel: "alipay_qr",
    subject: "门店消费",
    body: "收银台收款",
    ...over,
  });

/** The cashier's order-mode QR form (alipay_qr, 门店订单) for `amount` in yuan. */
export const qrOrderForm = (amount: string) =>
  createOrderSchema.parse({
    idempotencyKey: crypto.randomUUID(),
    amount,
    channel: "alipay_qr",
    subject: "门店订单",
    body: "收银台订单",
  });

/** A ¥20.00 QR charge `cashier` made and the customer paid (its webhook applied): our row id and its ch_ id. */
export async function paidQrCharge(
  h: ConsoleSandbox,
  db: Db,
  cashier: Actor,
): Promise<{ id: string; chargeId: string }> {
  const v = await createCharge(cashier, qrChargeForm());
  const chargeId = (await db.select().from(charges).where(eq(charges.id, v.id)))[0]!.pingppId!;
  await h.sim(`charges/${chargeId}/pay`);
  await eventually(
    async () => (await db.select().from(charges).where(eq(charges.id, v.id)))[0]!.status === "paid",
    "charge paid",
  );
  return { id: v.id, chargeId };
}

/** Order mode, paid by the customer (webhook applied): our order id and its ch_ id. */
export async function paidQrOrder(
  h: ConsoleSandbox,
  db: Db,
  cashier: Actor,
  amount: string,
): Promise<{ orderId: string; chargeId: string }> {
  const view = await createOrderCharge(cashier, qrOrderForm(amount));
  const [c] = await db.select().from(charges).where(eq(charges.id, view.id));
  await h.sim(`charges/${c!.pingppId}/pay`);
  const [o] = await eventually(async () => {
    const rows = await db
      .select()
      .from(orders)
      .where(and(eq(orders.chargeId, c!.pingppId!), eq(orders.status, "paid")));
    return rows.length ? rows : null;
  }, "order paid");
  return { orderId: o!.id, chargeId: c!.pingppId! };
}
