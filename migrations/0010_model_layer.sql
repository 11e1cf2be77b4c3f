-- 0010 model layer: a rate-limited provider pauses for every worker process, and a
-- running job can note what happened inside an execution (a model fallback) in its
-- history without changing state.

CREATE TABLE provider_pauses (
    provider      text PRIMARY KEY,
    paused_until  timestamptz NOT NULL,
    reason        text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT provider_pauses_provider_format CHECK (length(provider) BETWEEN 1 AND 300)
);
COMMENT ON TABLE provider_pauses IS 'A model provider that answered 429: no worker process calls it before paused_until (one row per provider, shared by every process).';
COMMENT ON COLUMN provider_pauses.provider IS 'The provider as the model layer names it: openai:<base URL>.';
COMMENT ON COLUMN provider_pauses.paused_until IS 'Calls wait until then; only ever moved later while a pause lasts.';
COMMENT ON COLUMN provider_pauses.reason IS 'Why it paused, e.g. rate_limited (HTTP 429).';

-- A note in a running job's history: the next event number, taken the way the jobs
-- trigger takes it (an UPDATE of the job row, which bumps version too: the history
-- a client can read changed), then the event. Fenced like job_finish: nothing is
-- written (NULL) unless this lease still holds the running job. The seq guard of
-- 0005 accepts the event because it is the job's last_event_seq.
CREATE FUNCTION courier_job_note_v1(p_job_id uuid, p_lease uuid, p_type text, p_data jsonb)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    noted jobs;
BEGIN
    IF p_type IN (SELECT unnest(enum_range(NULL::job_state))::text) THEN
        RAISE EXCEPTION 'a note cannot be named like the state %', p_type
            USING ERRCODE = 'check_violation', CONSTRAINT = 'job_note_type';
    END IF;
    UPDATE jobs SET last_event_seq = last_event_seq + 1
    WHERE id = p_job_id AND lease = p_lease AND state = 'running'
    RETURNING * INTO noted;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO job_events (job_id, seq, tenant_id, type, state, attempt, data, actor)
    VALUES (noted.id, noted.last_event_seq, noted.tenant_id, p_type, noted.state, noted.attempt,
            coalesce(p_data, '{}'),
            coalesce(nullif(current_setting('courier.actor', true), ''), session_user));
    RETURN noted.last_event_seq;
END
$$;
COMMENT ON FUNCTION courier_job_note_v1(uuid, uuid, text, jsonb) IS
    'Append a note event (e.g. model_fallback) to the running job held by this lease; NULL when the lease no longer holds it.';
