-- Hourly usage rollups, maintained at ingestion. A series is one meter
-- narrowed by one set of price filters; its rows hold, per customer and
-- UTC hour, what count, sum, max and latest need. unique_count and
-- unit_days read raw events instead.
CREATE TABLE rollup_series (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    meter_id     TEXT NOT NULL REFERENCES meters(id),
    filters_key  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, meter_id, filters_key)
);

CREATE TABLE usage_rollups (
    series_id     TEXT NOT NULL REFERENCES rollup_series(id),
    customer      TEXT NOT NULL,
    bucket        BIGINT NOT NULL,
    event_count   BIGINT NOT NULL,
    sum_value     NUMERIC NOT NULL,
    max_value     NUMERIC,
    latest_ts     BIGINT,
    latest_id     TEXT,
    latest_value  NUMERIC,
    PRIMARY KEY (series_id, customer, bucket)
);
