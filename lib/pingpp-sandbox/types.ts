// Stored shapes of the emulated Ping++ objects. Field sets copied from the seed samples
// (lib/pingpp/fixtures/seed-samples). Fields starting with `_` are internal and stripped on output.

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type Metadata = Record<string, Json>;

export interface ListEnvelope<T> {
  object: "list";
  url: string;
  has_more: boolean;
  data: T[];
}

export interface Charge {
  id: string;
  object: "charge";
  created: number;
  livemode: false;
  paid: boolean;
  refunded: boolean;
  reversed: boolean;
  app: string;
  channel: string;
  order_no: string;
  client_ip: string;
  amount: number;
  amount_settle: number;
  currency: string;
  subject: string;
  body: string;
  extra: Record<string, Json>;
  time_paid: number | null;
  time_expire: number;
  time_settle: number | null;
  transaction_no: string | null;
  amount_refunded: number;
  failure_code: string | null;
  failure_msg: string | null;
  metadata: Metadata;
  credential: Record<string, Json>;
  description: string | null;
  /** id of the Order this charge pays, if any */
  _order?: string;
}

export interface Refund {
  id: string;
  object: "refund";
  order_no: string;
  amount: number;
  created: number;
  livemode: false;
  succeed: boolean;
  status: "pending" | "succeeded" | "failed";
  time_succeed: number | null;
  description: string;
  failure_code: string | null;
  failure_msg: string | null;
  metadata: Metadata;
  charge: string;
  charge_order_no: string;
  transaction_no: string | null;
  funding_source: string | null;
  extra: Record<string, Json>;
  _order?: string;
  /** the API request that created it (its events carry it) */
  _request?: string;
}

export type OrderStatus = "created" | "paid" | "refunded" | "canceled";

export interface Order {
  id: string;
  object: "order";
  created: number;
  livemode: false;
  paid: boolean;
  refunded: boolean;
  status: OrderStatus;
  app: string;
  uid: string;
  available_balance: number;
  merchant_order_no: string;
  amount: number;
  actual_amount: number;
  amount_refunded: number;
  amount_paid: number;
  coupon_amount: number;
  currency: string;
  subject: string;
  body: string;
  client_ip: string;
  time_paid: number | null;
  time_expire: number;
  coupon: string | null;
  description: string | null;
  metadata: Metadata;
  charge: string | null;
  charge_essentials: Record<string, Json>;
  receipt_app: string;
  service_app: string;
  available_methods: string[];
  royalty_users: Json[];
  _canceled_by?: string;
  /** canceled because its time_expire passed unpaid (not by a PUT) */
  _expired?: boolean;
}

export type RedEnvelopeStatus = "sending" | "sent" | "received" | "failed" | "refunding" | "refund";

export interface RedEnvelope {
  id: string;
  object: "red_envelope";
  created: number;
  received: number | null;
  refunded: number | null;
  livemode: false;
  status: RedEnvelopeStatus;
  app: string;
  channel: string;
  order_no: string;
  transaction_no: string | null;
  amount: number;
  amount_settle: number;
  currency: string;
  recipient: string;
  subject: string;
  body: string;
  description: string;
  failure_msg: string | null;
  extra: Record<string, string>;
  metadata: Metadata;
}

/** An unsettled royalty (分润) waiting in the pool. */
export interface Royalty {
  id: string;
  object: "royalty";
  created: number;
  livemode: false;
  payer_app: string;
  amount: number;
  status: "created" | "pending" | "succeeded";
  method: string | null;
  recipient_app: string | null;
  source_user: string;
  source_no: string;
  source_app: string;
  settle_account: string;
  royalty_settlement: string | null;
  royalty_transaction: string | null;
  description: string | null;
  metadata: Metadata;
}

export type TransactionStatus = "created" | "pending" | "succeeded" | "failed" | "canceled";

export interface RoyaltyTransaction {
  id: string;
  object: "royalty_transaction";
  created: number;
  livemode: false;
  amount: number;
  status: TransactionStatus;
  settle_account: string;
  source_user: string;
  recipient_app: string | null;
  royalty_settlement: string;
  failure_msg: string | null;
  transfer: string | null;
  _royalties: string[];
}

export type SettlementStatus = "created" | "pending" | "succeeded" | "partially_succeeded" | "failed" | "canceled";

export interface RoyaltySettlement {
  id: string;
  object: "royalty_settlement";
  payer_app: string;
  created: number;
  livemode: false;
  method: string;
  recipient_app: string | null;
  amount: number;
  amount_succeeded: number;
  amount_failed: number;
  amount_canceled: number;
  count: number;
  count_succeeded: number;
  count_failed: number;
  count_canceled: number;
  time_finished: number | null;
  fee: number;
  operation_url: string | null;
  status: SettlementStatus;
  metadata: Metadata;
  description: string | null;
}

export interface PingppEvent {
  id: string;
  object: "event";
  livemode: false;
  created: number;
  type: string;
  data: { object: Record<string, unknown> };
  pending_webhooks: number;
  request: string | null;
}

export interface DeliveryAttempt {
  at: number; // ms
  /** the receiver's HTTP status; null when no answer came (connection error, timeout) */
  status_code: number | null;
  /** the receiver's answer body (first 2000 characters); null when no answer came */
  response_body: string | null;
  error: string | null;
  duration_ms: number;
}

export interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  url: string;
  status: "pending" | "delivered" | "failed";
  attempts: DeliveryAttempt[];
  next_attempt_at: number | null; // ms
  created: number; // ms
}

export interface Job {
  id: string;
  at: number; // ms
  kind: string;
  ref: string;
}
