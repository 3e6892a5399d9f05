-- Credits as a product (issue 10): grants gain applies_to, a payment gate
-- (usable_at; NULL while a purchase invoice is unpaid) and the purchase
-- invoice; invoice lines carry their price unit, their amount in it and what
-- credit paid of them; a credit purchase is an invoice without a
-- subscription; credit_ledger is the append-only history every balance is
-- derived from.
-- Grants made before this migration paid whole subtotals: they keep 'all'.
ALTER TABLE credit_grants ADD COLUMN applies_to TEXT NOT NULL DEFAULT 'all';
ALTER TABLE credit_grants ADD COLUMN usable_at BIGINT;
ALTER TABLE credit_grants ADD COLUMN price TEXT;
ALTER TABLE credit_grants ADD COLUMN purchase_invoice_id TEXT REFERENCES invoices(id);
UPDATE credit_grants SET usable_at = CAST(strftime('%s', created_at) AS INTEGER) * 1000000;
CREATE INDEX credit_grants_purchase ON credit_grants (purchase_invoice_id);

-- invoices.subscription_id became nullable in 0009 (its table rebuild).

ALTER TABLE invoice_lines ADD COLUMN price_unit TEXT NOT NULL DEFAULT '';
ALTER TABLE invoice_lines ADD COLUMN unit_amount TEXT;
ALTER TABLE invoice_lines ADD COLUMN conversion_rate TEXT;
ALTER TABLE invoice_lines ADD COLUMN credits_applied TEXT NOT NULL DEFAULT '0';
ALTER TABLE invoice_lines ADD COLUMN credit_units TEXT NOT NULL DEFAULT '0';

-- kind: grant (+), draw (−, by invoice), release (+, a voided invoice gives
-- its draw back), void (−, what was left of a voided grant). Expiry is not
-- stored: it is what is left of a grant once its expires_at has passed.
CREATE TABLE credit_ledger (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    grant_id     TEXT NOT NULL REFERENCES credit_grants(id),
    unit         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    invoice_id   TEXT REFERENCES invoices(id),
    units        TEXT NOT NULL,
    amount       TEXT,
    at           BIGINT NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX credit_ledger_customer ON credit_ledger (tenant_id, customer_id, at, id);
CREATE INDEX credit_ledger_grant ON credit_ledger (grant_id);

-- History of grants made before the ledger existed. Decimals are TEXT here:
-- units are copied as stored, and the money value (amount) is left NULL
-- rather than computed in floating point; readers derive it from the grant.
INSERT INTO credit_ledger (id, tenant_id, customer_id, grant_id, unit, kind, invoice_id, units, amount, at, created_at)
SELECT 'cle_0grant' || g.id, g.tenant_id, g.customer_id, g.id, g.unit, 'grant', NULL, g.amount, NULL, g.usable_at, g.created_at FROM credit_grants g;
INSERT INTO credit_ledger (id, tenant_id, customer_id, grant_id, unit, kind, invoice_id, units, amount, at, created_at)
SELECT 'cle_1draw' || a.grant_id || a.invoice_id, g.tenant_id, g.customer_id, g.id, g.unit, 'draw', a.invoice_id, '-' || a.units, '-' || a.amount,
       CAST(strftime('%s', a.created_at) AS INTEGER) * 1000000, a.created_at
FROM credit_applications a JOIN credit_grants g ON g.id = a.grant_id;
INSERT INTO credit_ledger (id, tenant_id, customer_id, grant_id, unit, kind, invoice_id, units, amount, at, created_at)
SELECT 'cle_2void' || g.id, g.tenant_id, g.customer_id, g.id, g.unit, 'void', NULL, '-' || g.remaining, NULL,
       CAST(strftime('%s', g.voided_at) AS INTEGER) * 1000000, g.voided_at FROM credit_grants g WHERE g.voided_at IS NOT NULL;
