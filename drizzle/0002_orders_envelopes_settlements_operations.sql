CREATE TYPE "public"."order_status" AS ENUM('creating', 'failed', 'created', 'canceled', 'paid', 'refunded');--> statement-breakpoint
CREATE TYPE "public"."refund_status" AS ENUM('creating', 'pending', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."royalty_settlement_status" AS ENUM('creating', 'created', 'pending', 'succeeded', 'partially_succeeded', 'failed', 'canceled');--> statement-breakpoint
CREATE TYPE "public"."royalty_transaction_status" AS ENUM('created', 'pending', 'succeeded', 'failed', 'canceled');--> statement-breakpoint
CREATE TYPE "public"."red_envelope_batch_status" AS ENUM('draft', 'sending', 'done');--> statement-breakpoint
CREATE TYPE "public"."red_envelope_status" AS ENUM('creating', 'sending', 'sent', 'received', 'failed', 'refunding', 'refund');--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pingpp_id" text,
	"merchant_order_no" text NOT NULL,
	"idempotency_key" text,
	"charge_order_no" text,
	"app_id" text NOT NULL,
	"uid" text,
	"amount" integer NOT NULL,
	"actual_amount" integer NOT NULL,
	"amount_paid" integer DEFAULT 0 NOT NULL,
	"amount_refunded" integer DEFAULT 0 NOT NULL,
	"currency" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"status" "order_status" NOT NULL,
	"paid" boolean DEFAULT false NOT NULL,
	"refunded" boolean DEFAULT false NOT NULL,
	"canceled" boolean DEFAULT false NOT NULL,
	"cancel_key" text,
	"charge_id" text,
	"channel" text,
	"terminal_id" text,
	"created_by" uuid,
	"time_paid" timestamp with time zone,
	"time_expire" timestamp with time zone,
	"canceled_at" timestamp with time zone,
	"failure_msg" text,
	"livemode" boolean DEFAULT false NOT NULL,
	"raw" jsonb,
	"created_at" timestamp with time zone DEFAULT date_trunc('milliseconds', now()) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_pingpp_id_unique" UNIQUE("pingpp_id"),
	CONSTRAINT "orders_merchant_order_no_unique" UNIQUE("merchant_order_no"),
	CONSTRAINT "orders_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pingpp_id" text,
	"idempotency_key" text,
	"order_id" uuid,
	"charge_id" text NOT NULL,
	"amount" integer NOT NULL,
	"currency" text DEFAULT 'cny' NOT NULL,
	"description" text NOT NULL,
	"refund_mode" text,
	"royalty_users" jsonb,
	"funding_source" text,
	"status" "refund_status" NOT NULL,
	"time_succeed" timestamp with time zone,
	"transaction_no" text,
	"failure_code" text,
	"failure_msg" text,
	"created_by" uuid,
	"livemode" boolean DEFAULT false NOT NULL,
	"raw" jsonb,
	"created_at" timestamp with time zone DEFAULT date_trunc('milliseconds', now()) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refunds_pingpp_id_unique" UNIQUE("pingpp_id"),
	CONSTRAINT "refunds_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "royalty_settlements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pingpp_id" text,
	"idempotency_key" text,
	"payer_app" text NOT NULL,
	"method" text NOT NULL,
	"recipient_app" text,
	"status" "royalty_settlement_status" NOT NULL,
	"amount" integer DEFAULT 0 NOT NULL,
	"amount_succeeded" integer DEFAULT 0 NOT NULL,
	"amount_failed" integer DEFAULT 0 NOT NULL,
	"amount_canceled" integer DEFAULT 0 NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"count_succeeded" integer DEFAULT 0 NOT NULL,
	"count_failed" integer DEFAULT 0 NOT NULL,
	"count_canceled" integer DEFAULT 0 NOT NULL,
	"fee" integer DEFAULT 0 NOT NULL,
	"time_finished" timestamp with time zone,
	"livemode" boolean DEFAULT false NOT NULL,
	"params" jsonb,
	"action" text,
	"action_at" timestamp with time zone,
	"created_by" uuid,
	"raw" jsonb,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT date_trunc('milliseconds', now()) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "royalty_settlements_pingpp_id_unique" UNIQUE("pingpp_id"),
	CONSTRAINT "royalty_settlements_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "royalty_transactions" (
	"id" text PRIMARY KEY NOT NULL,
	"settlement_id" uuid NOT NULL,
	"amount" integer NOT NULL,
	"status" "royalty_transaction_status" NOT NULL,
	"settle_account" text,
	"source_user" text,
	"recipient_app" text,
	"failure_msg" text,
	"raw" jsonb,
	"created_at" timestamp with time zone DEFAULT date_trunc('milliseconds', now()) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "red_envelope_batch_rows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"batch_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"open_id" text NOT NULL,
	"amount" integer,
	"body" text,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "red_envelope_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"file_name" text NOT NULL,
	"send_name" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"description" text NOT NULL,
	"scene_id" text,
	"budget" integer NOT NULL,
	"row_count" integer NOT NULL,
	"invalid_count" integer NOT NULL,
	"total_amount" integer NOT NULL,
	"status" "red_envelope_batch_status" DEFAULT 'draft' NOT NULL,
	"created_by" uuid,
	"started_by" uuid,
	"started_by_email" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT date_trunc('milliseconds', now()) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "red_envelopes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pingpp_id" text,
	"order_no" text NOT NULL,
	"idempotency_key" text,
	"batch_id" uuid,
	"batch_line" integer,
	"app_id" text NOT NULL,
	"channel" text DEFAULT 'wx_pub' NOT NULL,
	"amount" integer NOT NULL,
	"currency" text DEFAULT 'cny' NOT NULL,
	"recipient" text NOT NULL,
	"send_name" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"description" text NOT NULL,
	"scene_id" text,
	"status" "red_envelope_status" NOT NULL,
	"transaction_no" text,
	"failure_msg" text,
	"received_at" timestamp with time zone,
	"refunded_at" timestamp with time zone,
	"livemode" boolean DEFAULT false NOT NULL,
	"raw" jsonb,
	"created_by" uuid,
	"attempted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT date_trunc('milliseconds', now()) NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "red_envelopes_pingpp_id_unique" UNIQUE("pingpp_id"),
	CONSTRAINT "red_envelopes_order_no_unique" UNIQUE("order_no"),
	CONSTRAINT "red_envelopes_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "attention_resolutions" (
	"kind" text NOT NULL,
	"object_id" text NOT NULL,
	"note" text NOT NULL,
	"resolved_by" uuid,
	"resolved_by_email" text NOT NULL,
	"resolved_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attention_resolutions_kind_object_id_pk" PRIMARY KEY("kind","object_id")
);
--> statement-breakpoint
ALTER TABLE "charges" DROP CONSTRAINT "charges_order_no_unique";--> statement-breakpoint
DROP INDEX "charges_created_idx";--> statement-breakpoint
DROP INDEX "charges_terminal_created_idx";--> statement-breakpoint
DROP INDEX "charges_creator_created_idx";--> statement-breakpoint
ALTER TABLE "charges" ALTER COLUMN "created_at" SET DEFAULT date_trunc('milliseconds', now());--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "royalty_transactions" ADD CONSTRAINT "royalty_transactions_settlement_id_royalty_settlements_id_fk" FOREIGN KEY ("settlement_id") REFERENCES "public"."royalty_settlements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "red_envelope_batch_rows" ADD CONSTRAINT "red_envelope_batch_rows_batch_id_red_envelope_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."red_envelope_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "red_envelopes" ADD CONSTRAINT "red_envelopes_batch_id_red_envelope_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."red_envelope_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "orders_status_created_idx" ON "orders" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "orders_terminal_created_idx" ON "orders" USING btree ("terminal_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_creator_created_idx" ON "orders" USING btree ("created_by","created_at");--> statement-breakpoint
CREATE INDEX "orders_uid_idx" ON "orders" USING btree ("uid");--> statement-breakpoint
CREATE INDEX "orders_charge_idx" ON "orders" USING btree ("charge_id");--> statement-breakpoint
CREATE INDEX "orders_charge_order_no_idx" ON "orders" USING btree ("charge_order_no");--> statement-breakpoint
CREATE INDEX "refunds_created_idx" ON "refunds" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "refunds_status_created_idx" ON "refunds" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "refunds_charge_idx" ON "refunds" USING btree ("charge_id");--> statement-breakpoint
CREATE INDEX "refunds_order_idx" ON "refunds" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "royalty_settlements_created_idx" ON "royalty_settlements" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "royalty_settlements_status_created_idx" ON "royalty_settlements" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "royalty_settlements_method_created_idx" ON "royalty_settlements" USING btree ("method","created_at");--> statement-breakpoint
CREATE INDEX "royalty_transactions_settlement_idx" ON "royalty_transactions" USING btree ("settlement_id");--> statement-breakpoint
CREATE INDEX "royalty_transactions_status_idx" ON "royalty_transactions" USING btree ("status");--> statement-breakpoint
CREATE INDEX "royalty_transactions_source_user_idx" ON "royalty_transactions" USING btree ("source_user");--> statement-breakpoint
CREATE UNIQUE INDEX "red_envelope_batch_rows_line_idx" ON "red_envelope_batch_rows" USING btree ("batch_id","line");--> statement-breakpoint
CREATE INDEX "red_envelope_batches_created_idx" ON "red_envelope_batches" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "red_envelope_batches_status_idx" ON "red_envelope_batches" USING btree ("status");--> statement-breakpoint
CREATE INDEX "red_envelopes_created_idx" ON "red_envelopes" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "red_envelopes_status_created_idx" ON "red_envelopes" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "red_envelopes_recipient_created_idx" ON "red_envelopes" USING btree ("recipient","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "red_envelopes_batch_line_idx" ON "red_envelopes" USING btree ("batch_id","batch_line");--> statement-breakpoint
CREATE INDEX "red_envelopes_attempted_idx" ON "red_envelopes" USING btree ("attempted_at");--> statement-breakpoint
CREATE INDEX "charges_transaction_no_idx" ON "charges" USING btree ("transaction_no");--> statement-breakpoint
CREATE INDEX "charges_order_no_idx" ON "charges" USING btree ("order_no");--> statement-breakpoint
CREATE INDEX "charges_channel_created_idx" ON "charges" USING btree ("channel","created_at","id");--> statement-breakpoint
CREATE INDEX "charges_created_idx" ON "charges" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "charges_terminal_created_idx" ON "charges" USING btree ("terminal_id","created_at","id");--> statement-breakpoint
CREATE INDEX "charges_creator_created_idx" ON "charges" USING btree ("created_by","created_at","id");