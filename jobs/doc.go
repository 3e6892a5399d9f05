// Package jobs schedules Tally's background work with robfig/cron: invoice
// runs for every tenant, the finalization of drafts whose grace period has
// passed, the expiry of credit grants (credits.expired), and Stripe sync
// retries. It is a face, like the HTTP API: it decides when, and calls
// invoicing for what. With test clocks on (TALLY_TEST_CLOCK=on), the
// per-tenant jobs (invoice runs, finalization, expiries) read each
// tenant's test clock as its now; otherwise every tenant is on real time.
//
// Every job is safe to run twice (invoice runs, finalization and expiries
// are idempotent, Stripe sync uses idempotency keys). On Postgres a job takes a
// session advisory lock for as long as it runs, so when several servers
// share a database only one of them runs a given job at a time; the others
// skip that tick. On SQLite (one server) a process-local lock does the same.
// TALLY_SCHEDULER=off starts none of them.
package jobs
