-- The test clock, a subscription's grid anchor, customers'
-- time-zone history, and regenerated invoices.
--
-- test_clocks: a tenant's "now" while TALLY_TEST_CLOCK=on (micros, UTC).
CREATE TABLE test_clocks (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id),
    now_us      BIGINT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- anchor_at: where the period grid is anchored when not at the billing
-- start (a plan change's successor keeps its predecessor's grid).
ALTER TABLE subscriptions ADD COLUMN anchor_at TIMESTAMPTZ;

-- A customer's time-zone changes, oldest first: from changed_us on,
-- periods not yet begun follow to_timezone (pricing.md, Periods).
CREATE TABLE customer_timezone_changes (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    changed_us     BIGINT NOT NULL,
    seq            INTEGER NOT NULL,
    from_timezone  TEXT NOT NULL,
    to_timezone    TEXT NOT NULL,
    PRIMARY KEY (customer_id, seq)
);

-- At most one invoice per (subscription, reason, period start) is not void:
-- a void one may be replaced by regenerate, linked both ways. Credit
-- purchases (billing_reason manual) belong to no subscription.
ALTER TABLE invoices DROP CONSTRAINT invoices_tenant_id_subscription_id_billing_reason_period_st_key;
ALTER TABLE invoices ALTER COLUMN subscription_id DROP NOT NULL;
ALTER TABLE invoices ADD COLUMN replaces TEXT;
ALTER TABLE invoices ADD COLUMN replaced_by TEXT;
CREATE UNIQUE INDEX invoices_period_slot ON invoices (tenant_id, subscription_id, billing_reason, period_start) WHERE status <> 'void';
CREATE INDEX invoices_subscription ON invoices (tenant_id, subscription_id, billing_reason, period_start);
