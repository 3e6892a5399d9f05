-- tally:foreign-keys-off
-- The test clock, a subscription's grid anchor, customers'
-- time-zone history, and regenerated invoices. (The marker above makes the
-- runner turn SQLite's foreign keys off around this file, as SQLite's
-- documented table rebuild requires, and check them afterwards.)
CREATE TABLE test_clocks (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id),
    now_us      BIGINT NOT NULL,
    updated_at  DATETIME NOT NULL
);

ALTER TABLE subscriptions ADD COLUMN anchor_at DATETIME;

CREATE TABLE customer_timezone_changes (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    changed_us     BIGINT NOT NULL,
    seq            INTEGER NOT NULL,
    from_timezone  TEXT NOT NULL,
    to_timezone    TEXT NOT NULL,
    PRIMARY KEY (customer_id, seq)
);

-- SQLite cannot drop a table constraint: rebuild invoices with the unique
-- slot as a partial index (void invoices excluded) and subscription_id
-- nullable.
CREATE TABLE invoices_new (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    number             TEXT,
    status             TEXT NOT NULL,
    billing_reason     TEXT NOT NULL,
    customer_id        TEXT NOT NULL REFERENCES customers(id),
    subscription_id    TEXT REFERENCES subscriptions(id),
    currency           TEXT NOT NULL,
    period_start       BIGINT NOT NULL,
    period_end         BIGINT NOT NULL,
    subtotal           TEXT NOT NULL,
    credits_applied    TEXT NOT NULL,
    total              TEXT NOT NULL,
    note               TEXT NOT NULL,
    run_id             TEXT,
    stripe_invoice_id  TEXT,
    stripe_synced_at   DATETIME,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    finalized_at       DATETIME,
    replaces           TEXT,
    replaced_by        TEXT,
    UNIQUE (tenant_id, number)
);
INSERT INTO invoices_new (id, tenant_id, number, status, billing_reason, customer_id, subscription_id, currency,
    period_start, period_end, subtotal, credits_applied, total, note, run_id, stripe_invoice_id, stripe_synced_at,
    created_at, updated_at, finalized_at)
SELECT id, tenant_id, number, status, billing_reason, customer_id, subscription_id, currency,
    period_start, period_end, subtotal, credits_applied, total, note, run_id, stripe_invoice_id, stripe_synced_at,
    created_at, updated_at, finalized_at FROM invoices;
DROP TABLE invoices;
ALTER TABLE invoices_new RENAME TO invoices;
CREATE INDEX invoices_customer ON invoices (tenant_id, customer_id, id);
CREATE INDEX invoices_status ON invoices (tenant_id, status, id);
CREATE UNIQUE INDEX invoices_period_slot ON invoices (tenant_id, subscription_id, billing_reason, period_start) WHERE status <> 'void';
CREATE INDEX invoices_subscription ON invoices (tenant_id, subscription_id, billing_reason, period_start);
