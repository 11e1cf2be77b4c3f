-- 0017 the OpenAI-compatible Responses API (app/responses/): a response is a job of
-- kind 'response'. Its webhooks are OpenAI's (response.completed, ...), and what it
-- used is read from the call ledger, which the runtime role cannot read itself.

-- Endpoints may subscribe to the response events OpenAI sends. They go only to
-- endpoints that name them: an endpoint subscribed to everything (event_types NULL)
-- keeps getting Courier's job.* events alone, in the shape it was built for.
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_event_types_known;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_event_types_known CHECK (
    event_types IS NULL OR event_types <@ ARRAY[
        'job.queued', 'job.running', 'job.needs_review', 'job.succeeded',
        'job.failed', 'job.cancelled', 'job.expired',
        'response.completed', 'response.failed', 'response.cancelled',
        'response.incomplete']::text[]);
COMMENT ON COLUMN webhook_endpoints.event_types IS 'Subscribed event types (job.succeeded, ..., response.completed, ...); NULL means every job.* type (response.* types only when named).';

-- v1 plus: the terminal event of a 'response' job also becomes its OpenAI event
-- (succeeded -> response.completed, failed -> response.failed, cancelled ->
-- response.cancelled, expired -> response.incomplete) for every live endpoint that
-- names that type. Its event id differs from the job event's, so an endpoint that
-- takes both gets two rows (outbox_one_row_per_destination).
CREATE FUNCTION courier_job_events_outbox_v2() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    event_type text := 'job.' || NEW.type;
    event_id text := 'evt_' || replace(NEW.job_id::text, '-', '') || '_' || NEW.seq;
    response_type text;
    written integer;
    response_rows integer := 0;
BEGIN
    INSERT INTO outbox (tenant_id, event_id, event_type, job_id, seq, endpoint_id)
    SELECT NEW.tenant_id, event_id, event_type, NEW.job_id, NEW.seq, NULL
    FROM jobs j
    WHERE j.id = NEW.job_id AND j.callback_url IS NOT NULL
    UNION ALL
    SELECT NEW.tenant_id, event_id, event_type, NEW.job_id, NEW.seq, e.id
    FROM webhook_endpoints e
    WHERE e.tenant_id = NEW.tenant_id
      AND e.disabled_at IS NULL AND e.deleted_at IS NULL
      AND (e.event_types IS NULL OR event_type = ANY (e.event_types));
    GET DIAGNOSTICS written = ROW_COUNT;
    response_type := CASE NEW.type
        WHEN 'succeeded' THEN 'response.completed'
        WHEN 'failed' THEN 'response.failed'
        WHEN 'cancelled' THEN 'response.cancelled'
        WHEN 'expired' THEN 'response.incomplete'
    END;
    IF response_type IS NOT NULL AND EXISTS (
        SELECT 1 FROM jobs j WHERE j.id = NEW.job_id AND j.kind = 'response'
    ) THEN
        INSERT INTO outbox (tenant_id, event_id, event_type, job_id, seq, endpoint_id)
        SELECT NEW.tenant_id,
               'evt_resp_' || replace(NEW.job_id::text, '-', '') || '_' || NEW.seq,
               response_type, NEW.job_id, NEW.seq, e.id
        FROM webhook_endpoints e
        WHERE e.tenant_id = NEW.tenant_id
          AND e.disabled_at IS NULL AND e.deleted_at IS NULL
          AND response_type = ANY (e.event_types);
        GET DIAGNOSTICS response_rows = ROW_COUNT;
    END IF;
    IF written + response_rows > 0 THEN
        -- Identical payloads fold into one notification per transaction.
        PERFORM pg_notify('courier_outbox', '');
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION courier_job_events_outbox_v2() IS
    'One outbox row per destination of a job event (the job''s callback_url, subscribed endpoints) and, for a response job''s terminal event, one per endpoint that names its response.* type.';
DROP TRIGGER job_events_outbox ON job_events;
CREATE TRIGGER job_events_outbox AFTER INSERT ON job_events
    FOR EACH ROW EXECUTE FUNCTION courier_job_events_outbox_v2();

-- The runtime role cannot read the call ledger (0007): a response reports its usage
-- (tokens by type, over every call of the job, failed and fenced-off ones included:
-- they were paid for) through this function, which returns nothing else.
CREATE FUNCTION courier_job_usage_v1(p_job_id uuid, p_tenant_id uuid)
RETURNS TABLE (calls bigint, input_tokens bigint, cached_input_tokens bigint,
               output_tokens bigint, reasoning_tokens bigint)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT count(*), coalesce(sum(c.input_tokens), 0), coalesce(sum(c.cached_input_tokens), 0),
           coalesce(sum(c.output_tokens), 0), coalesce(sum(c.reasoning_tokens), 0)
    FROM llm_calls c
    WHERE c.job_id = p_job_id AND c.tenant_id = p_tenant_id
$$;
COMMENT ON FUNCTION courier_job_usage_v1(uuid, uuid) IS
    'Token totals of one job''s model calls (of one tenant): how the runtime role reports a response''s usage without reading llm_calls.';
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION courier_job_usage_v1(uuid, uuid) SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE ALL ON FUNCTION courier_job_usage_v1(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION courier_job_usage_v1(uuid, uuid) TO courier_runtime;
