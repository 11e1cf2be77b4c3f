-- 0004 operations: per-tenant rate limits and retention, indexes for a large
-- history, and the read-only auditor role.

-- Per-tenant overrides; NULL means "the deployment's default" (settings).
ALTER TABLE tenants
    ADD COLUMN rate_limit_per_second double precision,
    ADD COLUMN rate_limit_burst integer,
    ADD COLUMN retention_days integer,
    ADD CONSTRAINT tenants_rate_limit_positive CHECK (rate_limit_per_second IS NULL OR rate_limit_per_second > 0),
    ADD CONSTRAINT tenants_rate_limit_burst_positive CHECK (rate_limit_burst IS NULL OR rate_limit_burst >= 1),
    ADD CONSTRAINT tenants_retention_days_positive CHECK (retention_days IS NULL OR retention_days >= 1);
COMMENT ON COLUMN tenants.rate_limit_per_second IS 'Job submissions per second this tenant may sustain; NULL: the default (COURIER_RATE_LIMIT_PER_SECOND).';
COMMENT ON COLUMN tenants.rate_limit_burst IS 'Submissions this tenant may make at once after being idle; NULL: the default (COURIER_RATE_LIMIT_BURST).';
COMMENT ON COLUMN tenants.retention_days IS 'Days after a job finishes before its input and result are purged; NULL: the default (COURIER_RETENTION_DAYS).';

-- A token bucket per tenant. One short UPDATE per submission, in its own
-- transaction before the intake transaction, so the row lock is held for
-- microseconds, not for the whole intake.
CREATE TABLE tenant_rate_buckets (
    tenant_id    uuid PRIMARY KEY REFERENCES tenants (id),
    tokens       double precision NOT NULL,
    refilled_at  timestamptz NOT NULL
);
COMMENT ON TABLE tenant_rate_buckets IS 'Intake token bucket per tenant: tokens left at refilled_at; refilled at the tenant''s rate, up to its burst.';

-- Takes one token from the tenant's bucket if it has one. Returns whether the
-- submission is allowed and, if not, how many seconds until a token is back.
CREATE FUNCTION courier_rate_limit_take_v1(
    p_tenant_id uuid, p_default_rate double precision, p_default_burst integer, p_now timestamptz
) RETURNS TABLE (allowed boolean, retry_after_seconds double precision, tokens_left double precision)
LANGUAGE plpgsql AS $$
DECLARE
    v_rate   double precision;
    v_burst  integer;
    v_tokens double precision;
    v_at     timestamptz;
BEGIN
    SELECT coalesce(t.rate_limit_per_second, p_default_rate), coalesce(t.rate_limit_burst, p_default_burst)
    INTO v_rate, v_burst
    FROM tenants t WHERE t.id = p_tenant_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no tenant %', p_tenant_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF v_rate IS NULL OR v_rate <= 0 THEN
        RETURN QUERY SELECT true, 0::double precision, NULL::double precision;  -- no limit configured
        RETURN;
    END IF;

    INSERT INTO tenant_rate_buckets (tenant_id, tokens, refilled_at)
    VALUES (p_tenant_id, v_burst, p_now)
    ON CONFLICT (tenant_id) DO NOTHING;
    SELECT b.tokens, b.refilled_at INTO v_tokens, v_at
    FROM tenant_rate_buckets b WHERE b.tenant_id = p_tenant_id
    FOR UPDATE;

    -- A clock that steps back refills nothing rather than draining the bucket.
    v_tokens := least(v_burst, v_tokens + greatest(0, extract(epoch FROM p_now - v_at)) * v_rate);
    v_at := greatest(v_at, p_now);
    IF v_tokens >= 1 THEN
        UPDATE tenant_rate_buckets SET tokens = v_tokens - 1, refilled_at = v_at WHERE tenant_id = p_tenant_id;
        RETURN QUERY SELECT true, 0::double precision, v_tokens - 1;
    ELSE
        UPDATE tenant_rate_buckets SET tokens = v_tokens, refilled_at = v_at WHERE tenant_id = p_tenant_id;
        RETURN QUERY SELECT false, (1 - v_tokens) / v_rate, v_tokens;
    END IF;
END
$$;
COMMENT ON FUNCTION courier_rate_limit_take_v1(uuid, double precision, integer, timestamptz) IS
    'Token bucket: take one intake token for a tenant (allowed), or say how long until one is available.';

-- Retention finds the finished, not yet purged jobs of each tenant oldest first;
-- the index shrinks as jobs are purged, so it stays small however long the history.
CREATE INDEX jobs_purge_due ON jobs (tenant_id, finished_at)
    WHERE finished_at IS NOT NULL AND purged_at IS NULL;
-- stuck_jobs and the metrics read open jobs by age without scanning the history.
CREATE INDEX jobs_open_by_update ON jobs (updated_at) WHERE state IN ('queued', 'running');
-- job_cost_daily, job_latency and dead_letters read finished jobs by time.
CREATE INDEX jobs_finished_at ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- The auditor reads the documented views (sql/views.sql grants them) and no
-- table: not API key hashes, not job inputs or results. Roles are cluster-wide,
-- so create it only once; a database user without CREATEROLE skips it (a DBA
-- can create the role later and re-run `courier migrate` for the grants).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'courier_auditor') THEN
        CREATE ROLE courier_auditor NOLOGIN;
    END IF;
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE NOTICE 'courier_auditor not created: this user may not create roles';
    WHEN duplicate_object OR unique_violation THEN
        NULL;  -- another database of this cluster created it at the same moment
END
$$;
