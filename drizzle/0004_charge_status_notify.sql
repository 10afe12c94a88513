-- Live status (DESIGN rule 5): every change of what a status poll or a customer display shows
-- notifies channel charge_status, inside the transaction that makes it (Postgres delivers it on
-- commit, never for a rolled-back change). Payload: {"id": <our charge id>, "t": <terminal or null>}.
-- One trigger instead of a pg_notify in each code path: webhooks, syncs, reversals, refunds,
-- a failed create and a terminal reassignment all reach it.
CREATE OR REPLACE FUNCTION charge_status_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('charge_status', json_build_object('id', NEW.id, 't', NEW.terminal_id)::text);
  IF TG_OP = 'UPDATE' AND OLD.terminal_id IS NOT NULL AND OLD.terminal_id IS DISTINCT FROM NEW.terminal_id THEN
    PERFORM pg_notify('charge_status', json_build_object('id', NEW.id, 't', OLD.terminal_id)::text);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS charges_status_notify_insert ON charges;
--> statement-breakpoint
CREATE TRIGGER charges_status_notify_insert AFTER INSERT ON charges
  FOR EACH ROW WHEN (NEW.status <> 'creating') EXECUTE FUNCTION charge_status_notify();
--> statement-breakpoint
DROP TRIGGER IF EXISTS charges_status_notify_update ON charges;
--> statement-breakpoint
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
