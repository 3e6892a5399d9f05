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
