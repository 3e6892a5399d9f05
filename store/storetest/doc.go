// Package storetest gives tests a fresh, migrated Tally database on each
// store: an SQLite file in a temp folder, and a schema of its own on the
// PostgreSQL server named by TALLY_TEST_POSTGRES_URL (default: the local
// server's "test" database). Outside CI a missing Postgres skips its half of a
// test with a message saying how to enable it; with CI=true it fails.
package storetest
