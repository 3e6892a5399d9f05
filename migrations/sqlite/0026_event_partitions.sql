-- The same shape as on Postgres (see its file), where events is
-- partitioned by month: events keyed (tenant_id, ts, id), exactly-once by
-- (tenant_id, id) in event_ids, and event_partitions. SQLite has no
-- partitions: event_partitions stays empty, archiving is refused, and the
-- one SQL of the event store (event_ids first, then the winners in
-- events) runs unchanged. The table is rebuilt, as SQLite cannot change a
-- primary key in place.
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
    created_at   DATETIME NOT NULL,
    archived_at  DATETIME
);
CREATE TABLE events_partitioned (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    id           TEXT NOT NULL,
    event_name   TEXT NOT NULL,
    customer     TEXT NOT NULL,
    ts           BIGINT NOT NULL,
    properties   TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, ts, id)
);
INSERT INTO event_ids (tenant_id, id, ts) SELECT tenant_id, id, ts FROM events;
INSERT INTO events_partitioned (tenant_id, id, event_name, customer, ts, properties, received_at)
    SELECT tenant_id, id, event_name, customer, ts, properties, received_at FROM events;
DROP TABLE events;
ALTER TABLE events_partitioned RENAME TO events;
CREATE INDEX events_customer_time ON events (tenant_id, customer, event_name, ts);
