CREATE TYPE "public"."charge_status" AS ENUM('creating', 'pending', 'expired', 'reversed', 'failed', 'paid');--> statement-breakpoint
CREATE TYPE "public"."event_status" AS ENUM('applied', 'ignored', 'failed');--> statement-breakpoint
CREATE TABLE "charges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pingpp_id" text,
	"order_no" text NOT NULL,
	"idempotency_key" text,
	"app_id" text NOT NULL,
	"channel" text NOT NULL,
	"amount" integer NOT NULL,
	"currency" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"status" charge_status NOT NULL,
	"amount_refunded" integer DEFAULT 0 NOT NULL,
	"refunded" boolean DEFAULT false NOT NULL,
	"terminal_id" text,
	"created_by" uuid,
	"qr_payload" text,
	"time_expire" timestamp with time zone,
	"time_paid" timestamp with time zone,
	"transaction_no" text,
	"failure_code" text,
	"failure_msg" text,
	"livemode" boolean DEFAULT false NOT NULL,
	"raw" jsonb,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "charges_pingpp_id_unique" UNIQUE("pingpp_id"),
	CONSTRAINT "charges_order_no_unique" UNIQUE("order_no"),
	CONSTRAINT "charges_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "pingpp_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"object_id" text,
	"livemode" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"first_received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"receive_count" integer DEFAULT 1 NOT NULL,
	"signature_verified" boolean NOT NULL,
	"payload" jsonb NOT NULL,
	"status" "event_status" NOT NULL,
	"result" text
);
--> statement-breakpoint
CREATE INDEX "charges_created_idx" ON "charges" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "charges_terminal_created_idx" ON "charges" USING btree ("terminal_id","created_at");--> statement-breakpoint
CREATE INDEX "charges_creator_created_idx" ON "charges" USING btree ("created_by","created_at");--> statement-breakpoint
CREATE INDEX "charges_status_created_idx" ON "charges" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "pingpp_events_type_idx" ON "pingpp_events" USING btree ("type","created_at");--> statement-breakpoint
CREATE INDEX "pingpp_events_object_idx" ON "pingpp_events" USING btree ("object_id");--> statement-breakpoint
CREATE INDEX "pingpp_events_received_idx" ON "pingpp_events" USING btree ("first_received_at");