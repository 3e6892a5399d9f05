-- Rollup rows gain a shard: concurrent ingest transactions of one customer
-- (or of customers sharing hours) each fold their batch into a shard of
-- their own instead of queueing on one row lock per (series, customer,
-- bucket) until the other commits. Readers merge every row of a bucket, as
-- they merge hours and minutes, so a bucket's partial is the merge of its
-- shards; existing rows become shard 0.
--
-- They also gain max_ts, the greatest timestamp counted in the row, so that
-- a window ending inside a minute (a live preview ends at now) can take the
-- minute's rollup instead of reading its raw events when none of them lies
-- at or after the end. Existing rows get their bucket's last microsecond,
-- which never allows that shortcut wrongly.
ALTER TABLE usage_rollups ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_rollups DROP CONSTRAINT usage_rollups_pkey;
ALTER TABLE usage_rollups ADD PRIMARY KEY (series_id, customer, bucket, shard);
ALTER TABLE usage_rollups_minute ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_rollups_minute DROP CONSTRAINT usage_rollups_minute_pkey;
ALTER TABLE usage_rollups_minute ADD PRIMARY KEY (series_id, customer, bucket, shard);
ALTER TABLE usage_rollups ADD COLUMN max_ts BIGINT;
UPDATE usage_rollups SET max_ts = bucket + 3599999999;
ALTER TABLE usage_rollups ALTER COLUMN max_ts SET NOT NULL;
ALTER TABLE usage_rollups_minute ADD COLUMN max_ts BIGINT;
UPDATE usage_rollups_minute SET max_ts = bucket + 59999999;
ALTER TABLE usage_rollups_minute ALTER COLUMN max_ts SET NOT NULL;
