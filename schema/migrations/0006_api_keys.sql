-- Portal API keys (`crimemap key create|list|revoke`): a key lifts the per-address rate limit of
-- the JSON APIs to its own rate and burst. Only the SHA-256 of a key is stored (hashed by the CLI
-- and by crimemapd in-process): the plain key never reaches PostgreSQL or its logs. crimemapd
-- reloads the live keys every --api-key-refresh seconds, so a revoke takes effect within that.
CREATE TABLE api_keys (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),  -- a /metrics label
    key_hash     text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),        -- sha256 hex
    rate         double precision NOT NULL CHECK (rate >= 0),                      -- requests/s; 0 = unlimited
    burst        double precision NOT NULL CHECK (burst >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz   -- optional; crimemapd does not write it (its role only reads keys)
);
