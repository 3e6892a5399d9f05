// Package tenants owns tenants and their API keys. A tenant is one Tally
// customer (a company billing its own users); every other row belongs to
// exactly one tenant and every query is scoped to it.
//
// Keys are shown once, at creation, and stored only as a SHA-256 hash: a
// lookup by hash finds the row and a constant-time comparison confirms it.
// Admin keys may do everything inside their tenant; ingest keys may only send
// events. Revoked keys stop working at once.
//
// Portal tokens are a third kind of key, bound to one customer: read-only
// access to its /v1/portal/* routes and pages, for a TTL (default 24h, at
// most 30 days) on the tenant's clock, hashed and revocable like keys.
package tenants
