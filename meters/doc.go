// Package meters owns meters (the metered features of a tenant), usage
// events, their deduplication and storage, and the aggregation of a meter's
// events into a quantity over a half-open period.
//
// Rules kept here (see shared/spec/pricing.md):
//   - An event counts for a meter when its event_name is the meter's and, for
//     every property the meter's filters name, its value is one of the listed
//     values, equal as JSON values (see Value: 100 is 1e2, "caf\u00e9" is
//     "café", the string "1" is not the number 1), computed in Go so that
//     both stores and every read path agree.
//   - A meter that reads a field (sum, max, latest, unit_days) rejects, at
//     ingestion, an event it would count whose field is missing or not a
//     decimal; such an event is never counted as zero.
//   - latest ties on one timestamp go to the greater event id by bytes
//     (UTF-8), never by a database collation (see order.go), on every path.
//   - unit_days and daily usage series count the calendar days of the
//     customer's zone, through package calendar.
//   - The same event id in a tenant is stored once, whatever its payload: the
//     first wins, even when two requests race (a primary key decides).
//   - Events for a customer external_id that does not exist yet are stored and
//     count once the customer is created.
//
// Where events live is an EventStore (eventstore.go), which states these
// guarantees as its contract; Service validates and delegates to it. The SQL
// store (sqlstore.go and the sql*/rollup* files, one dialect value for what
// SQLite and Postgres do differently) is the one NewService uses; package
// meters/eventstoretest is the conformance suite every store must pass.
//
// Growing tables (the SQL store): an event's id goes first into event_ids,
// keyed (tenant_id, id), which decides exactly-once; only the winners go
// into events, keyed (tenant_id, ts, id). On Postgres events is partitioned
// by UTC month (partitions.go): the store creates a batch's missing
// partitions before its transaction, and ArchiveEventsBefore detaches the
// months of finalized periods, after which ingestion rejects their events
// on their timestamp. Rollup rows carry a shard (shards.go): concurrent
// writers of one process fold into different rows of a bucket instead of
// queueing on one row lock, and every read merges a bucket's shards.
package meters
