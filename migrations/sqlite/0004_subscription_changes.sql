-- Cancellations and plan changes. end_reason says why ends_at is set
-- (cancel or plan_change); cancel_prorate asks for a credit of the unused
-- advance fee; a subscription started by a plan change names its
-- predecessor, and skip_start_invoice says its first fee sits on the
-- predecessor's plan_change invoice.
ALTER TABLE subscriptions ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE subscriptions ADD COLUMN cancel_prorate BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE subscriptions ADD COLUMN previous_subscription_id TEXT;
ALTER TABLE subscriptions ADD COLUMN skip_start_invoice BOOLEAN NOT NULL DEFAULT FALSE;
