-- Tenants, keys, catalog, customers, subscriptions and events.
CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    key_prefix  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);

CREATE TABLE meters (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    key                TEXT NOT NULL,
    name               TEXT NOT NULL,
    event_name         TEXT NOT NULL,
    aggregation_type   TEXT NOT NULL,
    aggregation_field  TEXT NOT NULL,
    filters            TEXT NOT NULL,
    unit               TEXT NOT NULL,
    archived_at        TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, key)
);
CREATE INDEX meters_event ON meters (tenant_id, event_name);

CREATE TABLE plans (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    key          TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    currency     TEXT NOT NULL,
    interval     TEXT NOT NULL,
    archived_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, key)
);

CREATE TABLE prices (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    plan_id          TEXT NOT NULL REFERENCES plans(id),
    position         INTEGER NOT NULL,
    key              TEXT NOT NULL,
    type             TEXT NOT NULL,
    model            TEXT NOT NULL,
    meter_id         TEXT REFERENCES meters(id),
    amount           NUMERIC,
    package_size     NUMERIC,
    rounding         TEXT NOT NULL,
    tier_mode        TEXT NOT NULL,
    tiers            TEXT NOT NULL,
    free_units       NUMERIC NOT NULL,
    minimum_amount   NUMERIC,
    filters          TEXT NOT NULL,
    cadence          TEXT NOT NULL,
    price_unit       TEXT NOT NULL,
    conversion_rate  NUMERIC,
    UNIQUE (plan_id, key)
);
CREATE INDEX prices_meter ON prices (tenant_id, meter_id);

CREATE TABLE customers (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    external_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    currency     TEXT NOT NULL,
    timezone     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, external_id)
);

CREATE TABLE subscriptions (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    plan_id        TEXT NOT NULL REFERENCES plans(id),
    start_at       TIMESTAMPTZ NOT NULL,
    billing_cycle  TEXT NOT NULL,
    trial_days     INTEGER NOT NULL,
    trial_end      TIMESTAMPTZ,
    ends_at        TIMESTAMPTZ,
    canceled_at    TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX subscriptions_customer ON subscriptions (tenant_id, customer_id);
CREATE INDEX subscriptions_plan ON subscriptions (tenant_id, plan_id);

CREATE TABLE events (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    id           TEXT NOT NULL,
    event_name   TEXT NOT NULL,
    customer     TEXT NOT NULL,
    ts           BIGINT NOT NULL,
    properties   JSONB NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_customer_time ON events (tenant_id, customer, event_name, ts);
CREATE INDEX events_time ON events (tenant_id, ts, id);
