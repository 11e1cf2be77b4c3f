-- 0020 human review: a finished output the kind's risk policy (or a guard, 0016) holds
-- goes to `needs_review` with the reasons it was held for; a reviewer approves it (as
-- it is, or edited) or rejects it, and every decision is a `reviews` row and an event.
--
-- While a job waits in review its output is in jobs.held_result (0016), which no
-- client-facing read shows, no webhook carries and the model cache does not serve
-- (llm_cache_get). An approval makes the held output (or the reviewer's edit) the
-- job's result; the model's version stays in reviews.original_output.

-- Every reason is an object with a string code (0016 checks only that it is an array):
-- the policy's {code, detail} and the safety checks' {code: injection_suspected |
-- guard_violation, ...} alike; an empty list is NULL.
ALTER TABLE jobs DROP CONSTRAINT jobs_review_reasons_shape;
ALTER TABLE jobs ADD CONSTRAINT jobs_review_reasons_shape CHECK (
    review_reasons IS NULL OR (
        jsonb_typeof(review_reasons) = 'array'
        AND jsonb_array_length(review_reasons) > 0
        AND NOT jsonb_path_exists(
            review_reasons,
            '$[*] ? (@.type() != "object" || !exists(@.code) || @.code.type() != "string")'
        )
    )
);
COMMENT ON COLUMN jobs.review_reasons IS 'Why the output was held for review, or refused by a kind without review: a JSON array of objects with a code: the risk policy''s {code, detail} (high_risk_kind, high_risk, low_confidence, escalation) and the safety checks'' injection_suspected {fields, signals} and guard_violation {step, guard, field, problem} (redacted, never the value); NULL when none.';

-- A job in review may run out of time like any other job.
INSERT INTO job_state_transitions (from_state, to_state) VALUES ('needs_review', 'expired');

-- The expiry sweeper finds due jobs in review through the same index.
DROP INDEX jobs_open_by_deadline;
CREATE INDEX jobs_open_by_deadline ON jobs (expires_at) WHERE state IN ('queued', 'running', 'needs_review');
-- The review queue: a tenant's held jobs, oldest first.
CREATE INDEX jobs_tenant_in_review ON jobs (tenant_id, id) WHERE state = 'needs_review';

CREATE TYPE review_decision AS ENUM ('approved', 'rejected');

CREATE TABLE reviews (
    id               uuid PRIMARY KEY DEFAULT courier_uuid_v7(),
    job_id           uuid NOT NULL REFERENCES jobs (id),
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    reviewer_id      uuid NOT NULL REFERENCES principals (id),
    reviewer_key_id  text NOT NULL,
    decision         review_decision NOT NULL,
    edited           boolean NOT NULL DEFAULT false,
    reason           text,
    review_reasons   jsonb,
    original_output  jsonb,
    edited_output    jsonb,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    purged_at        timestamptz,
    CONSTRAINT reviews_one_decision_per_job UNIQUE (job_id),
    CONSTRAINT reviews_rejection_has_reason CHECK (decision <> 'rejected' OR reason IS NOT NULL),
    CONSTRAINT reviews_reason_length CHECK (length(reason) BETWEEN 1 AND 2000),
    CONSTRAINT reviews_only_approvals_edit CHECK (decision = 'approved' OR NOT edited),
    CONSTRAINT reviews_edit_kept CHECK (edited = (edited_output IS NOT NULL) OR purged_at IS NOT NULL),
    CONSTRAINT reviews_original_kept CHECK (original_output IS NOT NULL OR purged_at IS NOT NULL)
);
COMMENT ON TABLE reviews IS 'Every human decision on a held output: who decided (reviewer_id, and the key they used), approved or rejected, and both versions when the reviewer edited it. One per job; written in the transaction that ends the job''s review.';
COMMENT ON COLUMN reviews.reviewer_id IS 'The reviewing principal (principals.id); their key had the reviewer role.';
COMMENT ON COLUMN reviews.reviewer_key_id IS 'The public key_id of the API key the decision was made with.';
COMMENT ON COLUMN reviews.edited IS 'The reviewer approved their own version of the output (edited_output), which the job delivered.';
COMMENT ON COLUMN reviews.reason IS 'The reviewer''s reason: required for a rejection (the job fails with rejected_in_review), an optional note on an approval.';
COMMENT ON COLUMN reviews.review_reasons IS 'What the job was held for (jobs.review_reasons at the decision).';
COMMENT ON COLUMN reviews.original_output IS 'The output as the model produced it and the reviewer saw it.';
COMMENT ON COLUMN reviews.edited_output IS 'The reviewer''s version, when edited; the job''s result.';
COMMENT ON COLUMN reviews.purged_at IS 'When retention removed both outputs (with the job''s input and result).';
CREATE INDEX reviews_tenant_recent ON reviews (tenant_id, created_at);
CREATE INDEX reviews_reviewer ON reviews (reviewer_id, created_at);

-- A decision is history: only retention may clear its outputs.
CREATE FUNCTION courier_reviews_before_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.job_id, NEW.tenant_id, NEW.reviewer_id, NEW.reviewer_key_id, NEW.decision,
        NEW.edited, NEW.reason, NEW.review_reasons, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.job_id, OLD.tenant_id, OLD.reviewer_id, OLD.reviewer_key_id, OLD.decision,
        OLD.edited, OLD.reason, OLD.review_reasons, OLD.created_at)
       OR NEW.original_output IS NOT NULL AND NEW.original_output IS DISTINCT FROM OLD.original_output
       OR NEW.edited_output IS NOT NULL AND NEW.edited_output IS DISTINCT FROM OLD.edited_output
       OR NEW.purged_at IS NULL AND OLD.purged_at IS NOT NULL THEN
        RAISE EXCEPTION 'review % is a decision on record: only retention may clear its outputs', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reviews_append_only';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER reviews_append_only BEFORE UPDATE ON reviews
    FOR EACH ROW EXECUTE FUNCTION courier_reviews_before_update();
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
    FOR EACH ROW EXECUTE FUNCTION courier_refuse_change('reviews_append_only');
CREATE TRIGGER reviews_no_truncate BEFORE TRUNCATE ON reviews
    FOR EACH STATEMENT EXECUTE FUNCTION courier_refuse_truncate('reviews_append_only');

-- A decision on a job is made by a review, not typed: a job leaves needs_review for
-- succeeded or failed only in the transaction that records its reviews row.
CREATE FUNCTION courier_jobs_review_decided() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM reviews r WHERE r.job_id = NEW.id) THEN
        RAISE EXCEPTION 'job % : a review decision needs its reviews row', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'jobs_review_decided_by_review';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER jobs_review_decided_by_review AFTER UPDATE OF state ON jobs
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.state = 'needs_review' AND NEW.state IN ('succeeded', 'failed'))
    EXECUTE FUNCTION courier_jobs_review_decided();

-- The event of 0002, which now also says what a held job waits for (the reasons'
-- codes, never their details) and, on a review decision, which review made it
-- (courier.review, set by the decision's transaction).
CREATE OR REPLACE FUNCTION courier_jobs_after_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    reason text := nullif(current_setting('courier.reason', true), '');
    review text := nullif(current_setting('courier.review', true), '');
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
            'error', CASE WHEN NEW.state IN ('failed', 'queued') THEN NEW.error END,
            'retry_at', CASE WHEN NEW.state = 'queued' THEN NEW.retry_at END,
            'review_reasons', CASE WHEN NEW.state = 'needs_review' THEN
                (SELECT jsonb_agg(r -> 'code') FROM jsonb_array_elements(NEW.review_reasons) r) END,
            'review', CASE WHEN TG_OP = 'UPDATE' AND OLD.state = 'needs_review' THEN review::jsonb END
        )),
        coalesce(nullif(current_setting('courier.actor', true), ''), session_user)
    );
    RETURN NULL;
END
$$;

-- A held answer is not served from the cache; a rejected one is evicted by its job.
CREATE INDEX llm_cache_job ON llm_cache (job_id);
