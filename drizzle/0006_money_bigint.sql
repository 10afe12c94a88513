-- Every money column is bigint fen: an amount Ping++ sends above int4 (¥21,474,836.47) is stored
-- exactly instead of failing the webhook. The status trigger's WHEN names amount_refunded, and
-- Postgres refuses to change the type of a column a trigger definition uses: dropped and made
-- again around the change, exactly as 0004 made it.
DROP TRIGGER IF EXISTS charges_status_notify_update ON charges;--> statement-breakpoint
ALTER TABLE "charges" ALTER COLUMN "amount" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "charges" ALTER COLUMN "amount_refunded" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "amount" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "actual_amount" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "amount_paid" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "amount_refunded" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "refunds" ALTER COLUMN "amount" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "royalty_settlements" ALTER COLUMN "amount" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "royalty_settlements" ALTER COLUMN "amount_succeeded" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "royalty_settlements" ALTER COLUMN "amount_failed" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "royalty_settlements" ALTER COLUMN "amount_canceled" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "royalty_settlements" ALTER COLUMN "fee" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "royalty_transactions" ALTER COLUMN "amount" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "red_envelope_batch_rows" ALTER COLUMN "amount" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "red_envelope_batches" ALTER COLUMN "budget" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "red_envelope_batches" ALTER COLUMN "total_amount" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "red_envelopes" ALTER COLUMN "amount" SET DATA TYPE bigint;--> statement-breakpoint
CREATE TRIGGER charges_status_notify_update AFTER UPDATE ON charges
  FOR EACH ROW WHEN (
    OLD.status IS DISTINCT FROM NEW.status
    OR OLD.pingpp_id IS DISTINCT FROM NEW.pingpp_id
    OR OLD.qr_payload IS DISTINCT FROM NEW.qr_payload
    OR OLD.time_expire IS DISTINCT FROM NEW.time_expire
    OR OLD.time_paid IS DISTINCT FROM NEW.time_paid
    OR OLD.failure_msg IS DISTINCT FROM NEW.failure_msg
    OR OLD.refunded IS DISTINCT FROM NEW.refunded
    OR OLD.amount_refunded IS DISTINCT FROM NEW.amount_refunded
    OR OLD.terminal_id IS DISTINCT FROM NEW.terminal_id
    OR OLD.created_by IS DISTINCT FROM NEW.created_by
  ) EXECUTE FUNCTION charge_status_notify();
