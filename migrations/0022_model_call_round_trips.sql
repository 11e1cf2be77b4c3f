-- 0022 fewer round trips per model call: pauses announced, a call settled in one statement.
--
-- Every change of a provider pause is announced on courier_provider_pauses.
-- Worker processes keep the pauses in memory while they LISTEN on the channel
-- (app/llm/pauses.py) instead of reading provider_pauses before every model call:
-- a 429 written by one process reaches the others as the notification of its
-- commit. The payload is the provider; a listener re-reads its row. A DBA's
-- INSERT, UPDATE or DELETE is announced the same way.
CREATE FUNCTION courier_provider_pause_announce() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('courier_provider_pauses', coalesce(NEW.provider, OLD.provider));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION courier_provider_pause_announce() IS
    'NOTIFY courier_provider_pauses with the provider whose pause changed (workers keep pauses in memory while they listen).';

CREATE TRIGGER provider_pauses_announce AFTER INSERT OR UPDATE OR DELETE ON provider_pauses
    FOR EACH ROW EXECUTE FUNCTION courier_provider_pause_announce();

-- Settles a model call in one statement (it was seven round trips: BEGIN, five
-- statements, COMMIT), in the order the separate statements had:
-- 1. the call's llm_calls row first: llm_calls_reservation_unique refuses a second
--    settlement of the reservation (it waits for the first to commit);
-- 2. the call added to its job's totals while the job is open (a finished job keeps
--    its row unchanged: the call is in llm_calls alone);
-- 3. with an answer, the step's checkpoint (the first committed answer stays) and,
--    with a cache key, the cache entry (a live entry stays, an expired one is replaced);
-- 4. last, the reservation settled (courier_budget_settle_v1): it locks the tenant's
--    month row, which every reservation and settlement of the tenant needs, so it is
--    held for the commit alone. A reservation settled before raises the same
--    unique_violation a second llm_calls row would: nothing of this call is kept.
CREATE FUNCTION courier_call_settle_v1(
    p_reservation_id uuid, p_job_id uuid, p_tenant_id uuid, p_attempt integer, p_step text,
    p_kind text, p_model text, p_prompt_version text, p_prompt_hash text,
    p_input_tokens integer, p_cached_input_tokens integer, p_output_tokens integer,
    p_reasoning_tokens integer, p_cost numeric, p_latency_ms double precision, p_outcome text,
    p_answer jsonb, p_cache_key text, p_cache_ttl interval, p_now timestamptz
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_now timestamptz := coalesce(p_now, clock_timestamp());
BEGIN
    INSERT INTO llm_calls (job_id, tenant_id, attempt, step, kind, model, prompt_version, prompt_hash,
                           input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                           cost_usd, latency_ms, outcome, reservation_id)
    VALUES (p_job_id, p_tenant_id, p_attempt, p_step, p_kind, p_model, p_prompt_version, p_prompt_hash,
            p_input_tokens, p_cached_input_tokens, p_output_tokens, p_reasoning_tokens,
            p_cost, p_latency_ms, p_outcome, p_reservation_id);

    UPDATE jobs
    SET input_tokens = input_tokens + p_input_tokens,
        output_tokens = output_tokens + p_output_tokens,
        cost_usd = cost_usd + p_cost
    WHERE id = p_job_id AND NOT courier_job_state_is_terminal(state);

    IF p_answer IS NOT NULL THEN
        INSERT INTO llm_checkpoints (job_id, step, tenant_id, attempt, model, answer)
        VALUES (p_job_id, p_step, p_tenant_id, p_attempt, p_model, p_answer)
        ON CONFLICT (job_id, step) DO NOTHING;
        IF p_cache_key IS NOT NULL THEN
            INSERT INTO llm_cache AS c (tenant_id, cache_key, model, answer, job_id, created_at, expires_at)
            VALUES (p_tenant_id, p_cache_key, p_model, p_answer, p_job_id, v_now, v_now + p_cache_ttl)
            ON CONFLICT (tenant_id, cache_key) DO UPDATE
            SET model = EXCLUDED.model, answer = EXCLUDED.answer, job_id = EXCLUDED.job_id,
                created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            WHERE c.expires_at <= EXCLUDED.created_at;
        END IF;
    END IF;

    IF NOT courier_budget_settle_v1(p_reservation_id, p_cost, v_now) THEN
        RAISE EXCEPTION 'budget reservation % was settled before', p_reservation_id
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'llm_calls_reservation_unique';
    END IF;
END
$$;
COMMENT ON FUNCTION courier_call_settle_v1(uuid, uuid, uuid, integer, text, text, text, text, text, integer, integer, integer, integer, numeric, double precision, text, jsonb, text, interval, timestamptz) IS
    'Settle a model call in one statement: its llm_calls row, its job''s totals, its answer as checkpoint and cache entry, its budget reservation; unique_violation (llm_calls_reservation_unique) when it was settled before.';
