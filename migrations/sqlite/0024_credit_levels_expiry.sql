-- Low-credit levels (issue 10): a tenant default and a per-customer level
-- of credits.low, each a JSON text {"percent": "20", "remaining": {"credits":
-- "500"}} (domain.LowCreditThreshold); NULL sets nothing (the next level down
-- applies: customer, tenant, then 20 %).
ALTER TABLE tenants ADD COLUMN low_credit_threshold TEXT;
ALTER TABLE customers ADD COLUMN low_credit_threshold TEXT;

-- An alert is sent once per crossing per billing period: the period it was
-- last sent in (start, unix microseconds; 0 without an open period).
ALTER TABLE credit_alerts ADD COLUMN period_start BIGINT NOT NULL DEFAULT 0;

-- credits.expired: the expiry of a grant's remaining credits is a stored
-- ledger entry, written with its outbox event; at most one per grant.
CREATE UNIQUE INDEX credit_ledger_expiry ON credit_ledger (grant_id) WHERE kind = 'expiry';
CREATE INDEX credit_grants_expires ON credit_grants (expires_at);
