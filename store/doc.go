// Package store opens Tally's database — PostgreSQL in production, an embedded
// SQLite file for the quick start and tests — and runs work in transactions.
// Both dialects hold the same data: decimals are numeric on Postgres and TEXT
// on SQLite, event timestamps are integer microseconds since the Unix epoch on
// both. Schema changes come only from the versioned SQL in package migrations.
package store
