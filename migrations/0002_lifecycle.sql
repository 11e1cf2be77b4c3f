-- 0002 lifecycle under failure: retries wait in `queued` with a next-attempt time,
-- errors have a fixed shape, and failed jobs form the dead-letter set.

ALTER TABLE jobs ADD COLUMN retry_at timestamptz;
COMMENT ON COLUMN jobs.retry_at IS 'While a job waits to be retried after a transient error: when its next attempt may start.';

-- Only a job waiting in the queue can have a next-attempt time.
ALTER TABLE jobs ADD CONSTRAINT jobs_retry_at_only_queued CHECK (retry_at IS NULL OR state = 'queued');

-- An error is {"code": ..., "message": ...}: the code is what programs match on; the
-- message is written by Courier and never quotes the job's input.
ALTER TABLE jobs ADD CONSTRAINT jobs_error_shape CHECK (
    error IS NULL OR (jsonb_typeof(error) = 'object' AND error ? 'code' AND error ? 'message')
);

-- A job's events now carry the next attempt time when it goes back to the queue.
CREATE OR REPLACE FUNCTION courier_jobs_after_write() RETURNS trigger
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
            'error', CASE WHEN NEW.state IN ('failed', 'queued') THEN NEW.error END,
            'retry_at', CASE WHEN NEW.state = 'queued' THEN NEW.retry_at END
        )),
        coalesce(nullif(current_setting('courier.actor', true), ''), session_user)
    );
    RETURN NULL;
END
$$;

CREATE INDEX jobs_replay_of ON jobs (replay_of) WHERE replay_of IS NOT NULL;
CREATE INDEX jobs_kind_created ON jobs (kind, created_at);

-- The dead_letters view lives in sql/views.sql with the other DBA views.
