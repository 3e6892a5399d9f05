-- Portal tokens (package tenants; api.md, "Customer portal"): short-lived,
-- read-only keys for one customer's /v1/portal/* routes and pages. Only the
-- SHA-256 hash of a token is kept; revoked_at set or expires_at passed (on
-- the tenant's clock) refuses it.
CREATE TABLE portal_tokens (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    customer_id   TEXT NOT NULL REFERENCES customers(id),
    token_hash    TEXT NOT NULL UNIQUE,
    token_prefix  TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    expires_at    DATETIME NOT NULL,
    revoked_at    DATETIME
);
CREATE INDEX portal_tokens_customer ON portal_tokens (tenant_id, customer_id, id);
