-- Rollup rows gain a shard (see the Postgres file: concurrent writers fold
-- into shards of their own). SQLite has one writer and always writes shard
-- 0, but keeps the same key so that both schemas and the SQL stay one.
-- SQLite cannot change a primary key in place: the tables are rebuilt,
-- their rows kept as shard 0, with max_ts (the greatest timestamp counted
-- in a row, see the Postgres file) the last microsecond of their bucket.
CREATE TABLE usage_rollups_sharded (
    series_id     TEXT NOT NULL REFERENCES rollup_series(id),
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
INSERT INTO usage_rollups_sharded (series_id, customer, bucket, shard, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, max_ts)
    SELECT series_id, customer, bucket, 0, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, bucket + 3599999999 FROM usage_rollups;
DROP TABLE usage_rollups;
ALTER TABLE usage_rollups_sharded RENAME TO usage_rollups;
CREATE TABLE usage_rollups_minute_sharded (
    series_id     TEXT NOT NULL REFERENCES rollup_series(id),
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
INSERT INTO usage_rollups_minute_sharded (series_id, customer, bucket, shard, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, max_ts)
    SELECT series_id, customer, bucket, 0, event_count, sum_value, max_value, latest_ts, latest_id, latest_value, bucket + 59999999 FROM usage_rollups_minute;
DROP TABLE usage_rollups_minute;
ALTER TABLE usage_rollups_minute_sharded RENAME TO usage_rollups_minute;
