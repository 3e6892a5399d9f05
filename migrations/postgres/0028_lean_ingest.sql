-- event_ids (the exactly-once key of events, see 0026) loses its foreign
-- key to tenants and compares ids by bytes. Ingestion writes every id into
-- it, so its per-row costs are ingestion's: the foreign key fired a lookup
-- of the tenant for every event (about as much as the insert itself; the
-- rows of events, written in the same statement, keep theirs, so no id can
-- name a tenant that does not exist), and the key compared ids under the
-- database's collation (strcoll) where only byte equality matters. Equality
-- under "C" is byte equality, as under every deterministic collation, so
-- no id that was distinct becomes a duplicate or the other way round.
ALTER TABLE event_ids DROP CONSTRAINT event_ids_tenant_id_fkey;
ALTER TABLE event_ids ALTER COLUMN tenant_id TYPE TEXT COLLATE "C";
ALTER TABLE event_ids ALTER COLUMN id TYPE TEXT COLLATE "C";
-- The rollup tables lose their foreign keys to rollup_series for the same
-- reason: every new rollup row (in the minute table, about one per event
-- when a customer's events are minutes apart) fired a lookup of its series.
-- Rollup rows are written only by the event store, for series it has just
-- read inside the same transaction (seriesFor), and series are never
-- deleted, so no row can name a missing series.
ALTER TABLE usage_rollups DROP CONSTRAINT usage_rollups_series_id_fkey;
ALTER TABLE usage_rollups_minute DROP CONSTRAINT usage_rollups_minute_series_id_fkey;
