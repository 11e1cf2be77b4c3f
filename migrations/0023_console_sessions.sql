-- 0023 web console sessions: an API key exchanged for a server-side session.
--
-- The console (/console, app/console/) signs a browser in with an API key and
-- then carries only a random session token in an HttpOnly cookie. Only the
-- SHA-256 of that token is stored, with the key_id of the key that opened it: the
-- key itself is never stored, and every request looks the session up together
-- with its key, so a session ends when it expires, when it is signed out
-- (deleted), and at once when its key is revoked (the lookup joins live keys only).
--
-- The runtime role reads api_keys through SECURITY DEFINER functions only (0007):
-- opening a session (given the key's hash) and resolving one (given the token's
-- hash) are two more such functions, so it still cannot list key hashes.

CREATE TABLE console_sessions (
    token_hash  bytea PRIMARY KEY,
    key_id      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    CONSTRAINT console_sessions_token_hash_length CHECK (octet_length(token_hash) = 32),
    CONSTRAINT console_sessions_expires_after_created CHECK (expires_at > created_at)
);
COMMENT ON TABLE console_sessions IS
    'Signed-in web console browsers: the SHA-256 of each session cookie, the API key it acts with, and when it ends; revoking the key ends its sessions.';
COMMENT ON COLUMN console_sessions.token_hash IS 'SHA-256 of the session token (the cookie holds the token; nothing here can be replayed as one).';
COMMENT ON COLUMN console_sessions.key_id IS 'The public key_id of the API key the session signed in with; the session acts with that key''s principal, roles and groups while it is live.';
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
CREATE INDEX console_sessions_key ON console_sessions (key_id);

-- Sign-in: a session for a live key, given the key's SHA-256 and the new token's.
-- Returns nothing for an unknown or revoked key, so no session is made.
CREATE FUNCTION courier_console_session_open_v1(p_key_hash bytea, p_token_hash bytea, p_ttl interval)
RETURNS TABLE (key_id text, expires_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER AS $$
    INSERT INTO console_sessions (token_hash, key_id, expires_at)
    SELECT p_token_hash, k.key_id, now() + p_ttl
    FROM api_keys k
    WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
    RETURNING console_sessions.key_id, console_sessions.expires_at
$$;
COMMENT ON FUNCTION courier_console_session_open_v1(bytea, bytea, interval) IS
    'Opens a console session for the live API key with this SHA-256; returns no row for an unknown or revoked key.';

-- Every console request: the principal of a live session whose key is live.
CREATE FUNCTION courier_console_session_principal_v1(p_token_hash bytea)
RETURNS TABLE (principal_id uuid, tenant_id uuid, external_id text, acl_groups text[], roles text[],
               key_id text, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT p.id, p.tenant_id, p.external_id, k.acl_groups, k.roles, k.key_id, s.expires_at
    FROM console_sessions s
    JOIN api_keys k ON k.key_id = s.key_id AND k.revoked_at IS NULL
    JOIN principals p ON p.id = k.principal_id
    WHERE s.token_hash = p_token_hash AND s.expires_at > now()
$$;
COMMENT ON FUNCTION courier_console_session_principal_v1(bytea) IS
    'The principal (with its key''s roles and groups) of a console session that has not expired and whose API key is live, given the SHA-256 of the session token.';

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION courier_console_session_open_v1(bytea, bytea, interval) SET search_path = %I, pg_temp',
                   current_schema());
    EXECUTE format('ALTER FUNCTION courier_console_session_principal_v1(bytea) SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE ALL ON FUNCTION courier_console_session_open_v1(bytea, bytea, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION courier_console_session_principal_v1(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION courier_console_session_open_v1(bytea, bytea, interval) TO courier_runtime;
GRANT EXECUTE ON FUNCTION courier_console_session_principal_v1(bytea) TO courier_runtime;

-- A job's model calls for its page in the console: the runtime role cannot read the
-- ledger (llm_calls), so it reads one job's calls (of one tenant) through this
-- function, which returns what a tenant may see of them and nothing else.
CREATE FUNCTION courier_job_llm_calls_v1(p_job_id uuid, p_tenant_id uuid)
RETURNS TABLE (attempt integer, step text, model text, prompt_version text, input_tokens integer,
               cached_input_tokens integer, output_tokens integer, reasoning_tokens integer,
               cost_usd numeric, latency_ms double precision, outcome text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT c.attempt, c.step, c.model, c.prompt_version, c.input_tokens, c.cached_input_tokens,
           c.output_tokens, c.reasoning_tokens, c.cost_usd, c.latency_ms, c.outcome, c.created_at
    FROM llm_calls c
    WHERE c.job_id = p_job_id AND c.tenant_id = p_tenant_id
    ORDER BY c.created_at, c.id
$$;
COMMENT ON FUNCTION courier_job_llm_calls_v1(uuid, uuid) IS
    'One job''s model calls (of one tenant), oldest first: tokens, cost, latency and outcome; how the runtime role shows them in the console without reading llm_calls.';
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION courier_job_llm_calls_v1(uuid, uuid) SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE ALL ON FUNCTION courier_job_llm_calls_v1(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION courier_job_llm_calls_v1(uuid, uuid) TO courier_runtime;
