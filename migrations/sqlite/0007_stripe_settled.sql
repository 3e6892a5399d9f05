-- When a Tally invoice is voided, paid out of band or marked uncollectible,
-- its Stripe copy follows; settled_at records that it did.
ALTER TABLE stripe_invoices ADD COLUMN settled_at DATETIME;
