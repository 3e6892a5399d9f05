-- A subscription's optional external id (api.md, "Customers and
-- subscriptions"): the caller's own name for it, as Lago's, Stripe's and
-- Flexprice's. Unique in the tenant when set; NULL when not (NULLs never
-- clash in a unique index). The compatibility routes attribute Lago events
-- by it (external_subscription_id).
ALTER TABLE subscriptions ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX subscriptions_external_id ON subscriptions (tenant_id, external_id);
