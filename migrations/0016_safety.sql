-- 0016 safety: an output a guard or a suspected injection holds for review is kept
-- apart from the result, so nothing that reads a job's result (the job JSON, webhooks,
-- SSE, the cache) can deliver it before a reviewer decides; the reasons and the
-- injection flags are recorded on the job (app/safety/, tasks/execution.py).

ALTER TABLE jobs
    ADD COLUMN held_result jsonb,
    ADD COLUMN review_reasons jsonb,
    ADD COLUMN safety_flags jsonb;
COMMENT ON COLUMN jobs.held_result IS 'The output held for a reviewer (state needs_review): never shown to the requester, a webhook or the cache; result stays NULL until a reviewer approves.';
COMMENT ON COLUMN jobs.review_reasons IS 'Why the job was held for review or its output refused: a JSON array of {code: injection_suspected | guard_violation, ...} (redacted: guard, field and problem, never the value).';
COMMENT ON COLUMN jobs.safety_flags IS 'Instruction-like content the injection detector found (and quarantined) in the job''s untrusted input: a JSON array of {step, field, signals}; NULL when none.';

-- A job in review shows no result: the output waits in held_result.
ALTER TABLE jobs DROP CONSTRAINT jobs_succeeded_has_result;
ALTER TABLE jobs ADD CONSTRAINT jobs_succeeded_has_result
    CHECK (state <> 'succeeded' OR result IS NOT NULL OR purged_at IS NOT NULL);
ALTER TABLE jobs ADD CONSTRAINT jobs_review_holds_output
    CHECK (state <> 'needs_review' OR (result IS NULL AND (held_result IS NOT NULL OR purged_at IS NOT NULL)));
ALTER TABLE jobs ADD CONSTRAINT jobs_review_reasons_shape
    CHECK (review_reasons IS NULL OR jsonb_typeof(review_reasons) = 'array');
ALTER TABLE jobs ADD CONSTRAINT jobs_safety_flags_shape
    CHECK (safety_flags IS NULL OR jsonb_typeof(safety_flags) = 'array');

-- Retention may clear held_result too (the user's data, like result).
CREATE OR REPLACE FUNCTION courier_jobs_before_write() RETURNS trigger
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

    -- A terminal job keeps its history; retention may only clear input, result and
    -- the output held for review.
    IF courier_job_state_is_terminal(OLD.state) THEN
        unchanged := NEW;
        unchanged.input := OLD.input;
        unchanged.result := OLD.result;
        unchanged.held_result := OLD.held_result;
        unchanged.purged_at := OLD.purged_at;
        unchanged.updated_at := OLD.updated_at;
        unchanged.version := OLD.version;
        IF unchanged IS DISTINCT FROM OLD
           OR (NEW.input IS NOT NULL AND NEW.input IS DISTINCT FROM OLD.input)
           OR (NEW.result IS NOT NULL AND NEW.result IS DISTINCT FROM OLD.result)
           OR (NEW.held_result IS NOT NULL AND NEW.held_result IS DISTINCT FROM OLD.held_result) THEN
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
