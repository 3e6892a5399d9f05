-- event_ids loses its foreign key to tenants (see the Postgres file: the
-- per-row lookup was a cost of every ingested event; the rows of events,
-- written with it, keep theirs). SQLite compares TEXT by bytes already. It
-- cannot drop a constraint in place: the table is rebuilt, its rows kept.
CREATE TABLE event_ids_lean (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    ts         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO event_ids_lean (tenant_id, id, ts) SELECT tenant_id, id, ts FROM event_ids;
DROP TABLE event_ids;
ALTER TABLE event_ids_lean RENAME TO event_ids;
-- The rollup tables lose their foreign keys to rollup_series (see the
-- Postgres file), rebuilt the same way, their rows kept.
CREATE TABLE usage_rollups_lean (
    series_id     TEXT NOT NULL,
    customer      TEXT NOT NULL,
    bucket        BIGINT NOT NULL,
    shard         INTEGER NOT NULL DEFAULT 0,
    event_count   BIGINT NOT NULL,
    sum_value     TEXT NOT NULL,
    max_value     TEXT,
    latest_ts     BIGINT,
    latest_id     TEXT,
    latest_value  TEXT,
    max_ts        BIGINT NOT NULL,
    PRIMARY KEY (series_id, customer, bucket, shard)
);
INSERT INTO usage_rollups_lean (series_id, customer, bucket, shard, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, max_ts) SELECT series_id, customer, bucket, shard, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, max_ts FROM usage_rollups;
DROP TABLE usage_rollups;
ALTER TABLE usage_rollups_lean RENAME TO usage_rollups;
CREATE TABLE usage_rollups_minute_lean (
    series_id     TEXT NOT NULL,
    customer      TEXT NOT NULL,
    bucket        BIGINT NOT NULL,
    shard         INTEGER NOT NULL DEFAULT 0,
    event_count   BIGINT NOT NULL,
    sum_value     TEXT NOT NULL,
    max_value     TEXT,
    latest_ts     BIGINT,
    latest_id     TEXT,
    latest_value  TEXT,
    max_ts        BIGINT NOT NULL,
    PRIMARY KEY (series_id, customer, bucket, shard)
);
INSERT INTO usage_rollups_minute_lean (series_id, customer, bucket, shard, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, max_ts) SELECT series_id, customer, bucket, shard, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, max_ts FROM usage_rollups_minute;
DROP TABLE usage_rollups_minute;
ALTER TABLE usage_rollups_minute_lean RENAME TO usage_rollups_minute;
