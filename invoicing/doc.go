// Package invoicing turns a subscription's plan and usage into invoices:
// the live proposed invoice, and (with invoice runs) stored drafts and their
// lifecycle.
//
// Which lines an invoice holds (shared/spec/pricing.md):
//   - The invoice closing period P holds P's usage (in arrear), P's arrear
//     fixed fees, and the advance fixed fees of P+1 (unless the subscription
//     ends with P).
//   - A proposed invoice is that closing invoice computed early: usage
//     counted up to `at`, nothing stored.
//   - A fixed fee for a partial period is prorated by calendar days in the
//     customer's time zone (package customers/cycle).
//   - Each line is rated by plans/rating and rounded once to the currency;
//     the subtotal is the sum of rounded lines; total = subtotal − credits.
//
// An invoice run walks the tenant's subscriptions a page at a time
// (SetRunPageSize): it reads what a page needs in a few set-based queries,
// composes its drafts in memory and writes them in one transaction of
// multi-row inserts (run_page.go), drafting the next page while earlier
// ones are written (run_pipeline.go); one period can never be drafted
// twice (a unique key), and a page is stored whole or not at all. Credit
// grants draw at finalization (credits.go); the live credit balance is
// cached per customer (balance_cache.go); ExpireCredits records the
// expiries the tenant's now has passed, each with credits.expired in the
// same transaction (expiry.go).
package invoicing
