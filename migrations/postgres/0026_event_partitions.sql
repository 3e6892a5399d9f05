-- events becomes a table partitioned by month of ts (native declarative
-- partitioning, RANGE on ts in UTC microseconds), so that old months can
-- be detached and archived once their periods are finalized while rollups
-- and invoices stay (meters/partitions.go; docs/scaling.md).
--
-- A unique constraint of a partitioned table must hold its partition key,
-- so events' key becomes (tenant_id, ts, id) and the exactly-once rule
-- (one event per tenant and id, whatever its timestamp) moves to event_ids,
-- keyed (tenant_id, id): ingestion inserts there first (ON CONFLICT DO
-- NOTHING RETURNING id decides which writer wins) and stores only the
-- winners in events. The key also serves listing order, so events_time
-- goes. event_partitions records every monthly partition, and when it was
-- archived (detached). Partitions are created ahead of the events that
-- need them, by the store, before each batch's transaction.
ALTER TABLE events RENAME TO events_before_0026;
ALTER TABLE events_before_0026 RENAME CONSTRAINT events_pkey TO events_before_0026_pkey;
ALTER INDEX events_customer_time RENAME TO events_before_0026_customer_time;
DROP INDEX events_time;
CREATE TABLE event_ids (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    id         TEXT NOT NULL,
    ts         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE event_partitions (
    name         TEXT PRIMARY KEY,
    range_start  BIGINT NOT NULL,
    range_end    BIGINT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    archived_at  TIMESTAMPTZ
);
CREATE TABLE events (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    id           TEXT NOT NULL,
    event_name   TEXT NOT NULL,
    customer     TEXT NOT NULL,
    ts           BIGINT NOT NULL,
    properties   JSONB NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, ts, id)
) PARTITION BY RANGE (ts);
CREATE INDEX events_customer_time ON events (tenant_id, customer, event_name, ts);
-- One partition per month that holds events already (statements inside
-- the block end their lines without a semicolon: the migration runner
-- splits statements at line ends).
DO $$
DECLARE m TIMESTAMP
; lo BIGINT
; hi BIGINT
; BEGIN
  FOR m IN SELECT DISTINCT date_trunc('month', to_timestamp(ts / 1000000.0) AT TIME ZONE 'UTC') FROM events_before_0026 LOOP
    lo := (extract(epoch FROM m) * 1000000)::BIGINT
    ; hi := (extract(epoch FROM m + INTERVAL '1 month') * 1000000)::BIGINT
    ; EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)', 'events_p' || to_char(m, 'YYYYMM'), lo, hi)
    ; INSERT INTO event_partitions (name, range_start, range_end, created_at) VALUES ('events_p' || to_char(m, 'YYYYMM'), lo, hi, now())
  ; END LOOP
; END $$;
INSERT INTO event_ids (tenant_id, id, ts) SELECT tenant_id, id, ts FROM events_before_0026;
INSERT INTO events (tenant_id, id, event_name, customer, ts, properties, received_at)
    SELECT tenant_id, id, event_name, customer, ts, properties, received_at FROM events_before_0026;
DROP TABLE events_before_0026;
