-- Equality of event values is now JSON value equality decided in Go
-- (meters.Value: 1e2 = 100, "caf\u00e9" = "café", "1" <> 1), and latest ties
-- go to the greater id by bytes. Rollup series were keyed by filters compared
-- as text, and their rows were built with the old equality (and, on
-- Postgres, latest ties by the database collation). They are a cache of the
-- events: drop them; a series is created and backfilled from the stored
-- events the first time a price needs it (meters.Service.Quantity).
-- Stored meter and price filters are not rewritten: their old form is read
-- back by meters.DecodeFilters (a stored "1" matches the string and the
-- number, as it did).
DELETE FROM usage_rollups_minute;
DELETE FROM usage_rollups;
DELETE FROM rollup_series;
