-- Invoice runs that die, and invoices Stripe cannot take.
--
-- invoice_runs.heartbeat_at: when a running run last reported progress (it
-- is written at the start and after every page of subscriptions). A run
-- still 'running' whose heartbeat is older than the stale limit died with its
-- server; the next run of the tenant marks it 'abandoned', keeping its
-- counts. Rows from before this migration have none and count from
-- created_at.
ALTER TABLE invoice_runs ADD COLUMN heartbeat_at DATETIME;

-- invoices.stripe_sync_error: why the invoice cannot be sent to Stripe (an
-- amount that is not an integer of minor units within Stripe's limit);
-- NULL when it can. The pending-sync query skips invoices that have one;
-- recomputing or finalizing the invoice clears it, and a sync that finds the
-- amounts sendable clears it too.
ALTER TABLE invoices ADD COLUMN stripe_sync_error TEXT;
