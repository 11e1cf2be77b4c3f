-- 0001 foundation: tenants, principals, API keys, jobs and their append-only event log.
--
-- The job lifecycle is enforced here, not in Python: a trigger checks every state
-- change against job_state_transitions, derives timestamps, bumps the version
-- (the HTTP ETag) and appends a gapless job_events row in the same transaction.

CREATE EXTENSION IF NOT EXISTS vector;

-- UUID version 7 (time-ordered) so primary keys double as a creation-order cursor.
-- PostgreSQL 18 has uuidv7(); this keeps PostgreSQL 16 and 17 supported.
CREATE FUNCTION courier_uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    placing substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;
COMMENT ON FUNCTION courier_uuid_v7() IS 'A random UUID version 7: 48 bits of Unix milliseconds, then random bits.';

CREATE TABLE tenants (
    id          uuid PRIMARY KEY DEFAULT courier_uuid_v7(),
    slug        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_slug_unique UNIQUE (slug),
    CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9_.-]{0,62}$')
);
COMMENT ON TABLE tenants IS 'Organisations using Courier; every tenant-owned row carries tenant_id.';

CREATE TABLE principals (
    id           uuid PRIMARY KEY DEFAULT courier_uuid_v7(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    external_id  text NOT NULL,
    acl_groups   text[] NOT NULL DEFAULT '{}',
    roles        text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT principals_external_id_unique UNIQUE (tenant_id, external_id),
    CONSTRAINT principals_external_id_format CHECK (length(external_id) BETWEEN 1 AND 200),
    CONSTRAINT principals_roles_known CHECK (roles <@ ARRAY['reviewer', 'admin']::text[])
);
COMMENT ON TABLE principals IS 'Users acting on behalf of a tenant: their ACL groups filter retrieval, their roles gate review and admin actions.';
COMMENT ON COLUMN principals.external_id IS 'The user id in the tenant''s own system.';

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY DEFAULT courier_uuid_v7(),
    key_id        text NOT NULL,
    key_hash      bytea NOT NULL,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    principal_id  uuid NOT NULL REFERENCES principals (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    CONSTRAINT api_keys_key_id_unique UNIQUE (key_id),
    CONSTRAINT api_keys_key_hash_unique UNIQUE (key_hash)
);
COMMENT ON TABLE api_keys IS 'Bearer keys. Only the SHA-256 of a key is stored; key_id is its public, loggable prefix.';

CREATE TYPE job_state AS ENUM (
    'queued', 'running', 'needs_review', 'succeeded', 'failed', 'cancelled', 'expired'
);

CREATE TABLE job_state_transitions (
    from_state  job_state NOT NULL,
    to_state    job_state NOT NULL,
    PRIMARY KEY (from_state, to_state)
);
COMMENT ON TABLE job_state_transitions IS 'Every state change a job may make; the jobs trigger refuses any other.';

INSERT INTO job_state_transitions (from_state, to_state) VALUES
    ('queued', 'running'),
    ('queued', 'cancelled'),
    ('queued', 'expired'),
    ('running', 'queued'),        -- a transient error: retried later
    ('running', 'succeeded'),
    ('running', 'needs_review'),
    ('running', 'failed'),
    ('running', 'cancelled'),
    ('running', 'expired'),
    ('needs_review', 'succeeded'),
    ('needs_review', 'failed');

CREATE FUNCTION courier_job_state_is_terminal(state job_state) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT state IN ('succeeded', 'failed', 'cancelled', 'expired')
$$;

CREATE TABLE jobs (
    id               uuid PRIMARY KEY DEFAULT courier_uuid_v7(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    requester_id     uuid NOT NULL REFERENCES principals (id),
    kind             text NOT NULL,
    input            jsonb,
    idempotency_key  text NOT NULL,
    request_hash     text NOT NULL,
    state            job_state NOT NULL DEFAULT 'queued',
    priority         smallint NOT NULL DEFAULT 0,
    queue            text NOT NULL DEFAULT 'jobs',
    attempt          integer NOT NULL DEFAULT 0,
    lease            uuid,
    queue_job_id     bigint,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at       timestamptz,
    finished_at      timestamptz,
    expires_at       timestamptz NOT NULL,
    result           jsonb,
    error            jsonb,
    model            text,
    prompt_version   text,
    input_tokens     integer NOT NULL DEFAULT 0,
    output_tokens    integer NOT NULL DEFAULT 0,
    cost_usd         numeric(14, 6) NOT NULL DEFAULT 0,
    version          bigint NOT NULL DEFAULT 1,
    last_event_seq   integer NOT NULL DEFAULT 0,
    replay_of        uuid REFERENCES jobs (id),
    callback_url     text,
    purged_at        timestamptz,
    CONSTRAINT jobs_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT jobs_idempotency_key_format CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    CONSTRAINT jobs_priority_range CHECK (priority BETWEEN -100 AND 100),
    CONSTRAINT jobs_running_has_lease CHECK (state <> 'running' OR lease IS NOT NULL),
    CONSTRAINT jobs_finished_iff_terminal CHECK (courier_job_state_is_terminal(state) = (finished_at IS NOT NULL)),
    CONSTRAINT jobs_succeeded_has_result CHECK (state NOT IN ('succeeded', 'needs_review') OR result IS NOT NULL OR purged_at IS NOT NULL),
    CONSTRAINT jobs_failed_has_error CHECK (state <> 'failed' OR error IS NOT NULL),
    CONSTRAINT jobs_input_kept_until_purged CHECK (input IS NOT NULL OR purged_at IS NOT NULL),
    CONSTRAINT jobs_expires_after_creation CHECK (expires_at > created_at)
);
COMMENT ON TABLE jobs IS 'One row per job: its request, its current state, its result or error, and its cost. History is in job_events.';
COMMENT ON COLUMN jobs.state IS 'queued, running, needs_review, succeeded, failed, cancelled or expired; changes only along job_state_transitions.';
COMMENT ON COLUMN jobs.lease IS 'Fencing token of the execution that owns the job; a completion must present it.';
COMMENT ON COLUMN jobs.attempt IS 'How many executions have started; each start takes a new lease.';
COMMENT ON COLUMN jobs.queue_job_id IS 'procrastinate_jobs.id of the queue entry that runs this job.';
COMMENT ON COLUMN jobs.request_hash IS 'SHA-256 of the normalised request body, compared when an Idempotency-Key is reused.';
COMMENT ON COLUMN jobs.version IS 'Bumped on every change; the HTTP ETag.';
COMMENT ON COLUMN jobs.last_event_seq IS 'seq of the newest job_events row of this job.';
COMMENT ON COLUMN jobs.purged_at IS 'When retention removed input and result; the audit columns stay.';

CREATE INDEX jobs_tenant_recent ON jobs (tenant_id, id DESC);
CREATE INDEX jobs_tenant_state_recent ON jobs (tenant_id, state, id DESC);
CREATE INDEX jobs_open_by_deadline ON jobs (expires_at) WHERE state IN ('queued', 'running');

CREATE TABLE job_events (
    job_id      uuid NOT NULL REFERENCES jobs (id),
    seq         integer NOT NULL,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    type        text NOT NULL,
    state       job_state NOT NULL,
    attempt     integer NOT NULL,
    data        jsonb NOT NULL DEFAULT '{}',
    actor       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (job_id, seq),
    CONSTRAINT job_events_seq_positive CHECK (seq > 0)
);
COMMENT ON TABLE job_events IS 'Append-only history of every job: one row per state change or note, seq gapless per job. Source of SSE replay and the audit trail.';
COMMENT ON COLUMN job_events.type IS 'The state entered (queued, running, ...) or a note type (e.g. progress).';
COMMENT ON COLUMN job_events.state IS 'The job state after this event.';
COMMENT ON COLUMN job_events.actor IS 'Who caused the event: a principal (principal:<id>), a worker (worker:<name>), or the database user.';
CREATE INDEX job_events_tenant_recent ON job_events (tenant_id, created_at);

-- Guards identity, terminal rows and leases; checks transitions; derives timestamps,
-- version and the next event number.
CREATE FUNCTION courier_jobs_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    unchanged jobs;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 'queued' THEN
            RAISE EXCEPTION 'a job starts queued, not %', NEW.state
                USING ERRCODE = 'check_violation', CONSTRAINT = 'job_state_transition';
        END IF;
        NEW.attempt := 0;
        NEW.lease := NULL;
        NEW.version := 1;
        NEW.last_event_seq := 1;
        RETURN NEW;
    END IF;

    IF (NEW.id, NEW.tenant_id, NEW.requester_id, NEW.kind, NEW.idempotency_key, NEW.request_hash, NEW.created_at, NEW.replay_of)
       IS DISTINCT FROM
       (OLD.id, OLD.tenant_id, OLD.requester_id, OLD.kind, OLD.idempotency_key, OLD.request_hash, OLD.created_at, OLD.replay_of) THEN
        RAISE EXCEPTION 'job % : who asked for what is fixed at intake', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'job_identity_immutable';
    END IF;

    IF NEW.state IS DISTINCT FROM OLD.state AND NOT EXISTS (
        SELECT 1 FROM job_state_transitions t WHERE t.from_state = OLD.state AND t.to_state = NEW.state
    ) THEN
        RAISE EXCEPTION 'illegal job state transition % -> % (job %)', OLD.state, NEW.state, OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'job_state_transition';
    END IF;

    -- A terminal job keeps its history; retention may only clear input and result.
    IF courier_job_state_is_terminal(OLD.state) THEN
        unchanged := NEW;
        unchanged.input := OLD.input;
        unchanged.result := OLD.result;
        unchanged.purged_at := OLD.purged_at;
        unchanged.updated_at := OLD.updated_at;
        unchanged.version := OLD.version;
        IF unchanged IS DISTINCT FROM OLD
           OR (NEW.input IS NOT NULL AND NEW.input IS DISTINCT FROM OLD.input)
           OR (NEW.result IS NOT NULL AND NEW.result IS DISTINCT FROM OLD.result) THEN
            RAISE EXCEPTION 'job % is % and cannot change', OLD.id, OLD.state
                USING ERRCODE = 'check_violation', CONSTRAINT = 'job_terminal_immutable';
        END IF;
    END IF;

    -- A result is written once.
    IF OLD.result IS NOT NULL AND NEW.result IS NOT NULL AND NEW.result IS DISTINCT FROM OLD.result THEN
        RAISE EXCEPTION 'job % already has a result', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'job_result_immutable';
    END IF;

    -- Every lease belongs to exactly one attempt: a new lease means a new execution.
    IF NEW.lease IS DISTINCT FROM OLD.lease AND NEW.attempt <> OLD.attempt + 1 THEN
        RAISE EXCEPTION 'job % : a new lease must start attempt %', OLD.id, OLD.attempt + 1
            USING ERRCODE = 'check_violation', CONSTRAINT = 'job_lease_per_attempt';
    END IF;
    IF NEW.attempt <> OLD.attempt AND (NEW.state <> 'running' OR NEW.lease IS NOT DISTINCT FROM OLD.lease) THEN
        RAISE EXCEPTION 'job % : an attempt starts running with a new lease', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'job_lease_per_attempt';
    END IF;

    IF NEW.state IS DISTINCT FROM OLD.state OR NEW.attempt <> OLD.attempt THEN
        NEW.last_event_seq := OLD.last_event_seq + 1;
        IF NEW.attempt <> OLD.attempt THEN
            NEW.started_at := clock_timestamp();
        END IF;
        IF courier_job_state_is_terminal(NEW.state) THEN
            NEW.finished_at := clock_timestamp();
        END IF;
    END IF;

    -- queue_job_id is bookkeeping of the queue, not a change a client can see.
    unchanged := NEW;
    unchanged.queue_job_id := OLD.queue_job_id;
    IF unchanged IS DISTINCT FROM OLD THEN
        NEW.version := OLD.version + 1;
        NEW.updated_at := clock_timestamp();
    END IF;
    RETURN NEW;
END
$$;

-- Appends the event of a state change (or of a new attempt) and notifies listeners at commit.
CREATE FUNCTION courier_jobs_after_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    reason text := nullif(current_setting('courier.reason', true), '');
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.state = OLD.state AND NEW.attempt = OLD.attempt THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.state = 'running' AND NEW.state = 'running' THEN
        reason := coalesce(reason, format('lease of attempt %s taken over', OLD.attempt));
    END IF;
    INSERT INTO job_events (job_id, seq, tenant_id, type, state, attempt, data, actor)
    VALUES (
        NEW.id, NEW.last_event_seq, NEW.tenant_id, NEW.state::text, NEW.state, NEW.attempt,
        jsonb_strip_nulls(jsonb_build_object(
            'reason', reason,
            'error', CASE WHEN NEW.state IN ('failed', 'queued') THEN NEW.error END
        )),
        coalesce(nullif(current_setting('courier.actor', true), ''), session_user)
    );
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_before_write BEFORE INSERT OR UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION courier_jobs_before_write();
CREATE TRIGGER jobs_after_write AFTER INSERT OR UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION courier_jobs_after_write();

CREATE FUNCTION courier_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_ARGV[0];
END
$$;

CREATE TRIGGER job_events_append_only BEFORE UPDATE OR DELETE ON job_events
    FOR EACH ROW EXECUTE FUNCTION courier_refuse_change('job_events_append_only');
CREATE TRIGGER jobs_history_kept BEFORE DELETE ON jobs
    FOR EACH ROW EXECUTE FUNCTION courier_refuse_change('jobs_history_kept');

-- Tells listeners (SSE fan-out, `courier up`) that a job has a new event; delivered at commit.
CREATE FUNCTION courier_job_events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('courier_job_events', json_build_object(
        'tenant_id', NEW.tenant_id, 'job_id', NEW.job_id, 'seq', NEW.seq, 'state', NEW.state
    )::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER job_events_notify AFTER INSERT ON job_events
    FOR EACH ROW EXECUTE FUNCTION courier_job_events_notify();
