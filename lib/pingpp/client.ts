/**
 * The Ping++ resources (API.md §2). Each call validates its input with the
 * params schema (PingppValidationError before anything is sent), then goes
 * through the one request core and validates the answer with the object schema.
 */
import type { z } from "zod";
import { PingppValidationError, summarizeIssues } from "./errors";
import { createTransport, type TransportOptions } from "./http";
import {
  chargeCreateParamsSchema,
  chargeListParamsSchema,
  orderCancelParamsSchema,
  orderCreateParamsSchema,
  orderListParamsSchema,
  orderPageParamsSchema,
  orderPayParamsSchema,
  orderRefundCreateParamsSchema,
  redEnvelopeCreateParamsSchema,
  redEnvelopeListParamsSchema,
  refundCreateParamsSchema,
  refundListParamsSchema,
  royaltySettlementCreateParamsSchema,
  royaltySettlementListParamsSchema,
  royaltyTransactionListParamsSchema,
  type ChargeCreateParams,
  type ChargeListParams,
  type OrderCancelParams,
  type OrderCreateParams,
  type OrderListParams,
  type OrderPageParams,
  type OrderPayParams,
  type OrderRefundCreateParams,
  type RedEnvelopeCreateParams,
  type RedEnvelopeListParams,
  type RefundCreateParams,
  type RefundListParams,
  type RoyaltySettlementCreateParams,
  type RoyaltySettlementListParams,
  type RoyaltyTransactionListParams,
} from "./params";
import {
  chargeSchema,
  eventSchema,
  listSchema,
  orderSchema,
  pageListSchema,
  redEnvelopeSchema,
  refundSchema,
  royaltySettlementPreviewSchema,
  royaltySettlementSchema,
  royaltyTransactionSchema,
  type RoyaltySettlement,
  type RoyaltySettlementPreview,
} from "./schemas";

export type PingppOptions = TransportOptions;

/** Parse call parameters or throw PingppValidationError (nothing is sent). */
export function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.output<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new PingppValidationError(summarizeIssues(parsed.error.issues));
  return parsed.data;
}

/** One percent-encoded path segment; an empty id is refused. */
function seg(value: string, name: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new PingppValidationError([{ path: name, message: "required" }]);
  }
  return encodeURIComponent(value);
}

const chargeList = listSchema(chargeSchema);
const refundList = listSchema(refundSchema);
const redEnvelopeList = listSchema(redEnvelopeSchema);
const chargePageList = pageListSchema(chargeSchema);
const refundPageList = pageListSchema(refundSchema);
const orderPageList = pageListSchema(orderSchema);
const settlementPageList = pageListSchema(royaltySettlementSchema);
const transactionPageList = pageListSchema(royaltyTransactionSchema);

export function createPingpp(opts: PingppOptions) {
  const request = createTransport(opts);
  const get = <S extends z.ZodType>(path: string, schema: S, query?: Record<string, unknown>) =>
    request({ method: "GET", path, query, schema });
  const post = <S extends z.ZodType>(path: string, schema: S, body: unknown) =>
    request({ method: "POST", path, body, schema });
  const put = <S extends z.ZodType>(path: string, schema: S, body: unknown) =>
    request({ method: "PUT", path, body, schema });

  const charges = {
    create: async (params: ChargeCreateParams) =>
      post("/charges", chargeSchema, parseParams(chargeCreateParamsSchema, params)),
    retrieve: async (id: string) => get(`/charges/${seg(id, "id")}`, chargeSchema),
    /** cursor paging; `app.id` required */
    list: async (params: ChargeListParams) => get("/charges", chargeList, parseParams(chargeListParamsSchema, params)),
    /** 撤销: close an unpaid charge (see REVERSIBLE_CHANNELS) */
    reverse: async (id: string) => post(`/charges/${seg(id, "id")}/reverse`, chargeSchema, {}),
    refunds: {
      create: async (chargeId: string, params: RefundCreateParams) =>
        post(
          `/charges/${seg(chargeId, "chargeId")}/refunds`,
          refundSchema,
          parseParams(refundCreateParamsSchema, params),
        ),
      retrieve: async (chargeId: string, refundId: string) =>
        get(`/charges/${seg(chargeId, "chargeId")}/refunds/${seg(refundId, "refundId")}`, refundSchema),
      list: async (chargeId: string, params: RefundListParams = {}) =>
        get(`/charges/${seg(chargeId, "chargeId")}/refunds`, refundList, parseParams(refundListParamsSchema, params)),
    },
  };

  const orderPath = (id: string) => `/orders/${seg(id, "orderId")}`;
  const orders = {
    create: async (params: OrderCreateParams) =>
      post("/orders", orderSchema, parseParams(orderCreateParamsSchema, params)),
    retrieve: async (id: string) => get(orderPath(id), orderSchema),
    /** page paging; `app` required */
    list: async (params: OrderListParams) => get("/orders", orderPageList, parseParams(orderListParamsSchema, params)),
    cancel: async (id: string, params: OrderCancelParams = {}) =>
      put(orderPath(id), orderSchema, { status: "canceled", ...parseParams(orderCancelParamsSchema, params) }),
    pay: async (id: string, params: OrderPayParams) =>
      post(`${orderPath(id)}/pay`, orderSchema, parseParams(orderPayParamsSchema, params)),
    charges: {
      list: async (orderId: string, params: OrderPageParams = {}) =>
        get(`${orderPath(orderId)}/charges`, chargePageList, parseParams(orderPageParamsSchema, params)),
      retrieve: async (orderId: string, chargeId: string) =>
        get(`${orderPath(orderId)}/charges/${seg(chargeId, "chargeId")}`, chargeSchema),
    },
    refunds: {
      /** Ping++ answers with a list of the refunds it created */
      create: async (orderId: string, params: OrderRefundCreateParams) =>
        post(`${orderPath(orderId)}/order_refunds`, refundPageList, parseParams(orderRefundCreateParamsSchema, params)),
      retrieve: async (orderId: string, refundId: string) =>
        get(`${orderPath(orderId)}/order_refunds/${seg(refundId, "refundId")}`, refundSchema),
      list: async (orderId: string, params: OrderPageParams = {}) =>
        get(`${orderPath(orderId)}/order_refunds`, refundPageList, parseParams(orderPageParamsSchema, params)),
    },
  };

  const redEnvelopes = {
    create: async (params: RedEnvelopeCreateParams) =>
      post("/red_envelopes", redEnvelopeSchema, parseParams(redEnvelopeCreateParamsSchema, params)),
    /** in test mode, retrieving advances the envelope's state (and fires its webhook) */
    retrieve: async (id: string) => get(`/red_envelopes/${seg(id, "id")}`, redEnvelopeSchema),
    list: async (params: RedEnvelopeListParams = {}) =>
      get("/red_envelopes", redEnvelopeList, parseParams(redEnvelopeListParamsSchema, params)),
  };

  const settlementPath = (id: string) => `/royalty_settlements/${seg(id, "id")}`;
  const royaltySettlements = {
    /** with `is_preview: true` nothing is created; the computed settlement is returned */
    create: async <P extends RoyaltySettlementCreateParams>(
      params: P,
    ): Promise<P extends { is_preview: true } ? RoyaltySettlementPreview : RoyaltySettlement> => {
      const body = parseParams(royaltySettlementCreateParamsSchema, params);
      const schema = body.is_preview ? royaltySettlementPreviewSchema : royaltySettlementSchema;
      return post("/royalty_settlements", schema, body) as Promise<
        P extends { is_preview: true } ? RoyaltySettlementPreview : RoyaltySettlement
      >;
    },
    retrieve: async (id: string) => get(settlementPath(id), royaltySettlementSchema),
    /** page paging; `payer_app` required */
    list: async (params: RoyaltySettlementListParams) =>
      get("/royalty_settlements", settlementPageList, parseParams(royaltySettlementListParamsSchema, params)),
    /** created → pending: Ping++ starts paying out */
    confirm: async (id: string) => put(settlementPath(id), royaltySettlementSchema, { status: "pending" }),
    /** created → canceled */
    cancel: async (id: string) => put(settlementPath(id), royaltySettlementSchema, { status: "canceled" }),
  };

  const royaltyTransactions = {
    retrieve: async (id: string) => get(`/royalty_transactions/${seg(id, "id")}`, royaltyTransactionSchema),
    list: async (params: RoyaltyTransactionListParams = {}) =>
      get("/royalty_transactions", transactionPageList, parseParams(royaltyTransactionListParamsSchema, params)),
  };

  const events = {
    retrieve: async (id: string) => get(`/events/${seg(id, "id")}`, eventSchema),
  };

  return { charges, orders, redEnvelopes, royaltySettlements, royaltyTransactions, events };
}

export type Pingpp = ReturnType<typeof createPingpp>;
