-- Stripe sync state (package invoicing/stripesync). A row is written before
-- each Stripe create (an intent) and completed when Stripe answers, so a sync
-- that stopped half-way resumes without making anything twice.
-- stripe_customers: the Stripe customer of each Tally customer
-- (stripe_customer_id is empty while its creation is in flight).
CREATE TABLE stripe_customers (
    customer_id         TEXT PRIMARY KEY REFERENCES customers(id),
    tenant_id           TEXT NOT NULL REFERENCES tenants(id),
    stripe_customer_id  TEXT NOT NULL,
    created_at          DATETIME NOT NULL
);

-- stripe_invoices: the Stripe invoice of each Tally invoice. pending is true
-- from the start of a sync until it completes; finalized_at is when the
-- Stripe copy was finalized.
CREATE TABLE stripe_invoices (
    invoice_id          TEXT PRIMARY KEY REFERENCES invoices(id) ON DELETE CASCADE,
    tenant_id           TEXT NOT NULL REFERENCES tenants(id),
    stripe_invoice_id   TEXT,
    pending             BOOLEAN NOT NULL,
    finalized_at        DATETIME,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
CREATE UNIQUE INDEX stripe_invoices_stripe_id ON stripe_invoices (stripe_invoice_id);
CREATE INDEX stripe_invoices_pending ON stripe_invoices (pending, invoice_id);

-- stripe_invoice_items: the Stripe invoice item of each invoice line, by
-- position. stripe_item_id is empty while a create is in flight or after the
-- line went away; generation grows each time a position's item is deleted
-- (its next item gets a fresh idempotency key), revision with each update;
-- dirty marks an update whose outcome is unknown.
CREATE TABLE stripe_invoice_items (
    invoice_id      TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    stripe_item_id  TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL,
    description     TEXT NOT NULL,
    generation      INTEGER NOT NULL,
    revision        INTEGER NOT NULL,
    dirty           BOOLEAN NOT NULL,
    updated_at      DATETIME NOT NULL,
    PRIMARY KEY (invoice_id, position)
);

-- stripe_events: webhook events already applied (a replay does nothing).
CREATE TABLE stripe_events (
    id           TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    received_at  DATETIME NOT NULL
);

-- stripe_payment_failures: invoice.payment_failed events. The invoice stays
-- finalized (Stripe retries the payment); this is the record of each failure.
CREATE TABLE stripe_payment_failures (
    event_id           TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    invoice_id         TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    stripe_invoice_id  TEXT NOT NULL,
    attempt_count      INTEGER NOT NULL,
    amount_due_minor   BIGINT NOT NULL,
    next_attempt_at    DATETIME,
    received_at        DATETIME NOT NULL
);
CREATE INDEX stripe_payment_failures_invoice ON stripe_payment_failures (tenant_id, invoice_id);
