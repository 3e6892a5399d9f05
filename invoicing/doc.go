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
// An invoice run walks the tenant's subscriptions a page at a time and, on
// Postgres, drafts RunWorkers of them at once (run_workers.go): each draft
// waits on its commits, and one period can never be drafted twice. Credit
// grants draw at finalization (credits.go); the live credit balance is
// cached per customer (balance_cache.go); ExpireCredits records the
// expiries the tenant's now has passed, each with credits.expired in the
// same transaction (expiry.go).
package invoicing
