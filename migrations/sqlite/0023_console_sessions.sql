-- Admin console sessions (package web/console). The cookie holds a random
-- session id; only its SHA-256 (id_hash) is stored, never the id nor the
-- admin key the session was opened with (api_key_id names it, so revoking
-- the key ends its sessions). Times are Unix milliseconds on the process
-- clock: created_at, last_seen_at (idle expiry) and expires_at (absolute).
CREATE TABLE console_sessions (
    id_hash       TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    api_key_id    TEXT NOT NULL REFERENCES api_keys(id),
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX console_sessions_key ON console_sessions (api_key_id);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
