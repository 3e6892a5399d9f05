// Package stripesync mirrors Tally's invoices in Stripe and applies Stripe's
// invoice webhooks back to them.
//
// Each Tally customer gets one Stripe customer (created with Tally's ids in
// its metadata; or linked: one found by email that already carries them, or
// one named with LinkCustomer); each draft or
// finalized invoice with a non-zero total gets one Stripe draft invoice with
// one invoice item per line (amounts in the currency's minor units), and
// finalizing in Tally finalizes the Stripe copy. Zero-total invoices are
// recorded in Tally but never sent.
//
// Exactly once. Every create call carries an idempotency key derived from
// Tally's ids ("tally-cus-<customer>", "tally-inv-<invoice>",
// "tally-ii-<invoice>-<position>", "tally-fin-<invoice>"), and what was done is
// written to this package's tables (stripe_customers, stripe_invoices,
// stripe_invoice_items) as soon as Stripe answers, with an intent row written
// before each create. A sync that stops half-way (a crash, a timeout, Stripe
// down) resumes where it stopped: done lines are skipped, a call whose answer
// was lost is repeated with the same key (Stripe answers with the object it
// already made), and, when the Stripe invoice already existed, its items are
// listed first and matched by metadata (tally_invoice_id,
// tally_line_position, tally_line_generation), so that even a key Stripe has
// forgotten (keys live 24 hours) does not duplicate an item. Lines that
// changed since the last sync (a draft recomputed) update their item; lines
// that disappeared delete theirs.
//
// Failures. Each call waits for a token-bucket rate limiter and is retried
// with exponential backoff and jitter on timeouts, connection errors, 409
// (lock or idempotency-in-progress), 429 and 5xx, unless Stripe answers
// Stripe-Should-Retry: false. stripe-go's own retries are switched off so that
// Config.MaxRetries is the one number that counts.
//
// Webhooks. HandleWebhook checks the Stripe-Signature header with the
// endpoint secret and applies invoice.paid / invoice.payment_succeeded
// (paid), invoice.voided (void) and invoice.marked_uncollectible
// (uncollectible). invoice.payment_failed is recorded in
// stripe_payment_failures and logged; the Tally invoice stays finalized,
// since Stripe keeps retrying the payment. Events are deduplicated by id, a
// transition to the status an invoice already has is a no-op, and unknown
// events, unknown invoices and moves the lifecycle forbids (a late event) are
// acknowledged and ignored, so that Stripe does not retry them for days.
//
// Without STRIPE_API_KEY the Syncer is disabled: Sync answers a
// stripe_disabled conflict, SyncPending does nothing and invoices stay
// unsynced.
package stripesync
