-- 0018 intake in one statement, and API processes told of every change to a key.
--
-- Intake was six round trips (a key lookup, the budget read, the rate-limit take in
-- its own transaction, then BEGIN, the insert, procrastinate's defer, the queue
-- entry's id written back, COMMIT). Admission, the job, its event and its queue
-- entry are now one statement, courier_job_submit_v1, in one transaction; the API
-- caches key lookups (app/keys/cache.py), which the notifications below keep exact.

-- Any change to a key that authentication reads (its hash, owner, roles, groups,
-- revocation) or its deletion, and any change to a principal, is notified to every
-- API process at commit: each drops its cached lookups of that key or principal
-- before serving the next request. (courier_api_keys_revoked, 0012, still ends the
-- open streams of a revoked key.)
CREATE FUNCTION courier_api_keys_notify_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'api_keys' THEN
        PERFORM pg_notify('courier_api_keys_changed', 'key:' || OLD.key_id);
    ELSE
        PERFORM pg_notify('courier_api_keys_changed', 'principal:' || OLD.id);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION courier_api_keys_notify_changed() IS
    'Notifies courier_api_keys_changed (key:<key_id> or principal:<id>) when a key or a principal changes or goes: API processes drop their cached lookups of it.';
CREATE TRIGGER api_keys_notify_changed
    AFTER UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION courier_api_keys_notify_changed();
CREATE TRIGGER principals_notify_changed
    AFTER UPDATE OR DELETE ON principals
    FOR EACH ROW EXECUTE FUNCTION courier_api_keys_notify_changed();

-- Intake: admit, insert the job with its `queued` event (the jobs trigger) and defer
-- its queue entry, in one statement. In this order:
--   1. the budget (a read; a retry of a request that made its job always passes);
--   2. procrastinate's own defer function (the one its deferrer calls) makes the queue
--      entry, and the job row is inserted naming it; a job this Idempotency-Key (or
--      this backfill batch) already made is found instead (outcome 'existing'), after
--      waiting at most p_lock_timeout for a concurrent insert of it to end;
--   3. last, one token of the tenant's rate limit (courier_rate_limit_take_v1), so
--      the bucket row is locked only from here to the commit, and a retry takes none.
-- A refusal (over_budget, rate_limited) writes nothing.
-- p_budget / p_rate_limit false skip that check (an operator's backfill).
CREATE FUNCTION courier_job_submit_v1(
    p_actor text, p_lock_timeout text, p_budget boolean, p_rate_limit boolean,
    p_default_rate double precision, p_default_burst integer, p_task_name text,
    p_tenant_id uuid, p_requester_id uuid, p_acl_groups text[], p_kind text, p_input jsonb,
    p_idempotency_key text, p_request_hash text, p_priority smallint, p_queue text,
    p_expires_in interval, p_callback_url text, p_replay_of uuid, p_replayed_by_id uuid,
    p_backfill_batch text
) RETURNS TABLE (outcome text, retry_after_seconds double precision, budget_usd numeric,
                 spent_usd numeric, job jobs)
LANGUAGE plpgsql AS $$
DECLARE
    v_id     uuid := courier_uuid_v7();
    v_entry  bigint;
    v_row    jobs;
    v_budget record;
    v_rate   record;
    v_detail text;
BEGIN
    PERFORM set_config('courier.actor', p_actor, true),
            set_config('lock_timeout', p_lock_timeout, true);
    IF p_budget THEN
        SELECT * INTO v_budget
        FROM courier_budget_admit_v1(p_tenant_id, p_idempotency_key, clock_timestamp());
        IF NOT v_budget.allowed THEN
            RETURN QUERY SELECT 'over_budget', v_budget.retry_after_seconds, v_budget.budget_usd,
                                v_budget.spent_usd + v_budget.reserved_usd, NULL::jobs;
            RETURN;
        END IF;
    END IF;
    BEGIN
        SELECT e INTO v_entry
        FROM unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(
            p_queue, p_task_name, p_priority, NULL, NULL,
            jsonb_build_object('job_id', v_id::text), NULL
        )::procrastinate_job_to_defer_v1])) AS e;
        INSERT INTO jobs (id, tenant_id, requester_id, acl_groups, kind, input, idempotency_key,
                          request_hash, priority, queue, expires_at, callback_url, replay_of,
                          replayed_by_id, backfill_batch, queue_job_id)
        VALUES (v_id, p_tenant_id, p_requester_id, p_acl_groups, p_kind, p_input, p_idempotency_key,
                p_request_hash, p_priority, p_queue, clock_timestamp() + p_expires_in,
                p_callback_url, p_replay_of, p_replayed_by_id, p_backfill_batch, v_entry)
        ON CONFLICT DO NOTHING
        RETURNING * INTO v_row;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'exists' USING ERRCODE = 'CJ409';  -- undoes the defer
        END IF;
        IF p_rate_limit THEN
            SELECT * INTO v_rate
            FROM courier_rate_limit_take_v1(p_tenant_id, p_default_rate, p_default_burst,
                                            clock_timestamp());
            IF NOT v_rate.allowed THEN
                RAISE EXCEPTION 'rate limited' USING ERRCODE = 'CJ429',
                    DETAIL = v_rate.retry_after_seconds::text;  -- undoes the job and its entry
            END IF;
        END IF;
    EXCEPTION
        WHEN SQLSTATE 'CJ409' THEN
            IF p_backfill_batch IS NULL THEN
                SELECT * INTO v_row FROM jobs j
                WHERE j.tenant_id = p_tenant_id AND j.idempotency_key = p_idempotency_key;
            ELSE
                -- NULL when the (random) key met another job's rather than this batch's replay.
                SELECT * INTO v_row FROM jobs j
                WHERE j.replay_of = p_replay_of AND j.backfill_batch = p_backfill_batch;
            END IF;
            RETURN QUERY SELECT 'existing', NULL::double precision, NULL::numeric, NULL::numeric, v_row;
            RETURN;
        WHEN SQLSTATE 'CJ429' THEN
            GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL;
            RETURN QUERY SELECT 'rate_limited', v_detail::double precision, NULL::numeric,
                                NULL::numeric, NULL::jobs;
            RETURN;
    END;
    RETURN QUERY SELECT 'created', NULL::double precision, NULL::numeric, NULL::numeric, v_row;
END
$$;
COMMENT ON FUNCTION courier_job_submit_v1(text, text, boolean, boolean, double precision, integer, text, uuid, uuid, text[], text, jsonb, text, text, smallint, text, interval, text, uuid, uuid, text) IS
    'Intake in one statement: budget, the job (or the one this Idempotency-Key made), its event and queue entry, then a rate-limit token; outcome created, existing, over_budget or rate_limited.';
