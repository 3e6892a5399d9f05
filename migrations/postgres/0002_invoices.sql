-- Stored invoices, their lines, invoice runs and per-tenant invoice numbers.
-- A database constraint, not luck, keeps one invoice per subscription,
-- reason and period start: concurrent runs insert with ON CONFLICT DO NOTHING.
CREATE TABLE invoices (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    number             TEXT,
    status             TEXT NOT NULL,
    billing_reason     TEXT NOT NULL,
    customer_id        TEXT NOT NULL REFERENCES customers(id),
    subscription_id    TEXT NOT NULL REFERENCES subscriptions(id),
    currency           TEXT NOT NULL,
    period_start       BIGINT NOT NULL,
    period_end         BIGINT NOT NULL,
    subtotal           NUMERIC NOT NULL,
    credits_applied    NUMERIC NOT NULL,
    total              NUMERIC NOT NULL,
    note               TEXT NOT NULL,
    run_id             TEXT,
    stripe_invoice_id  TEXT,
    stripe_synced_at   TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    finalized_at       TIMESTAMPTZ,
    UNIQUE (tenant_id, subscription_id, billing_reason, period_start),
    UNIQUE (tenant_id, number)
);
CREATE INDEX invoices_customer ON invoices (tenant_id, customer_id, id);
CREATE INDEX invoices_status ON invoices (tenant_id, status, id);

CREATE TABLE invoice_lines (
    invoice_id         TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    price_key          TEXT NOT NULL,
    type               TEXT NOT NULL,
    meter              TEXT NOT NULL,
    description        TEXT NOT NULL,
    quantity           NUMERIC NOT NULL,
    amount             NUMERIC NOT NULL,
    period_start       BIGINT NOT NULL,
    period_end         BIGINT NOT NULL,
    proration_days     INTEGER,
    proration_of_days  INTEGER,
    tiers              TEXT NOT NULL,
    PRIMARY KEY (invoice_id, position)
);

CREATE TABLE invoice_runs (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    as_of              TIMESTAMPTZ NOT NULL,
    status             TEXT NOT NULL,
    subscriptions      INTEGER NOT NULL,
    processed          INTEGER NOT NULL,
    invoices_created   INTEGER NOT NULL,
    invoices_existing  INTEGER NOT NULL,
    failed             TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    finished_at        TIMESTAMPTZ
);
CREATE INDEX invoice_runs_tenant ON invoice_runs (tenant_id, id);

CREATE TABLE invoice_counters (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id),
    last       BIGINT NOT NULL
);
