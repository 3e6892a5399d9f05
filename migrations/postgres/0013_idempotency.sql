-- Idempotency keys of POST requests (package idempotency; api.md,
-- "Idempotent requests"). One row per caller and key: written when the first
-- request with the key starts (status NULL: in progress) and completed with
-- the reply to replay. owner is the caller's API key id, or "root" for the
-- root key (which has no api_keys row, hence no foreign key). method, path
-- and body_hash (hex SHA-256 of the canonical body) are the fingerprint a
-- retry must match. created_at is Unix microseconds on the service clock,
-- so that expiry (24 h) and pruning compare integers on both dialects.
CREATE TABLE idempotency_keys (
    owner            TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    method           TEXT NOT NULL,
    path             TEXT NOT NULL,
    body_hash        TEXT NOT NULL,
    status           INTEGER,
    content_type     TEXT NOT NULL,
    response_body    BYTEA,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (owner, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
