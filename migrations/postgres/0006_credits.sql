-- Prepaid credit grants of customers and what each invoice drew from them.
CREATE TABLE credit_grants (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    customer_id      TEXT NOT NULL REFERENCES customers(id),
    name             TEXT NOT NULL,
    unit             TEXT NOT NULL,
    conversion_rate  NUMERIC NOT NULL,
    amount           NUMERIC NOT NULL,
    remaining        NUMERIC NOT NULL,
    priority         INTEGER NOT NULL,
    expires_at       BIGINT,
    created_at       TIMESTAMPTZ NOT NULL,
    voided_at        TIMESTAMPTZ
);
CREATE INDEX credit_grants_customer ON credit_grants (tenant_id, customer_id);

CREATE TABLE credit_applications (
    invoice_id  TEXT NOT NULL REFERENCES invoices(id),
    grant_id    TEXT NOT NULL REFERENCES credit_grants(id),
    units       NUMERIC NOT NULL,
    amount      NUMERIC NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (invoice_id, grant_id)
);
