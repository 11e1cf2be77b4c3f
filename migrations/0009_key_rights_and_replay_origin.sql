-- 0009 a key's rights are its own, and a replay records who asked for it.
--
-- Roles and ACL groups move from the principal to the key. They lived on
-- principals, and every `courier keys create` for a user replaced them, so issuing
-- an admin key also made the user's existing keys admin (and a reviewer key
-- demoted them). A key's roles and groups are now fixed when it is made. Each
-- existing key keeps what its user has at this migration.

ALTER TABLE api_keys
    ADD COLUMN acl_groups text[] NOT NULL DEFAULT '{}',
    ADD COLUMN roles text[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT api_keys_roles_known CHECK (roles <@ ARRAY['reviewer', 'admin']::text[]);
COMMENT ON COLUMN api_keys.acl_groups IS 'ACL groups of requests made with this key; fixed when the key is made.';
COMMENT ON COLUMN api_keys.roles IS 'Roles of this key (reviewer, admin); fixed when the key is made: issuing another key to the same user never changes it.';

UPDATE api_keys k SET acl_groups = p.acl_groups, roles = p.roles
FROM principals p
WHERE p.id = k.principal_id;

COMMENT ON COLUMN principals.acl_groups IS 'Superseded by api_keys.acl_groups (0008): only courier_api_key_principal_v1 reads it.';
COMMENT ON COLUMN principals.roles IS 'Superseded by api_keys.roles (0008): only courier_api_key_principal_v1 reads it.';

-- What a key is, whom it acts for and what it may do never change; only revoked_at does.
CREATE FUNCTION courier_api_keys_rights_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'API key % : its user, roles and groups are fixed when it is made (revoke it and create another)',
        OLD.key_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'api_keys_rights_fixed';
END
$$;
CREATE TRIGGER api_keys_rights_fixed BEFORE UPDATE ON api_keys
    FOR EACH ROW
    WHEN ((NEW.key_id, NEW.key_hash, NEW.tenant_id, NEW.principal_id, NEW.acl_groups, NEW.roles, NEW.created_at)
          IS DISTINCT FROM
          (OLD.key_id, OLD.key_hash, OLD.tenant_id, OLD.principal_id, OLD.acl_groups, OLD.roles, OLD.created_at))
    EXECUTE FUNCTION courier_api_keys_rights_fixed();

-- Authentication returns the key's own roles and groups. v1 (the principal's) stays
-- for processes of the previous release during a deploy.
CREATE FUNCTION courier_api_key_principal_v2(p_key_hash bytea)
RETURNS TABLE (principal_id uuid, tenant_id uuid, external_id text, acl_groups text[], roles text[], key_id text)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT p.id, p.tenant_id, p.external_id, k.acl_groups, k.roles, k.key_id
    FROM api_keys k
    JOIN principals p ON p.id = k.principal_id
    WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
$$;
COMMENT ON FUNCTION courier_api_key_principal_v2(bytea) IS
    'The principal of one live API key with that key''s roles and groups, given the SHA-256 of the key; the only way the runtime role reads api_keys.';
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION courier_api_key_principal_v2(bytea) SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE ALL ON FUNCTION courier_api_key_principal_v2(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION courier_api_key_principal_v2(bytea) TO courier_runtime;

-- Who asked for a replay: a principal (POST /v1/jobs/{id}/replay), or an operator's
-- `courier backfill` run, named by its batch. A batch replays each original at most
-- once; that uniqueness is its own, so no Idempotency-Key a tenant chooses can
-- pre-empt or collide with it.
ALTER TABLE jobs
    ADD COLUMN replayed_by_id uuid REFERENCES principals (id),
    ADD COLUMN backfill_batch text,
    ADD CONSTRAINT jobs_backfill_batch_format CHECK (length(backfill_batch) BETWEEN 1 AND 200),
    ADD CONSTRAINT jobs_replay_origin CHECK (
        (replayed_by_id IS NULL AND backfill_batch IS NULL)
        OR (replay_of IS NOT NULL AND (replayed_by_id IS NULL) <> (backfill_batch IS NULL))
    );
COMMENT ON COLUMN jobs.replayed_by_id IS 'For a replay made over the API: the principal who asked for it (principals.id); NULL otherwise.';
COMMENT ON COLUMN jobs.backfill_batch IS 'For a replay made by `courier backfill`: its batch (--batch, default the kind''s prompt version); NULL otherwise.';
CREATE UNIQUE INDEX jobs_backfill_once ON jobs (replay_of, backfill_batch) WHERE backfill_batch IS NOT NULL;

-- Replays made before this migration: their queued event names who asked (its actor).
-- A backfill's Idempotency-Key was 'backfill:<batch>:<original id>'. This is
-- bookkeeping of the past, not a change of the jobs: the jobs trigger (which refuses
-- any change to a finished job and would bump versions) stays out of it.
ALTER TABLE jobs DISABLE TRIGGER jobs_before_write;
UPDATE jobs j
SET replayed_by_id = p.id
FROM job_events e
JOIN principals p ON e.actor = 'principal:' || p.id::text
WHERE j.replay_of IS NOT NULL AND e.job_id = j.id AND e.seq = 1 AND p.tenant_id = j.tenant_id;
UPDATE jobs j
SET backfill_batch = substr(j.idempotency_key, 10, length(j.idempotency_key) - 9 - 37)
FROM job_events e
WHERE j.replay_of IS NOT NULL AND e.job_id = j.id AND e.seq = 1 AND e.actor = 'cli:backfill'
  AND j.idempotency_key LIKE 'backfill:%'
  AND j.idempotency_key LIKE '%:' || j.replay_of::text
  AND length(j.idempotency_key) BETWEEN 9 + 1 + 37 AND 9 + 200 + 37;
ALTER TABLE jobs ENABLE TRIGGER jobs_before_write;

-- Who asked for what is fixed at intake (as requester_id and replay_of are, 0001).
CREATE FUNCTION courier_jobs_replay_origin_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'job % : who asked for what is fixed at intake', OLD.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'job_identity_immutable';
END
$$;
CREATE TRIGGER jobs_replay_origin_fixed BEFORE UPDATE OF replayed_by_id, backfill_batch ON jobs
    FOR EACH ROW
    WHEN ((NEW.replayed_by_id, NEW.backfill_batch) IS DISTINCT FROM (OLD.replayed_by_id, OLD.backfill_batch))
    EXECUTE FUNCTION courier_jobs_replay_origin_fixed();
