-- Tokens get an expiry, a last use and scopes; the audit log says who asked (client address,
-- User-Agent, request id) and records refused attempts too; crimemapd gets its own role,
-- crimemap_server, which can read what it serves and write only the team tables.
--
-- token_hash keeps its format: lowercase hex SHA-256 of the token's UTF-8 bytes, which is what
-- the old `encode(sha256(convert_to(token, 'UTF8')), 'hex')` stored and what core::sha256_hex
-- computes in the process now. Tokens issued before this migration keep working (for a year).

ALTER TABLE api_tokens
    ADD COLUMN expires_at   timestamptz,
    ADD COLUMN last_used_at timestamptz,   -- at most once a minute per token (see team_repository.cpp)
    ADD COLUMN scopes       text[] NOT NULL DEFAULT ARRAY['priorities', 'events'];
UPDATE api_tokens SET expires_at = now() + interval '1 year' WHERE expires_at IS NULL;
ALTER TABLE api_tokens
    ALTER COLUMN expires_at SET DEFAULT now() + interval '1 year',
    ALTER COLUMN expires_at SET NOT NULL,
    ADD CONSTRAINT api_tokens_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT api_tokens_scopes_known CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['priorities', 'events']);

-- outcome: 'ok' (a write; before/after hold the change) or 'unauthorized' / 'forbidden' (a refused
-- attempt: no change, token_id when the token was found, reason = the message answered).
-- Never the token itself.
ALTER TABLE audit_log
    ADD COLUMN outcome          text NOT NULL DEFAULT 'ok',
    ADD COLUMN status           smallint,          -- HTTP status answered
    ADD COLUMN reason           text,
    ADD COLUMN force_id         text,              -- the target of the request
    ADD COLUMN neighbourhood_id text,
    ADD COLUMN client_address   text,
    ADD COLUMN user_agent       text,
    ADD COLUMN request_id       text,              -- also sent back as X-Request-Id and logged
    ADD CONSTRAINT audit_log_outcome_known CHECK (outcome IN ('ok', 'unauthorized', 'forbidden')),
    ADD CONSTRAINT audit_log_bounded CHECK (length(user_agent) <= 256 AND length(client_address) <= 64
        AND length(request_id) <= 64 AND length(reason) <= 200 AND length(force_id) <= 100
        AND length(neighbourhood_id) <= 100);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- The server's role and everything it may do, in one place. `crimemap migrate` calls this after
-- every run (not only now), so tables added by later migrations are covered even when another
-- role created them, and a cluster restored without the role gets it back. Later migrations that
-- change what the server may write replace this function.
CREATE OR REPLACE FUNCTION crimemap_grant_server_role() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    obj text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crimemap_server') THEN
        BEGIN
            -- No password: trust on a private cluster; `crimemap migrate` sets one from
            -- CRIMEMAP_SERVER_PASSWORD where connections need it (compose).
            CREATE ROLE crimemap_server LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'cannot create the crimemap_server role: run crimemap migrate as a role with CREATEROLE once, or CREATE ROLE crimemap_server LOGIN';
        END;
    ELSIF EXISTS (SELECT FROM pg_roles WHERE rolname = 'crimemap_server' AND (rolsuper OR rolbypassrls)) THEN
        RAISE WARNING 'crimemap_server is a superuser or bypasses row security: least privilege does not hold';
    END IF;

    -- PUBLIC may connect by default; say it for this role too where we own the database.
    IF pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE') THEN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO crimemap_server', current_database());
    END IF;
    GRANT USAGE ON SCHEMA public TO crimemap_server;
    -- Read everything it serves (token hashes included: it looks them up) and call the schema
    -- functions. Only what this role owns, extensions' objects (PostGIS) aside: those keep their
    -- own grants (SELECT and EXECUTE to PUBLIC), and granting on them would only warn.
    FOR obj IN SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND pg_has_role(c.relowner, 'USAGE')
                 AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('GRANT SELECT ON %s TO crimemap_server', obj);
    END LOOP;
    FOR obj IN SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = 'public' AND pg_has_role(p.proowner, 'USAGE') AND p.proname <> 'crimemap_grant_server_role'
                 AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO crimemap_server', obj);
    END LOOP;
    -- ... write the team tables ...
    GRANT INSERT, UPDATE, DELETE ON neighbourhood_priorities, neighbourhood_events TO crimemap_server;
    GRANT USAGE ON SEQUENCE neighbourhood_priorities_id_seq, neighbourhood_events_id_seq, audit_log_id_seq TO crimemap_server;
    -- ... append to the audit log, never read (client addresses), change or remove it ...
    REVOKE ALL ON audit_log FROM crimemap_server;
    GRANT INSERT ON audit_log TO crimemap_server;
    -- ... and note a token's last use, nothing else of a token.
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON api_tokens FROM crimemap_server;
    GRANT UPDATE (last_used_at) ON api_tokens TO crimemap_server;
    -- Only the owner re-runs this.
    REVOKE EXECUTE ON FUNCTION crimemap_grant_server_role() FROM PUBLIC, crimemap_server;

    -- Tables and functions created later by the role running the migrations are readable and
    -- callable at once (writes still need an explicit grant in this function).
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO crimemap_server;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO crimemap_server;
END;
$$;

SELECT crimemap_grant_server_role();
