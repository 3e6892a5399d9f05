// Package jobs schedules Tally's background work with robfig/cron: invoice
// runs for every tenant, the finalization of drafts whose grace period has
// passed, and Stripe sync retries. It is a face, like the HTTP API: it
// decides when, and calls invoicing for what.
//
// Every job is safe to run twice (invoice runs and finalization are
// idempotent, Stripe sync uses idempotency keys). On Postgres a job takes a
// session advisory lock for as long as it runs, so when several servers
// share a database only one of them runs a given job at a time; the others
// skip that tick. On SQLite (one server) a process-local lock does the same.
// TALLY_SCHEDULER=off starts none of them.
package jobs
