-- Minute rollups beside the hourly ones: a window reads hourly rows for its
-- whole hours, minute rows for the partial hours at its ends, and raw events
-- only for the partial minutes, so even a very busy month reads a few
-- hundred rows and events.
CREATE TABLE usage_rollups_minute (
    series_id     TEXT NOT NULL REFERENCES rollup_series(id),
    customer      TEXT NOT NULL,
    bucket        BIGINT NOT NULL,
    event_count   BIGINT NOT NULL,
    sum_value     TEXT NOT NULL,
    max_value     TEXT,
    latest_ts     BIGINT,
    latest_id     TEXT,
    latest_value  TEXT,
    PRIMARY KEY (series_id, customer, bucket)
);
