-- Budgets (package budgets; api.md, "Credits, balances and key modes").
-- A spend budget (meter '') watches the customer's proposed invoice total;
-- a usage budget one meter's quantity in the open billing period. limit_value
-- is the amount or quantity; thresholds the comma-separated percentages.
CREATE TABLE budgets (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    meter        TEXT NOT NULL,
    limit_value  NUMERIC NOT NULL,
    period       TEXT NOT NULL,
    thresholds   TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX budgets_customer ON budgets (tenant_id, customer_id);

-- One row per threshold crossed in a period: the primary key makes the
-- budget.threshold_reached event (written in the same transaction) exactly
-- once per (budget, period, threshold), however many evaluators race.
CREATE TABLE budget_crossings (
    budget_id     TEXT NOT NULL REFERENCES budgets(id),
    period_start  BIGINT NOT NULL,
    threshold     INTEGER NOT NULL,
    event_id      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (budget_id, period_start, threshold)
);
