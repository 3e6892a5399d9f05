// Package demo seeds a demo tenant — the meters and plans of the shared
// billing scenarios plus EUR and JPY ones, customers in several time zones
// and currencies, their usage from the start of last month up to now, and
// the invoices of the periods that have ended (one finalized) — and runs
// `tally demo`: a server on a fresh embedded database holding that tenant.
package demo
