-- Outbound webhooks (package webhooks; api.md, "Outbound webhooks").
-- webhook_endpoints: where a tenant wants events sent. events is the
-- comma-separated list of event types it subscribes to. secret is the HMAC
-- key that signs every delivery (Tally-Signature); it must be readable to
-- sign, so it is stored as given to the caller (the API shows it once, never
-- again); whoever can read this table can sign as Tally for that endpoint.
-- Times are Unix microseconds on the service clock (a test clock moves them).
CREATE TABLE webhook_endpoints (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    url          TEXT NOT NULL,
    description  TEXT NOT NULL,
    events       TEXT NOT NULL,
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, id);

-- webhook_events is the outbox: one row per event, written in the same
-- transaction as the change it reports, with the exact JSON body every
-- delivery sends. customer_id ('' when none) is what ordering is stated by.
CREATE TABLE webhook_events (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    type         TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX webhook_events_tenant ON webhook_events (tenant_id, created_at, id);

-- webhook_deliveries: one row per (event, subscribed endpoint), written with
-- the event. status: pending (next_attempt_at says when), delivered, failed
-- (no 2xx by give_up_at, at least 24 h after it was created or redelivered).
-- A dispatcher claims a due row by moving next_attempt_at ahead (a lease),
-- so a dispatcher that dies mid-attempt leaves it due again.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_id         TEXT NOT NULL REFERENCES webhook_events(id),
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    give_up_at       BIGINT NOT NULL,
    last_attempt_at  BIGINT,
    last_status      INTEGER,
    last_error       TEXT NOT NULL,
    delivered_at     BIGINT,
    created_at       BIGINT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
