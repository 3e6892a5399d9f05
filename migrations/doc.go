// Package migrations holds Tally's schema as versioned SQL files, one folder
// per dialect (postgres/, sqlite/), embedded in the binary. Apply runs the
// files not yet recorded in schema_migrations, in version order, each in its
// own transaction; on Postgres an advisory lock keeps two starting servers
// from migrating at once. Files are never edited once released: a change is a
// new file with the next number, written for both dialects.
package migrations
