-- Low-credit alerts (package budgets): one row per alert sent and not yet
-- re-armed, per customer, credit unit and kind (credits.low, credits.exhausted).
-- The primary key makes each alert's event (written in the same transaction)
-- once per crossing; the row is deleted when the balance rises back above the
-- level (a new grant), so the next crossing reports again.
CREATE TABLE credit_alerts (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    unit         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, unit, kind)
);
