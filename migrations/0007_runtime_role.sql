-- 0007 runtime role: API, workers and relays run every statement as
-- courier_runtime, a role that owns nothing, is not a superuser and cannot bypass
-- row level security (RLS does not apply to superusers or table owners, so an ACL
-- policy would otherwise silently do nothing). Only migrations run as the owner.
--
-- Its table privileges are in sql/grants.sql, replayed by every `courier migrate`
-- after procrastinate's schema (whose tables it also needs).

-- Roles are cluster-wide: create it once. Unlike courier_auditor it is required,
-- so a migrator that may not create roles stops here with what to do instead.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'courier_runtime') THEN
        CREATE ROLE courier_runtime NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
        -- Only its creator may comment on it (ADMIN option): here, not for a role made earlier.
        COMMENT ON ROLE courier_runtime IS
            'Courier''s API, workers and relays: owns nothing, no superuser, no BYPASSRLS; granted only what they use (sql/grants.sql).';
    END IF;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'courier_runtime does not exist and % may not create roles', current_user
            USING HINT = 'As a superuser: CREATE ROLE courier_runtime NOLOGIN; GRANT courier_runtime TO '
                         || current_user || ' WITH SET TRUE; then run `courier migrate` again.';
    WHEN duplicate_object OR unique_violation THEN
        NULL;  -- another database of this cluster created it at the same moment
END
$$;

-- Processes connect with the migrator's URL and SET ROLE courier_runtime on every
-- new connection (app/db.py): the migrator must be allowed to. A superuser always
-- may; for any other migrator, grant it (PostgreSQL 16+: SET without INHERIT, so
-- the owner does not silently act with the runtime's rights or the reverse).
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, 'courier_runtime', 'SET') THEN
        EXECUTE format('GRANT courier_runtime TO %I WITH SET TRUE, INHERIT FALSE', current_user);
    END IF;
EXCEPTION
    WHEN insufficient_privilege THEN  -- the role was made by someone else
        RAISE EXCEPTION '% may not act as courier_runtime', current_user
            USING HINT = 'As a superuser: GRANT courier_runtime TO ' || current_user
                         || ' WITH SET TRUE; then run `courier migrate` again.';
END
$$;

-- Authentication without the key hashes. The runtime role has no privilege on
-- api_keys at all; it looks one key up through this function, which runs with the
-- owner's rights and returns only the principal of the key it was given, so a
-- leaked or injected query cannot list every hash.
CREATE FUNCTION courier_api_key_principal_v1(p_key_hash bytea)
RETURNS TABLE (principal_id uuid, tenant_id uuid, external_id text, acl_groups text[], roles text[], key_id text)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT p.id, p.tenant_id, p.external_id, p.acl_groups, p.roles, k.key_id
    FROM api_keys k
    JOIN principals p ON p.id = k.principal_id
    WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
$$;
COMMENT ON FUNCTION courier_api_key_principal_v1(bytea) IS
    'The principal of one live API key, given the SHA-256 of the key; the only way the runtime role reads api_keys.';
-- A SECURITY DEFINER function must not resolve names through a search_path its
-- caller controls: pin it to this schema (then pg_temp, last).
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION courier_api_key_principal_v1(bytea) SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE ALL ON FUNCTION courier_api_key_principal_v1(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION courier_api_key_principal_v1(bytea) TO courier_runtime;
