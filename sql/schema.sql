-- Courier's schema as migrations/ build it (with procrastinate's schema, sql/views.sql
-- and sql/grants.sql): generated, do not edit. Regenerate with
--   .venv/bin/python -m app.schema_file
-- tests/migration/test_schema_file.py fails when this file and the migrations differ.
--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: btree_gin; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;


--
-- Name: EXTENSION btree_gin; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION btree_gin IS 'support for indexing common datatypes in GIN';


--
-- Name: vector; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;


--
-- Name: EXTENSION vector; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION vector IS 'vector data type and ivfflat and hnsw access methods';


--
-- Name: job_state; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.job_state AS ENUM (
    'queued',
    'running',
    'needs_review',
    'succeeded',
    'failed',
    'cancelled',
    'expired'
);


--
-- Name: outbox_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.outbox_status AS ENUM (
    'pending',
    'delivered',
    'failed',
    'cancelled'
);


--
-- Name: procrastinate_job_event_type; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.procrastinate_job_event_type AS ENUM (
    'deferred',
    'started',
    'deferred_for_retry',
    'failed',
    'succeeded',
    'cancelled',
    'abort_requested',
    'aborted',
    'scheduled',
    'retried'
);


--
-- Name: procrastinate_job_status; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.procrastinate_job_status AS ENUM (
    'todo',
    'doing',
    'succeeded',
    'failed',
    'cancelled',
    'aborting',
    'aborted'
);


--
-- Name: procrastinate_job_to_defer_v1; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.procrastinate_job_to_defer_v1 AS (
	queue_name character varying,
	task_name character varying,
	priority integer,
	lock text,
	queueing_lock text,
	args jsonb,
	scheduled_at timestamp with time zone
);


--
-- Name: review_decision; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.review_decision AS ENUM (
    'approved',
    'rejected'
);


--
-- Name: courier_acl_keys(text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_acl_keys(acl_groups text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT acl_groups || ''::text
$$;


--
-- Name: FUNCTION courier_acl_keys(acl_groups text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_acl_keys(acl_groups text[]) IS 'The ACL keys of a row: its groups and the empty string, which a tenant-wide transaction matches (courier_acting_acl_keys).';


--
-- Name: courier_acting_acl_keys(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_acting_acl_keys() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN courier_acting_tenant_wide() THEN '{""}'::text[]
                ELSE array_remove(courier_acting_groups(), '') END
$$;


--
-- Name: FUNCTION courier_acting_acl_keys(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_acting_acl_keys() IS 'ACL keys the current transaction reads: its groups, or every group (the empty string) when it acts tenant wide.';


--
-- Name: courier_acting_groups(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_acting_groups() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(nullif(current_setting('courier.groups', true), '')::text[], '{}')
$$;


--
-- Name: FUNCTION courier_acting_groups(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_acting_groups() IS 'The ACL groups the current transaction acts with (courier.groups, a text array literal), or none.';


--
-- Name: courier_acting_tenant(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_acting_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT nullif(current_setting('courier.tenant_id', true), '')::uuid
$$;


--
-- Name: FUNCTION courier_acting_tenant(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_acting_tenant() IS 'The tenant the current transaction acts for (courier.tenant_id), or NULL.';


--
-- Name: courier_acting_tenant_acl_keys(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_acting_tenant_acl_keys() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT array_agg(courier_acting_tenant()::text || '/' || k.key)
    FROM unnest(courier_acting_acl_keys()) AS k (key)
$$;


--
-- Name: FUNCTION courier_acting_tenant_acl_keys(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_acting_tenant_acl_keys() IS 'The keys the acting transaction reads (courier_acting_acl_keys), each prefixed with the acting tenant.';


--
-- Name: courier_acting_tenant_wide(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_acting_tenant_wide() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(current_setting('courier.scope', true), '') = 'tenant'
$$;


--
-- Name: FUNCTION courier_acting_tenant_wide(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_acting_tenant_wide() IS 'Whether the current transaction acts for its whole tenant (courier.scope = tenant): documents of every group.';


--
-- Name: courier_api_key_principal_v1(bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_api_key_principal_v1(p_key_hash bytea) RETURNS TABLE(principal_id uuid, tenant_id uuid, external_id text, acl_groups text[], roles text[], key_id text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT p.id, p.tenant_id, p.external_id, p.acl_groups, p.roles, k.key_id
    FROM api_keys k
    JOIN principals p ON p.id = k.principal_id
    WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
$$;


--
-- Name: FUNCTION courier_api_key_principal_v1(p_key_hash bytea); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_api_key_principal_v1(p_key_hash bytea) IS 'The principal of one live API key, given the SHA-256 of the key; the only way the runtime role reads api_keys.';


--
-- Name: courier_api_key_principal_v2(bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_api_key_principal_v2(p_key_hash bytea) RETURNS TABLE(principal_id uuid, tenant_id uuid, external_id text, acl_groups text[], roles text[], key_id text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT p.id, p.tenant_id, p.external_id, k.acl_groups, k.roles, k.key_id
    FROM api_keys k
    JOIN principals p ON p.id = k.principal_id
    WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
$$;


--
-- Name: FUNCTION courier_api_key_principal_v2(p_key_hash bytea); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_api_key_principal_v2(p_key_hash bytea) IS 'The principal of one live API key with that key''s roles and groups, given the SHA-256 of the key; the only way the runtime role reads api_keys.';


--
-- Name: courier_api_keys_live_v1(text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_api_keys_live_v1(p_key_ids text[]) RETURNS TABLE(key_id text, tenant_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT k.key_id, k.tenant_id
    FROM api_keys k
    WHERE k.key_id = ANY (p_key_ids) AND k.revoked_at IS NULL
$$;


--
-- Name: FUNCTION courier_api_keys_live_v1(p_key_ids text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_api_keys_live_v1(p_key_ids text[]) IS 'Which of the given key_ids belong to live (not revoked) keys, with their tenant; how the runtime role checks the key behind a stream link.';


--
-- Name: courier_api_keys_notify_changed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_api_keys_notify_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_TABLE_NAME = 'api_keys' THEN
        PERFORM pg_notify('courier_api_keys_changed', 'key:' || OLD.key_id);
    ELSE
        PERFORM pg_notify('courier_api_keys_changed', 'principal:' || OLD.id);
    END IF;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION courier_api_keys_notify_changed(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_api_keys_notify_changed() IS 'Notifies courier_api_keys_changed (key:<key_id> or principal:<id>) when a key or a principal changes or goes: API processes drop their cached lookups of it.';


--
-- Name: courier_api_keys_notify_revoked(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_api_keys_notify_revoked() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL) THEN
        PERFORM pg_notify('courier_api_keys_revoked', OLD.key_id);
    END IF;
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION courier_api_keys_notify_revoked(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_api_keys_notify_revoked() IS 'Notifies courier_api_keys_revoked with the key_id when a key is revoked or deleted: API processes end its streams.';


--
-- Name: courier_api_keys_rights_fixed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_api_keys_rights_fixed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'API key % : its user, roles and groups are fixed when it is made (revoke it and create another)',
        OLD.key_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'api_keys_rights_fixed';
END
$$;


--
-- Name: courier_budget_admit_v1(uuid, text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_budget_admit_v1(p_tenant_id uuid, p_idempotency_key text, p_now timestamp with time zone) RETURNS TABLE(allowed boolean, budget_usd numeric, spent_usd numeric, reserved_usd numeric, retry_after_seconds double precision)
    LANGUAGE sql STABLE
    AS $$
    WITH clock AS (SELECT date_trunc('month', p_now AT TIME ZONE 'UTC')::date AS month)
    SELECT b.monthly_usd IS NULL
           OR coalesce(m.spent_usd, 0) + coalesce(m.reserved_usd, 0) < b.monthly_usd
           OR EXISTS (SELECT 1 FROM jobs j WHERE j.tenant_id = p_tenant_id AND j.idempotency_key = p_idempotency_key),
           b.monthly_usd, coalesce(m.spent_usd, 0), coalesce(m.reserved_usd, 0),
           extract(epoch FROM ((clock.month + interval '1 month')::timestamp AT TIME ZONE 'UTC') - p_now)::double precision
    FROM clock
    LEFT JOIN tenant_budgets b ON b.tenant_id = p_tenant_id
    LEFT JOIN tenant_budget_months m ON m.tenant_id = p_tenant_id AND m.month = clock.month
$$;


--
-- Name: FUNCTION courier_budget_admit_v1(p_tenant_id uuid, p_idempotency_key text, p_now timestamp with time zone); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_budget_admit_v1(p_tenant_id uuid, p_idempotency_key text, p_now timestamp with time zone) IS 'Whether intake may accept a new job of a tenant: no budget, budget left this month, or a retry of a request that already made its job.';


--
-- Name: courier_budget_reserve_v1(uuid, uuid, integer, text, text, numeric, timestamp with time zone, interval); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_budget_reserve_v1(p_tenant_id uuid, p_job_id uuid, p_attempt integer, p_step text, p_model text, p_amount numeric, p_now timestamp with time zone, p_stale_after interval) RETURNS TABLE(reservation_id uuid, allowed boolean, when_over text, budget_usd numeric, spent_usd numeric, reserved_usd numeric, month date, retry_after_seconds double precision)
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_month     date := date_trunc('month', p_now AT TIME ZONE 'UTC')::date;
    v_budget    numeric;
    v_when_over text;
    v_spent     numeric;
    v_reserved  numeric;
    v_released  numeric;
    v_id        uuid;
    v_retry     double precision;
BEGIN
    SELECT b.monthly_usd, b.when_over INTO v_budget, v_when_over
    FROM tenant_budgets b WHERE b.tenant_id = p_tenant_id;
    v_retry := extract(epoch FROM ((v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC') - p_now);

    INSERT INTO tenant_budget_months (tenant_id, month) VALUES (p_tenant_id, v_month)
    ON CONFLICT DO NOTHING;
    SELECT m.spent_usd, m.reserved_usd INTO v_spent, v_reserved
    FROM tenant_budget_months m WHERE m.tenant_id = p_tenant_id AND m.month = v_month
    FOR UPDATE;

    WITH stale AS (
        UPDATE budget_reservations r SET released_at = p_now
        WHERE r.tenant_id = p_tenant_id AND r.month = v_month
          AND r.settled_at IS NULL AND r.released_at IS NULL
          AND r.created_at < p_now - p_stale_after
        RETURNING r.amount_usd
    )
    SELECT coalesce(sum(s.amount_usd), 0) INTO v_released FROM stale s;
    v_reserved := greatest(v_reserved - v_released, 0);

    IF v_budget IS NOT NULL AND p_amount > 0 AND v_spent + v_reserved + p_amount > v_budget THEN
        IF v_released > 0 THEN
            UPDATE tenant_budget_months m SET reserved_usd = v_reserved
            WHERE m.tenant_id = p_tenant_id AND m.month = v_month;
        END IF;
        RETURN QUERY SELECT NULL::uuid, false, v_when_over, v_budget, v_spent, v_reserved, v_month, v_retry;
        RETURN;
    END IF;

    INSERT INTO budget_reservations (tenant_id, month, job_id, attempt, step, model, amount_usd, created_at)
    VALUES (p_tenant_id, v_month, p_job_id, p_attempt, p_step, p_model, p_amount, p_now)
    RETURNING id INTO v_id;
    UPDATE tenant_budget_months m SET reserved_usd = v_reserved + p_amount
    WHERE m.tenant_id = p_tenant_id AND m.month = v_month;
    RETURN QUERY SELECT v_id, true, v_when_over, v_budget, v_spent, v_reserved + p_amount, v_month, v_retry;
END
$$;


--
-- Name: FUNCTION courier_budget_reserve_v1(p_tenant_id uuid, p_job_id uuid, p_attempt integer, p_step text, p_model text, p_amount numeric, p_now timestamp with time zone, p_stale_after interval); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_budget_reserve_v1(p_tenant_id uuid, p_job_id uuid, p_attempt integer, p_step text, p_model text, p_amount numeric, p_now timestamp with time zone, p_stale_after interval) IS 'Reserve a model call''s worst-case cost against its tenant''s UTC month (allowed, with the reservation id), or refuse when spent + reserved + amount would exceed the tenant''s budget.';


--
-- Name: courier_budget_settle_v1(uuid, numeric, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_budget_settle_v1(p_reservation_id uuid, p_cost numeric, p_now timestamp with time zone) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_tenant   uuid;
    v_month    date;
    v_amount   numeric;
    v_released boolean;
BEGIN
    SELECT r.tenant_id, r.month INTO v_tenant, v_month FROM budget_reservations r WHERE r.id = p_reservation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no budget reservation %', p_reservation_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    PERFORM 1 FROM tenant_budget_months m WHERE m.tenant_id = v_tenant AND m.month = v_month FOR UPDATE;

    UPDATE budget_reservations r SET settled_at = p_now, cost_usd = p_cost
    WHERE r.id = p_reservation_id AND r.settled_at IS NULL
    RETURNING r.amount_usd, r.released_at IS NOT NULL INTO v_amount, v_released;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE tenant_budget_months m
    SET spent_usd = m.spent_usd + p_cost,
        reserved_usd = greatest(m.reserved_usd - CASE WHEN v_released THEN 0 ELSE v_amount END, 0)
    WHERE m.tenant_id = v_tenant AND m.month = v_month;
    RETURN true;
END
$$;


--
-- Name: FUNCTION courier_budget_settle_v1(p_reservation_id uuid, p_cost numeric, p_now timestamp with time zone); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_budget_settle_v1(p_reservation_id uuid, p_cost numeric, p_now timestamp with time zone) IS 'Settle a budget reservation with the call''s real cost (charged to the reservation''s month); false when already settled.';


--
-- Name: courier_call_settle_v1(uuid, uuid, uuid, integer, text, text, text, text, text, integer, integer, integer, integer, numeric, double precision, text, jsonb, text, interval, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_call_settle_v1(p_reservation_id uuid, p_job_id uuid, p_tenant_id uuid, p_attempt integer, p_step text, p_kind text, p_model text, p_prompt_version text, p_prompt_hash text, p_input_tokens integer, p_cached_input_tokens integer, p_output_tokens integer, p_reasoning_tokens integer, p_cost numeric, p_latency_ms double precision, p_outcome text, p_answer jsonb, p_cache_key text, p_cache_ttl interval, p_now timestamp with time zone) RETURNS void
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION courier_call_settle_v1(p_reservation_id uuid, p_job_id uuid, p_tenant_id uuid, p_attempt integer, p_step text, p_kind text, p_model text, p_prompt_version text, p_prompt_hash text, p_input_tokens integer, p_cached_input_tokens integer, p_output_tokens integer, p_reasoning_tokens integer, p_cost numeric, p_latency_ms double precision, p_outcome text, p_answer jsonb, p_cache_key text, p_cache_ttl interval, p_now timestamp with time zone); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_call_settle_v1(p_reservation_id uuid, p_job_id uuid, p_tenant_id uuid, p_attempt integer, p_step text, p_kind text, p_model text, p_prompt_version text, p_prompt_hash text, p_input_tokens integer, p_cached_input_tokens integer, p_output_tokens integer, p_reasoning_tokens integer, p_cost numeric, p_latency_ms double precision, p_outcome text, p_answer jsonb, p_cache_key text, p_cache_ttl interval, p_now timestamp with time zone) IS 'Settle a model call in one statement: its llm_calls row, its job''s totals, its answer as checkpoint and cache entry, its budget reservation; unique_violation (llm_calls_reservation_unique) when it was settled before.';


--
-- Name: courier_chunk_acl_count(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_chunk_acl_count() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM chunk_acl_counts;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO chunk_acl_counts AS c (tenant_id, model, acl_key, embeddings)
        SELECT o.tenant_id, o.model, k.key, -count(*)
        FROM old_rows o, unnest(courier_acl_keys(o.acl_groups)) AS k(key)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, model, acl_key)
            DO UPDATE SET embeddings = c.embeddings + excluded.embeddings;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO chunk_acl_counts AS c (tenant_id, model, acl_key, embeddings)
        SELECT n.tenant_id, n.model, k.key, count(*)
        FROM new_rows n, unnest(courier_acl_keys(n.acl_groups)) AS k(key)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, model, acl_key)
            DO UPDATE SET embeddings = c.embeddings + excluded.embeddings;
    END IF;
    RETURN NULL;
END
$$;


--
-- Name: courier_chunk_acl_is_document_acl(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_chunk_acl_is_document_acl() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    parent documents%ROWTYPE;
BEGIN
    SELECT * INTO parent FROM documents d WHERE d.id = NEW.document_id;
    IF NOT FOUND OR NEW.tenant_id IS DISTINCT FROM parent.tenant_id
       OR NEW.acl_groups IS DISTINCT FROM parent.acl_groups THEN
        RAISE EXCEPTION 'a chunk''s tenant and groups are its document''s: change the document'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chunks_acl_is_document_acl';
    END IF;
    RETURN NEW;
END
$$;


--
-- Name: courier_chunk_copy_document(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_chunk_copy_document() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    SELECT d.tenant_id, d.acl_groups INTO NEW.tenant_id, NEW.acl_groups
    FROM documents d WHERE d.id = NEW.document_id;
    RETURN NEW;
END
$$;


--
-- Name: courier_chunk_embedding_code(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_chunk_embedding_code() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    v_tenant     uuid;
    v_was_tenant text := coalesce(current_setting('courier.tenant_id', true), '');
    v_was_scope  text := coalesce(current_setting('courier.scope', true), '');
BEGIN
    FOR v_tenant IN SELECT DISTINCT n.tenant_id FROM new_rows n LOOP
        PERFORM set_config('courier.tenant_id', v_tenant::text, true),
                set_config('courier.scope', 'tenant', true);
        IF TG_OP = 'INSERT' THEN
            INSERT INTO chunk_embedding_codes (chunk_id, model, tenant_id, acl_groups, code)
            SELECT n.chunk_id, n.model, n.tenant_id, n.acl_groups,
                   courier_embedding_code(n.embedding)
            FROM new_rows n
            WHERE n.tenant_id = v_tenant;
        ELSE
            UPDATE chunk_embedding_codes c
            SET tenant_id = n.tenant_id, acl_groups = n.acl_groups,
                code = courier_embedding_code(n.embedding)
            FROM new_rows n
            WHERE c.chunk_id = n.chunk_id AND c.model = n.model AND n.tenant_id = v_tenant;
        END IF;
    END LOOP;
    PERFORM set_config('courier.tenant_id', v_was_tenant, true),
            set_config('courier.scope', v_was_scope, true);
    RETURN NULL;
END
$$;


--
-- Name: courier_chunks_follow_document(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_chunks_follow_document() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE chunks SET acl_groups = NEW.acl_groups WHERE document_id = NEW.id;
    UPDATE chunk_embeddings e SET acl_groups = NEW.acl_groups
    FROM chunks c WHERE c.document_id = NEW.id AND e.chunk_id = c.id;
    RETURN NULL;
END
$$;


--
-- Name: courier_console_session_open_v1(bytea, bytea, interval); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_console_session_open_v1(p_key_hash bytea, p_token_hash bytea, p_ttl interval) RETURNS TABLE(key_id text, expires_at timestamp with time zone)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    INSERT INTO console_sessions (token_hash, key_id, expires_at)
    SELECT p_token_hash, k.key_id, now() + p_ttl
    FROM api_keys k
    WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
    RETURNING console_sessions.key_id, console_sessions.expires_at
$$;


--
-- Name: FUNCTION courier_console_session_open_v1(p_key_hash bytea, p_token_hash bytea, p_ttl interval); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_console_session_open_v1(p_key_hash bytea, p_token_hash bytea, p_ttl interval) IS 'Opens a console session for the live API key with this SHA-256; returns no row for an unknown or revoked key.';


--
-- Name: courier_console_session_principal_v1(bytea); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_console_session_principal_v1(p_token_hash bytea) RETURNS TABLE(principal_id uuid, tenant_id uuid, external_id text, acl_groups text[], roles text[], key_id text, expires_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT p.id, p.tenant_id, p.external_id, k.acl_groups, k.roles, k.key_id, s.expires_at
    FROM console_sessions s
    JOIN api_keys k ON k.key_id = s.key_id AND k.revoked_at IS NULL
    JOIN principals p ON p.id = k.principal_id
    WHERE s.token_hash = p_token_hash AND s.expires_at > now()
$$;


--
-- Name: FUNCTION courier_console_session_principal_v1(p_token_hash bytea); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_console_session_principal_v1(p_token_hash bytea) IS 'The principal (with its key''s roles and groups) of a console session that has not expired and whose API key is live, given the SHA-256 of the session token.';


--
-- Name: courier_console_sessions_notify_ended(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_console_sessions_notify_ended() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('courier_console_sessions_ended', encode(OLD.token_hash, 'hex'));
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION courier_console_sessions_notify_ended(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_console_sessions_notify_ended() IS 'Notifies courier_console_sessions_ended with the hex SHA-256 of a console session token when its session row is deleted (sign-out, cleanup): API processes end its live streams.';


--
-- Name: courier_embedding_acl_is_chunk_acl(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_embedding_acl_is_chunk_acl() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    parent chunks%ROWTYPE;
BEGIN
    SELECT * INTO parent FROM chunks c WHERE c.id = NEW.chunk_id;
    IF NOT FOUND OR NEW.tenant_id IS DISTINCT FROM parent.tenant_id
       OR NEW.acl_groups IS DISTINCT FROM parent.acl_groups THEN
        RAISE EXCEPTION 'an embedding''s tenant and groups are its chunk''s: change the document'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chunk_embeddings_acl_is_chunk_acl';
    END IF;
    RETURN NEW;
END
$$;


--
-- Name: courier_embedding_code(public.vector); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_embedding_code(v public.vector) RETURNS bit
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT string_agg(CASE WHEN t.x > 0 THEN '1100' WHEN t.x < 0 THEN '0011' ELSE '0110' END,
                      '' ORDER BY t.i)::varbit::bit(1536)
    FROM unnest(v::real[]) WITH ORDINALITY AS t (x, i)
$$;


--
-- Name: FUNCTION courier_embedding_code(v public.vector); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_embedding_code(v public.vector) IS 'An embedding''s search code: 4 bits a dimension (1100 positive, 0110 zero, 0011 negative); see courier_query_code.';


--
-- Name: courier_embedding_copy_chunk(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_embedding_copy_chunk() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    SELECT c.tenant_id, c.acl_groups INTO NEW.tenant_id, NEW.acl_groups
    FROM chunks c WHERE c.id = NEW.chunk_id;
    RETURN NEW;
END
$$;


--
-- Name: courier_job_events_check_seq(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_events_check_seq() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT last_event_seq FROM jobs WHERE id = NEW.job_id) THEN
        RAISE EXCEPTION 'job % : event % is not the next event of the job (events are written by the jobs trigger)',
            NEW.job_id, NEW.seq
            USING ERRCODE = 'check_violation', CONSTRAINT = 'job_events_seq_gapless';
    END IF;
    RETURN NEW;
END
$$;


--
-- Name: courier_job_events_notify(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_events_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('courier_job_events', json_build_object(
        'tenant_id', NEW.tenant_id, 'job_id', NEW.job_id, 'seq', NEW.seq, 'state', NEW.state
    )::text);
    RETURN NULL;
END
$$;


--
-- Name: courier_job_events_outbox(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_events_outbox() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    event_type text := 'job.' || NEW.type;
    event_id text := 'evt_' || replace(NEW.job_id::text, '-', '') || '_' || NEW.seq;
    written integer;
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
    IF written > 0 THEN
        -- Identical payloads fold into one notification per transaction.
        PERFORM pg_notify('courier_outbox', '');
    END IF;
    RETURN NULL;
END
$$;


--
-- Name: courier_job_events_outbox_v2(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_events_outbox_v2() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION courier_job_events_outbox_v2(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_job_events_outbox_v2() IS 'One outbox row per destination of a job event (the job''s callback_url, subscribed endpoints) and, for a response job''s terminal event, one per endpoint that names its response.* type.';


--
-- Name: courier_job_llm_calls_v1(uuid, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_llm_calls_v1(p_job_id uuid, p_tenant_id uuid) RETURNS TABLE(attempt integer, step text, model text, prompt_version text, input_tokens integer, cached_input_tokens integer, output_tokens integer, reasoning_tokens integer, cost_usd numeric, latency_ms double precision, outcome text, created_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT c.attempt, c.step, c.model, c.prompt_version, c.input_tokens, c.cached_input_tokens,
           c.output_tokens, c.reasoning_tokens, c.cost_usd, c.latency_ms, c.outcome, c.created_at
    FROM llm_calls c
    WHERE c.job_id = p_job_id AND c.tenant_id = p_tenant_id
    ORDER BY c.created_at, c.id
$$;


--
-- Name: FUNCTION courier_job_llm_calls_v1(p_job_id uuid, p_tenant_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_job_llm_calls_v1(p_job_id uuid, p_tenant_id uuid) IS 'One job''s model calls (of one tenant), oldest first: tokens, cost, latency and outcome; how the runtime role shows them in the console without reading llm_calls.';


--
-- Name: courier_job_note_v1(uuid, uuid, text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_note_v1(p_job_id uuid, p_lease uuid, p_type text, p_data jsonb) RETURNS integer
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION courier_job_note_v1(p_job_id uuid, p_lease uuid, p_type text, p_data jsonb); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_job_note_v1(p_job_id uuid, p_lease uuid, p_type text, p_data jsonb) IS 'Append a note event (e.g. model_fallback) to the running job held by this lease; NULL when the lease no longer holds it.';


--
-- Name: courier_job_reader_documents(uuid, uuid, text[], uuid[], uuid[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_reader_documents(p_tenant_id uuid, p_user_id uuid, p_groups text[], p_job_ids uuid[], p_cited_ids uuid[]) RETURNS TABLE(id uuid, retrieved_by uuid[], visible boolean, title text, url text)
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM set_config('courier.tenant_id', p_tenant_id::text, true),
            set_config('courier.user_id', p_user_id::text, true),
            set_config('courier.groups', p_groups::text, true),
            set_config('courier.scope', '', true);
    RETURN QUERY
    WITH retrieved AS (
        SELECT s.document_id, array_agg(DISTINCT s.job_id) AS job_ids
        FROM job_sources s
        WHERE s.job_id = ANY (p_job_ids)
        GROUP BY s.document_id
    ), wanted AS (
        SELECT coalesce(r.document_id, c.cited) AS document_id,
               coalesce(r.job_ids, '{}'::uuid[]) AS job_ids
        FROM retrieved r
        FULL JOIN (SELECT DISTINCT u.cited FROM unnest(p_cited_ids) AS u (cited)) c
            ON c.cited = r.document_id
    )
    SELECT w.document_id, w.job_ids, d.id IS NOT NULL, d.title, d.url
    FROM wanted w
    LEFT JOIN documents d ON d.id = w.document_id;
END
$$;


--
-- Name: FUNCTION courier_job_reader_documents(p_tenant_id uuid, p_user_id uuid, p_groups text[], p_job_ids uuid[], p_cited_ids uuid[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_job_reader_documents(p_tenant_id uuid, p_user_id uuid, p_groups text[], p_job_ids uuid[], p_cited_ids uuid[]) IS 'Acting for the reader (transaction-local), under row level security: each document the jobs p_job_ids retrieved or their results cite (p_cited_ids), whether the reader may see it now, its title and URL, and which of the jobs retrieved it.';


--
-- Name: courier_job_state_is_terminal(public.job_state); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_state_is_terminal(state public.job_state) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT state IN ('succeeded', 'failed', 'cancelled', 'expired')
$$;


--
-- Name: courier_uuid_v7(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_uuid_v7() RETURNS uuid
    LANGUAGE sql PARALLEL SAFE
    AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    placing substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;


--
-- Name: FUNCTION courier_uuid_v7(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_uuid_v7() IS 'A random UUID version 7: 48 bits of Unix milliseconds, then random bits.';


SET default_table_access_method = heap;

--
-- Name: jobs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.jobs (
    id uuid DEFAULT public.courier_uuid_v7() NOT NULL,
    tenant_id uuid NOT NULL,
    requester_id uuid NOT NULL,
    kind text NOT NULL,
    input jsonb,
    idempotency_key text NOT NULL,
    request_hash text NOT NULL,
    state public.job_state DEFAULT 'queued'::public.job_state NOT NULL,
    priority smallint DEFAULT 0 NOT NULL,
    queue text DEFAULT 'jobs'::text NOT NULL,
    attempt integer DEFAULT 0 NOT NULL,
    lease uuid,
    queue_job_id bigint,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    updated_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    expires_at timestamp with time zone NOT NULL,
    result jsonb,
    error jsonb,
    model text,
    prompt_version text,
    input_tokens integer DEFAULT 0 NOT NULL,
    output_tokens integer DEFAULT 0 NOT NULL,
    cost_usd numeric(14,6) DEFAULT 0 NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    last_event_seq integer DEFAULT 0 NOT NULL,
    replay_of uuid,
    callback_url text,
    purged_at timestamp with time zone,
    retry_at timestamp with time zone,
    replayed_by_id uuid,
    backfill_batch text,
    acl_groups text[],
    held_result jsonb,
    review_reasons jsonb,
    safety_flags jsonb,
    CONSTRAINT jobs_backfill_batch_format CHECK (((length(backfill_batch) >= 1) AND (length(backfill_batch) <= 200))),
    CONSTRAINT jobs_error_shape CHECK (((error IS NULL) OR ((jsonb_typeof(error) = 'object'::text) AND (error ? 'code'::text) AND (error ? 'message'::text)))),
    CONSTRAINT jobs_expires_after_creation CHECK ((expires_at > created_at)),
    CONSTRAINT jobs_failed_has_error CHECK (((state <> 'failed'::public.job_state) OR (error IS NOT NULL))),
    CONSTRAINT jobs_finished_iff_terminal CHECK ((public.courier_job_state_is_terminal(state) = (finished_at IS NOT NULL))),
    CONSTRAINT jobs_idempotency_key_format CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 255))),
    CONSTRAINT jobs_input_kept_until_purged CHECK (((input IS NOT NULL) OR (purged_at IS NOT NULL))),
    CONSTRAINT jobs_priority_range CHECK (((priority >= '-100'::integer) AND (priority <= 100))),
    CONSTRAINT jobs_replay_origin CHECK ((((replayed_by_id IS NULL) AND (backfill_batch IS NULL)) OR ((replay_of IS NOT NULL) AND ((replayed_by_id IS NULL) <> (backfill_batch IS NULL))))),
    CONSTRAINT jobs_retry_at_only_queued CHECK (((retry_at IS NULL) OR (state = 'queued'::public.job_state))),
    CONSTRAINT jobs_review_holds_output CHECK (((state <> 'needs_review'::public.job_state) OR ((result IS NULL) AND ((held_result IS NOT NULL) OR (purged_at IS NOT NULL))))),
    CONSTRAINT jobs_review_reasons_shape CHECK (((review_reasons IS NULL) OR ((jsonb_typeof(review_reasons) = 'array'::text) AND (jsonb_array_length(review_reasons) > 0) AND (NOT jsonb_path_exists(review_reasons, '$[*]?((@.type() != "object" || !(exists (@."code"))) || @."code".type() != "string")'::jsonpath))))),
    CONSTRAINT jobs_running_has_lease CHECK (((state <> 'running'::public.job_state) OR (lease IS NOT NULL))),
    CONSTRAINT jobs_safety_flags_shape CHECK (((safety_flags IS NULL) OR (jsonb_typeof(safety_flags) = 'array'::text))),
    CONSTRAINT jobs_succeeded_has_result CHECK (((state <> 'succeeded'::public.job_state) OR (result IS NOT NULL) OR (purged_at IS NOT NULL)))
);


--
-- Name: TABLE jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.jobs IS 'One row per job: its request, its current state, its result or error, and its cost. History is in job_events.';


--
-- Name: COLUMN jobs.request_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.request_hash IS 'SHA-256 of the normalised request body, compared when an Idempotency-Key is reused.';


--
-- Name: COLUMN jobs.state; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.state IS 'queued, running, needs_review, succeeded, failed, cancelled or expired; changes only along job_state_transitions.';


--
-- Name: COLUMN jobs.attempt; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.attempt IS 'How many executions have started; each start takes a new lease.';


--
-- Name: COLUMN jobs.lease; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.lease IS 'Fencing token of the execution that owns the job; a completion must present it.';


--
-- Name: COLUMN jobs.queue_job_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.queue_job_id IS 'procrastinate_jobs.id of the queue entry that runs this job.';


--
-- Name: COLUMN jobs.input_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.input_tokens IS 'Model input tokens of the calls settled while the job was open, all attempts; llm_calls has every call.';


--
-- Name: COLUMN jobs.output_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.output_tokens IS 'Model output tokens of the calls settled while the job was open, all attempts; llm_calls has every call.';


--
-- Name: COLUMN jobs.cost_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.cost_usd IS 'Model cost in US dollars of the calls settled while the job was open, all attempts; llm_calls has every call, also those settled after the job finished.';


--
-- Name: COLUMN jobs.version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.version IS 'Bumped on every change; the HTTP ETag.';


--
-- Name: COLUMN jobs.last_event_seq; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.last_event_seq IS 'seq of the newest job_events row of this job.';


--
-- Name: COLUMN jobs.purged_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.purged_at IS 'When retention removed input and result; the audit columns stay.';


--
-- Name: COLUMN jobs.retry_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.retry_at IS 'While a job waits to be retried after a transient error: when its next attempt may start.';


--
-- Name: COLUMN jobs.replayed_by_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.replayed_by_id IS 'For a replay made over the API: the principal who asked for it (principals.id); NULL otherwise.';


--
-- Name: COLUMN jobs.backfill_batch; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.backfill_batch IS 'For a replay made by `courier backfill`: its batch (--batch, default the kind''s prompt version); NULL otherwise.';


--
-- Name: COLUMN jobs.acl_groups; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.acl_groups IS 'ACL groups of the key that submitted the job (a replay: of its original), fixed at intake; the model cache keys on them. NULL for jobs submitted before groups were recorded (they never use the cache).';


--
-- Name: COLUMN jobs.held_result; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.held_result IS 'The output held for a reviewer (state needs_review): never shown to the requester, a webhook or the cache; result stays NULL until a reviewer approves.';


--
-- Name: COLUMN jobs.review_reasons; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.review_reasons IS 'Why the output was held for review, or refused by a kind without review: a JSON array of objects with a code: the risk policy''s {code, detail} (high_risk_kind, high_risk, low_confidence, escalation) and the safety checks'' injection_suspected {fields, signals} and guard_violation {step, guard, field, problem} (redacted, never the value); NULL when none.';


--
-- Name: COLUMN jobs.safety_flags; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.jobs.safety_flags IS 'Instruction-like content the injection detector found (and quarantined) in the job''s untrusted input: a JSON array of {step, field, signals}; NULL when none.';


--
-- Name: courier_job_submit_v1(text, text, boolean, boolean, double precision, integer, text, uuid, uuid, text[], text, jsonb, text, text, smallint, text, interval, text, uuid, uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_submit_v1(p_actor text, p_lock_timeout text, p_budget boolean, p_rate_limit boolean, p_default_rate double precision, p_default_burst integer, p_task_name text, p_tenant_id uuid, p_requester_id uuid, p_acl_groups text[], p_kind text, p_input jsonb, p_idempotency_key text, p_request_hash text, p_priority smallint, p_queue text, p_expires_in interval, p_callback_url text, p_replay_of uuid, p_replayed_by_id uuid, p_backfill_batch text) RETURNS TABLE(outcome text, retry_after_seconds double precision, budget_usd numeric, spent_usd numeric, job public.jobs)
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION courier_job_submit_v1(p_actor text, p_lock_timeout text, p_budget boolean, p_rate_limit boolean, p_default_rate double precision, p_default_burst integer, p_task_name text, p_tenant_id uuid, p_requester_id uuid, p_acl_groups text[], p_kind text, p_input jsonb, p_idempotency_key text, p_request_hash text, p_priority smallint, p_queue text, p_expires_in interval, p_callback_url text, p_replay_of uuid, p_replayed_by_id uuid, p_backfill_batch text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_job_submit_v1(p_actor text, p_lock_timeout text, p_budget boolean, p_rate_limit boolean, p_default_rate double precision, p_default_burst integer, p_task_name text, p_tenant_id uuid, p_requester_id uuid, p_acl_groups text[], p_kind text, p_input jsonb, p_idempotency_key text, p_request_hash text, p_priority smallint, p_queue text, p_expires_in interval, p_callback_url text, p_replay_of uuid, p_replayed_by_id uuid, p_backfill_batch text) IS 'Intake in one statement: budget, the job (or the one this Idempotency-Key made), its event and queue entry, then a rate-limit token; outcome created, existing, over_budget or rate_limited.';


--
-- Name: courier_job_usage_v1(uuid, uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_job_usage_v1(p_job_id uuid, p_tenant_id uuid) RETURNS TABLE(calls bigint, input_tokens bigint, cached_input_tokens bigint, output_tokens bigint, reasoning_tokens bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT count(*), coalesce(sum(c.input_tokens), 0), coalesce(sum(c.cached_input_tokens), 0),
           coalesce(sum(c.output_tokens), 0), coalesce(sum(c.reasoning_tokens), 0)
    FROM llm_calls c
    WHERE c.job_id = p_job_id AND c.tenant_id = p_tenant_id
$$;


--
-- Name: FUNCTION courier_job_usage_v1(p_job_id uuid, p_tenant_id uuid); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_job_usage_v1(p_job_id uuid, p_tenant_id uuid) IS 'Token totals of one job''s model calls (of one tenant): how the runtime role reports a response''s usage without reading llm_calls.';


--
-- Name: courier_jobs_after_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_jobs_after_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: courier_jobs_before_write(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_jobs_before_write() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: courier_jobs_replay_origin_fixed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_jobs_replay_origin_fixed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'job % : who asked for what is fixed at intake', OLD.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'job_identity_immutable';
END
$$;


--
-- Name: courier_jobs_review_decided(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_jobs_review_decided() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM reviews r WHERE r.job_id = NEW.id) THEN
        RAISE EXCEPTION 'job % : a review decision needs its reviews row', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'jobs_review_decided_by_review';
    END IF;
    RETURN NULL;
END
$$;


--
-- Name: courier_outbox_before_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_outbox_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    target text;
    destination outbox_destinations;
BEGIN
    IF NEW.endpoint_id IS NOT NULL THEN
        SELECT url INTO target FROM webhook_endpoints WHERE id = NEW.endpoint_id;
    ELSE
        SELECT callback_url INTO target FROM jobs WHERE id = NEW.job_id;
    END IF;
    destination := courier_outbox_destination_v1(NEW.tenant_id, coalesce(target, ''));
    NEW.destination_id := destination.id;
    -- A test send (no job) goes at once even to a paused destination: it is how a
    -- tenant checks a mended receiver, and its success ends the pause.
    IF NEW.job_id IS NOT NULL THEN
        NEW.next_attempt_at := greatest(NEW.next_attempt_at, destination.paused_until);
    END IF;
    NEW.held := NEW.job_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM outbox earlier
        WHERE earlier.job_id = NEW.job_id
          AND earlier.endpoint_id IS NOT DISTINCT FROM NEW.endpoint_id
          AND earlier.seq < NEW.seq
          AND earlier.status = 'pending');
    RETURN NEW;
END
$$;


--
-- Name: outbox_destinations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox_destinations (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    url text NOT NULL,
    url_hash bytea NOT NULL,
    failures integer DEFAULT 0 NOT NULL,
    failing_since timestamp with time zone,
    probe_at timestamp with time zone,
    paused_until timestamp with time zone,
    CONSTRAINT outbox_destinations_failing_since CHECK (((failures = 0) = (failing_since IS NULL))),
    CONSTRAINT outbox_destinations_paused_while_failing CHECK ((((probe_at IS NULL) = (paused_until IS NULL)) AND ((paused_until IS NULL) OR (failures > 0))))
);


--
-- Name: TABLE outbox_destinations; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.outbox_destinations IS 'Where webhooks go (a tenant''s URL: an endpoint or a job callback_url) and whether it is failing; a failing destination is paused so its backlog waits without slowing anyone else.';


--
-- Name: COLUMN outbox_destinations.url_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox_destinations.url_hash IS 'SHA-256 of url: the unique key (a URL may be longer than an index entry).';


--
-- Name: COLUMN outbox_destinations.failures; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox_destinations.failures IS 'Pauses in a row (each a failed probe); 0 while the destination answers. Sets the backoff of the next probe.';


--
-- Name: COLUMN outbox_destinations.failing_since; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox_destinations.failing_since IS 'When the current run of failures began; NULL while healthy.';


--
-- Name: COLUMN outbox_destinations.probe_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox_destinations.probe_at IS 'While paused: when the failed row (the probe) is tried again.';


--
-- Name: COLUMN outbox_destinations.paused_until; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox_destinations.paused_until IS 'While paused: no other row of the destination is tried before this (the probe answers first).';


--
-- Name: courier_outbox_destination_v1(uuid, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_outbox_destination_v1(p_tenant_id uuid, p_url text) RETURNS public.outbox_destinations
    LANGUAGE plpgsql
    AS $$
DECLARE
    key bytea := sha256(convert_to(p_url, 'UTF8'));
    destination outbox_destinations;
BEGIN
    SELECT * INTO destination FROM outbox_destinations WHERE tenant_id = p_tenant_id AND url_hash = key;
    IF NOT FOUND THEN
        INSERT INTO outbox_destinations (tenant_id, url, url_hash) VALUES (p_tenant_id, p_url, key)
        ON CONFLICT ON CONSTRAINT outbox_destinations_one_per_url DO NOTHING
        RETURNING * INTO destination;
        IF NOT FOUND THEN  -- a concurrent transaction made it first
            SELECT * INTO destination FROM outbox_destinations
            WHERE tenant_id = p_tenant_id AND url_hash = key;
        END IF;
    END IF;
    RETURN destination;
END
$$;


--
-- Name: FUNCTION courier_outbox_destination_v1(p_tenant_id uuid, p_url text); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_outbox_destination_v1(p_tenant_id uuid, p_url text) IS 'The outbox destination of a tenant''s URL, created on first use.';


--
-- Name: courier_outbox_release_next(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_outbox_release_next() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    -- A transaction changing the job may be writing its next event right now, held
    -- behind this row it saw pending: wait for it to commit (the job row is locked
    -- while it runs), so the next statement sees that row. A transaction that
    -- starts later sees this row settled and holds nothing behind it.
    PERFORM 1 FROM jobs WHERE id = NEW.job_id FOR SHARE;
    UPDATE outbox o
    SET held = false,
        next_attempt_at = greatest(o.next_attempt_at, d.paused_until)
    FROM outbox_destinations d
    WHERE o.id = (
            SELECT n.id FROM outbox n
            WHERE n.job_id = NEW.job_id
              AND n.endpoint_id IS NOT DISTINCT FROM NEW.endpoint_id
              AND n.status = 'pending'
              AND n.held
            ORDER BY n.seq
            LIMIT 1)
      AND d.id = o.destination_id;
    RETURN NULL;
END
$$;


--
-- Name: courier_provider_pause_announce(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_provider_pause_announce() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('courier_provider_pauses', coalesce(NEW.provider, OLD.provider));
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION courier_provider_pause_announce(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_provider_pause_announce() IS 'NOTIFY courier_provider_pauses with the provider whose pause changed (workers keep pauses in memory while they listen).';


--
-- Name: courier_query_code(public.vector); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_query_code(v public.vector) RETURNS bit
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT string_agg(CASE WHEN t.x > 0 THEN '1100' WHEN t.x < 0 THEN '0011' ELSE '0000' END,
                      '' ORDER BY t.i)::varbit::bit(1536)
    FROM unnest(v::real[]) WITH ORDINALITY AS t (x, i)
$$;


--
-- Name: FUNCTION courier_query_code(v public.vector); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_query_code(v public.vector) IS 'A query embedding''s code: its Hamming distance to an embedding''s code (courier_embedding_code) orders by the sign agreement on the query''s nonzero dimensions.';


--
-- Name: courier_query_heavy_code(public.vector); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_query_heavy_code(v public.vector) RETURNS bit
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    WITH t AS (SELECT x, i FROM unnest(v::real[]) WITH ORDINALITY AS u (x, i)),
         floor AS (SELECT 1.5 * min(abs(x)) AS heavy FROM t WHERE x <> 0)
    SELECT string_agg(CASE WHEN abs(t.x) < f.heavy OR f.heavy IS NULL THEN '0000'
                           WHEN t.x > 0 THEN '1100' ELSE '0011' END,
                      '' ORDER BY t.i)::varbit::bit(1536)
    FROM t, floor f
$$;


--
-- Name: FUNCTION courier_query_heavy_code(v public.vector); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_query_heavy_code(v public.vector) IS 'The code of a query embedding''s heavier dimensions (at least 1.5 times its smallest nonzero magnitude): its Hamming distance, added to courier_query_code''s, weighs them twice.';


--
-- Name: courier_rate_limit_take_v1(uuid, double precision, integer, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_rate_limit_take_v1(p_tenant_id uuid, p_default_rate double precision, p_default_burst integer, p_now timestamp with time zone) RETURNS TABLE(allowed boolean, retry_after_seconds double precision, tokens_left double precision)
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: FUNCTION courier_rate_limit_take_v1(p_tenant_id uuid, p_default_rate double precision, p_default_burst integer, p_now timestamp with time zone); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_rate_limit_take_v1(p_tenant_id uuid, p_default_rate double precision, p_default_burst integer, p_now timestamp with time zone) IS 'Token bucket: take one intake token for a tenant (allowed), or say how long until one is available.';


--
-- Name: courier_rate_limit_take_v2(uuid, text, double precision, integer, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_rate_limit_take_v2(p_tenant_id uuid, p_idempotency_key text, p_default_rate double precision, p_default_burst integer, p_now timestamp with time zone) RETURNS TABLE(retried boolean, allowed boolean, retry_after_seconds double precision, tokens_left double precision)
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM jobs j WHERE j.tenant_id = p_tenant_id AND j.idempotency_key = p_idempotency_key) THEN
        RETURN QUERY SELECT true, true, 0::double precision, NULL::double precision;
        RETURN;
    END IF;
    RETURN QUERY
        SELECT false, t.allowed, t.retry_after_seconds, t.tokens_left
        FROM courier_rate_limit_take_v1(p_tenant_id, p_default_rate, p_default_burst, p_now) t;
END
$$;


--
-- Name: FUNCTION courier_rate_limit_take_v2(p_tenant_id uuid, p_idempotency_key text, p_default_rate double precision, p_default_burst integer, p_now timestamp with time zone); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_rate_limit_take_v2(p_tenant_id uuid, p_idempotency_key text, p_default_rate double precision, p_default_burst integer, p_now timestamp with time zone) IS 'Token bucket for intake: a request whose Idempotency-Key already made a job is a retry (retried, no token); otherwise take one token (allowed) or say how long until one is available.';


--
-- Name: courier_refuse_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_ARGV[0];
END
$$;


--
-- Name: courier_refuse_truncate(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '% keeps the job history: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_ARGV[0];
END
$$;


--
-- Name: courier_reviews_before_update(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_reviews_before_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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


--
-- Name: courier_search_scope(uuid, uuid, text[], bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_search_scope(p_tenant_id uuid, p_user_id uuid, p_groups text[], p_exact_limit bigint) RETURNS TABLE(model text, searchable boolean, vectors boolean, exact boolean, embeddings bigint)
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM set_config('courier.tenant_id', p_tenant_id::text, true),
            set_config('courier.user_id', p_user_id::text, true),
            set_config('courier.groups', p_groups::text, true),
            set_config('courier.scope', '', true);
    RETURN QUERY
    WITH active AS (
        SELECT m.model FROM embedding_models m WHERE m.state = 'active'
    ), counted AS (
        SELECT coalesce(sum(n.embeddings), 0)::bigint AS embeddings
        FROM chunk_acl_counts n
        WHERE n.model = (SELECT a.model FROM active a)
          AND n.acl_key = ANY (courier_acting_acl_keys())
    )
    SELECT (SELECT a.model FROM active a),
           c.embeddings > 0 OR EXISTS (SELECT 1 FROM chunks),
           c.embeddings > 0,
           c.embeddings <= p_exact_limit,
           c.embeddings
    FROM counted c;
END
$$;


--
-- Name: FUNCTION courier_search_scope(p_tenant_id uuid, p_user_id uuid, p_groups text[], p_exact_limit bigint); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_search_scope(p_tenant_id uuid, p_user_id uuid, p_groups text[], p_exact_limit bigint) IS 'Acting for the reader (transaction-local), under row level security: the active embedding model, whether any chunk is visible, whether any embedding may be, whether search takes the exact path (at most p_exact_limit embeddings) and how many embeddings it may see at most.';


--
-- Name: courier_stream_token_secrets_notify(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_stream_token_secrets_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('courier_stream_token_secrets', '');
    RETURN NULL;
END
$$;


--
-- Name: FUNCTION courier_stream_token_secrets_notify(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_stream_token_secrets_notify() IS 'Notifies courier_stream_token_secrets after a rotation: API processes reload their signing secrets.';


--
-- Name: courier_tenant_acl_keys(uuid, text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_tenant_acl_keys(p_tenant_id uuid, p_acl_groups text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT array_agg(p_tenant_id::text || '/' || k.key)
    FROM unnest(p_acl_groups || ''::text) AS k (key)
$$;


--
-- Name: FUNCTION courier_tenant_acl_keys(p_tenant_id uuid, p_acl_groups text[]); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_tenant_acl_keys(p_tenant_id uuid, p_acl_groups text[]) IS 'A row''s ACL keys (courier_acl_keys), each prefixed with its tenant: one index entry per tenant and group.';


--
-- Name: courier_tenant_model_usage_v1(uuid, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_tenant_model_usage_v1(p_tenant_id uuid, p_since timestamp with time zone) RETURNS TABLE(kind text, model text, calls bigint, cache_hits bigint, failed_calls bigint, jobs bigint, input_tokens bigint, output_tokens bigint, cost_usd numeric, latency_p50_ms numeric, latency_p95_ms numeric)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT c.kind, c.model,
           count(*),
           count(*) FILTER (WHERE c.outcome = 'cache_hit'),
           count(*) FILTER (WHERE c.outcome NOT IN ('ok', 'refused', 'cache_hit')),
           count(DISTINCT c.job_id),
           sum(c.input_tokens)::bigint,
           sum(c.output_tokens)::bigint,
           sum(c.cost_usd),
           -- Cache hits are not provider calls: their latency would flatter the model.
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.latency_ms)
                  FILTER (WHERE c.outcome <> 'cache_hit'))::numeric, 1),
           round((percentile_cont(0.95) WITHIN GROUP (ORDER BY c.latency_ms)
                  FILTER (WHERE c.outcome <> 'cache_hit'))::numeric, 1)
    FROM llm_calls c
    WHERE c.tenant_id = p_tenant_id AND c.created_at >= p_since
    GROUP BY c.kind, c.model
$$;


--
-- Name: FUNCTION courier_tenant_model_usage_v1(p_tenant_id uuid, p_since timestamp with time zone); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_tenant_model_usage_v1(p_tenant_id uuid, p_since timestamp with time zone) IS 'One tenant''s model calls since p_since per kind and model: calls, cache hits, failed calls, distinct jobs, tokens, cost (US dollars) and provider-call latency p50/p95 (ms, cache hits left out); how the runtime role shows a tenant its costs in the console without reading llm_calls.';


--
-- Name: courier_webhook_secret(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.courier_webhook_secret() RETURNS text
    LANGUAGE sql
    AS $$
    SELECT 'whsec_' || encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 'base64')
$$;


--
-- Name: FUNCTION courier_webhook_secret(); Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON FUNCTION public.courier_webhook_secret() IS 'A new Standard Webhooks signing secret: whsec_ + base64 of 32 random bytes.';


--
-- Name: procrastinate_cancel_job_v1(bigint, boolean, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_cancel_job_v1(job_id bigint, abort boolean, delete_job boolean) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    _job_id bigint;
BEGIN
    IF delete_job THEN
        DELETE FROM procrastinate_jobs
        WHERE id = job_id AND status = 'todo'
        RETURNING id INTO _job_id;
    END IF;
    IF _job_id IS NULL THEN
        IF abort THEN
            UPDATE procrastinate_jobs
            SET abort_requested = true,
                status = CASE status
                    WHEN 'todo' THEN 'cancelled'::procrastinate_job_status ELSE status
                END
            WHERE id = job_id AND status IN ('todo', 'doing')
            RETURNING id INTO _job_id;
        ELSE
            UPDATE procrastinate_jobs
            SET status = 'cancelled'::procrastinate_job_status
            WHERE id = job_id AND status = 'todo'
            RETURNING id INTO _job_id;
        END IF;
    END IF;
    RETURN _job_id;
END;
$$;


--
-- Name: procrastinate_defer_jobs_v1(public.procrastinate_job_to_defer_v1[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_defer_jobs_v1(jobs public.procrastinate_job_to_defer_v1[]) RETURNS bigint[]
    LANGUAGE plpgsql
    AS $$
DECLARE
    job_ids bigint[];
BEGIN
    WITH inserted_jobs AS (
        INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at)
        SELECT (job).queue_name,
               (job).task_name,
               (job).priority,
               (job).lock,
               (job).queueing_lock,
               (job).args,
               (job).scheduled_at
        FROM unnest(jobs) AS job
        RETURNING id
    )
    SELECT array_agg(id) FROM inserted_jobs INTO job_ids;

    RETURN job_ids;
END;
$$;


--
-- Name: procrastinate_defer_periodic_job_v2(character varying, character varying, character varying, character varying, integer, character varying, bigint, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_defer_periodic_job_v2(_queue_name character varying, _lock character varying, _queueing_lock character varying, _task_name character varying, _priority integer, _periodic_id character varying, _defer_timestamp bigint, _args jsonb) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
	_job_id bigint;
	_defer_id bigint;
BEGIN
    INSERT
        INTO procrastinate_periodic_defers (task_name, periodic_id, defer_timestamp)
        VALUES (_task_name, _periodic_id, _defer_timestamp)
        ON CONFLICT DO NOTHING
        RETURNING id into _defer_id;

    IF _defer_id IS NULL THEN
        RETURN NULL;
    END IF;

    UPDATE procrastinate_periodic_defers
        SET job_id = (
            SELECT COALESCE((
                SELECT unnest(procrastinate_defer_jobs_v1(
                    ARRAY[
                        ROW(
                            _queue_name,
                            _task_name,
                            _priority,
                            _lock,
                            _queueing_lock,
                            _args,
                            NULL::timestamptz
                        )
                    ]::procrastinate_job_to_defer_v1[]
                ))
            ), NULL)
        )
        WHERE id = _defer_id
        RETURNING job_id INTO _job_id;

    DELETE
        FROM procrastinate_periodic_defers
        USING (
            SELECT id
            FROM procrastinate_periodic_defers
            WHERE procrastinate_periodic_defers.task_name = _task_name
            AND procrastinate_periodic_defers.periodic_id = _periodic_id
            AND procrastinate_periodic_defers.defer_timestamp < _defer_timestamp
            ORDER BY id
            FOR UPDATE
        ) to_delete
        WHERE procrastinate_periodic_defers.id = to_delete.id;

    RETURN _job_id;
END;
$$;


--
-- Name: procrastinate_jobs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procrastinate_jobs (
    id bigint NOT NULL,
    queue_name character varying(128) NOT NULL,
    task_name character varying(128) NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    lock text,
    queueing_lock text,
    args jsonb DEFAULT '{}'::jsonb NOT NULL,
    status public.procrastinate_job_status DEFAULT 'todo'::public.procrastinate_job_status NOT NULL,
    scheduled_at timestamp with time zone,
    attempts integer DEFAULT 0 NOT NULL,
    abort_requested boolean DEFAULT false NOT NULL,
    worker_id bigint,
    CONSTRAINT check_not_todo_abort_requested CHECK ((NOT ((status = 'todo'::public.procrastinate_job_status) AND (abort_requested = true))))
);


--
-- Name: procrastinate_fetch_job_v2(character varying[], bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_fetch_job_v2(target_queue_names character varying[], p_worker_id bigint) RETURNS public.procrastinate_jobs
    LANGUAGE plpgsql
    AS $$
DECLARE
	found_jobs procrastinate_jobs;
BEGIN
    WITH candidate AS (
        SELECT jobs.*
            FROM procrastinate_jobs AS jobs
            WHERE
                -- reject the job if its lock has earlier or higher priority jobs
                NOT EXISTS (
                    SELECT 1
                        FROM procrastinate_jobs AS other_jobs
                        WHERE
                            jobs.lock IS NOT NULL
                            AND other_jobs.lock = jobs.lock
                            AND (
                                -- job with same lock is already running
                                other_jobs.status = 'doing'
                                OR
                                -- job with same lock is waiting and has higher priority (or same priority but was queued first)
                                (
                                    other_jobs.status = 'todo'
                                    AND (
                                        other_jobs.priority > jobs.priority
                                        OR (
                                        other_jobs.priority = jobs.priority
                                        AND other_jobs.id < jobs.id
                                        )
                                    )
                                )
                            )
                )
                AND jobs.status = 'todo'
                AND (target_queue_names IS NULL OR jobs.queue_name = ANY( target_queue_names ))
                AND (jobs.scheduled_at IS NULL OR jobs.scheduled_at <= now())
            ORDER BY jobs.priority DESC, jobs.id ASC LIMIT 1
            FOR UPDATE OF jobs SKIP LOCKED
    )
    UPDATE procrastinate_jobs
        SET status = 'doing', worker_id = p_worker_id
        FROM candidate
        WHERE procrastinate_jobs.id = candidate.id
        RETURNING procrastinate_jobs.* INTO found_jobs;

 RETURN found_jobs;
END;
$$;


--
-- Name: procrastinate_finish_job_v1(bigint, public.procrastinate_job_status, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_finish_job_v1(job_id bigint, end_status public.procrastinate_job_status, delete_job boolean) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    _job_id bigint;
BEGIN
    IF end_status NOT IN ('succeeded', 'failed', 'aborted') THEN
        RAISE 'End status should be either "succeeded", "failed" or "aborted" (job id: %)', job_id;
    END IF;
    IF delete_job THEN
        DELETE FROM procrastinate_jobs
        WHERE id = job_id AND status IN ('todo', 'doing')
        RETURNING id INTO _job_id;
    ELSE
        UPDATE procrastinate_jobs
        SET status = end_status,
            abort_requested = false,
            attempts = CASE status
                WHEN 'doing' THEN attempts + 1 ELSE attempts
            END
        WHERE id = job_id AND status IN ('todo', 'doing')
        RETURNING id INTO _job_id;
    END IF;
    IF _job_id IS NULL THEN
        RAISE 'Job was not found or not in "doing" or "todo" status (job id: %)', job_id;
    END IF;
END;
$$;


--
-- Name: procrastinate_notify_queue_abort_job_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_notify_queue_abort_job_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    payload TEXT;
BEGIN
    SELECT json_build_object('type', 'abort_job_requested', 'job_id', NEW.id)::text INTO payload;
	PERFORM pg_notify('procrastinate_queue_v1#' || NEW.queue_name, payload);
	PERFORM pg_notify('procrastinate_any_queue_v1', payload);
	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_notify_queue_job_inserted_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_notify_queue_job_inserted_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    payload TEXT;
BEGIN
    SELECT json_build_object('type', 'job_inserted', 'job_id', NEW.id)::text INTO payload;
	PERFORM pg_notify('procrastinate_queue_v1#' || NEW.queue_name, payload);
	PERFORM pg_notify('procrastinate_any_queue_v1', payload);
	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_prune_stalled_workers_v1(double precision); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_prune_stalled_workers_v1(seconds_since_heartbeat double precision) RETURNS TABLE(worker_id bigint)
    LANGUAGE plpgsql
    AS $$
BEGIN
    RETURN QUERY
    DELETE FROM procrastinate_workers
    WHERE last_heartbeat < NOW() - (seconds_since_heartbeat || 'SECOND')::INTERVAL
    RETURNING procrastinate_workers.id;
END;
$$;


--
-- Name: procrastinate_register_worker_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_register_worker_v1() RETURNS TABLE(worker_id bigint)
    LANGUAGE plpgsql
    AS $$
BEGIN
    RETURN QUERY
    INSERT INTO procrastinate_workers DEFAULT VALUES
    RETURNING procrastinate_workers.id;
END;
$$;


--
-- Name: procrastinate_retry_job_v1(bigint, timestamp with time zone, integer, character varying, character varying); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_retry_job_v1(job_id bigint, retry_at timestamp with time zone, new_priority integer, new_queue_name character varying, new_lock character varying) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    _job_id bigint;
    _abort_requested boolean;
BEGIN
    SELECT abort_requested FROM procrastinate_jobs
    WHERE id = job_id AND status = 'doing'
    FOR UPDATE
    INTO _abort_requested;
    IF _abort_requested THEN
        UPDATE procrastinate_jobs
        SET status = 'failed'::procrastinate_job_status
        WHERE id = job_id AND status = 'doing'
        RETURNING id INTO _job_id;
    ELSE
        UPDATE procrastinate_jobs
        SET status = 'todo'::procrastinate_job_status,
            attempts = attempts + 1,
            scheduled_at = retry_at,
            priority = COALESCE(new_priority, priority),
            queue_name = COALESCE(new_queue_name, queue_name),
            lock = COALESCE(new_lock, lock)
        WHERE id = job_id AND status = 'doing'
        RETURNING id INTO _job_id;
    END IF;

    IF _job_id IS NULL THEN
        RAISE 'Job was not found or not in "doing" status (job id: %)', job_id;
    END IF;
END;
$$;


--
-- Name: procrastinate_retry_job_v2(bigint, timestamp with time zone, integer, character varying, character varying); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_retry_job_v2(job_id bigint, retry_at timestamp with time zone, new_priority integer, new_queue_name character varying, new_lock character varying) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    _job_id bigint;
    _abort_requested boolean;
    _current_status procrastinate_job_status;
BEGIN
    SELECT status, abort_requested FROM procrastinate_jobs
    WHERE id = job_id AND status IN ('doing', 'failed')
    FOR UPDATE
    INTO _current_status, _abort_requested;
    IF _current_status = 'doing' AND _abort_requested THEN
        UPDATE procrastinate_jobs
        SET status = 'failed'::procrastinate_job_status
        WHERE id = job_id AND status = 'doing'
        RETURNING id INTO _job_id;
    ELSE
        UPDATE procrastinate_jobs
        SET status = 'todo'::procrastinate_job_status,
            attempts = attempts + 1,
            scheduled_at = retry_at,
            priority = COALESCE(new_priority, priority),
            queue_name = COALESCE(new_queue_name, queue_name),
            lock = COALESCE(new_lock, lock)
        WHERE id = job_id AND status IN ('doing', 'failed')
        RETURNING id INTO _job_id;
    END IF;

    IF _job_id IS NULL THEN
        RAISE 'Job was not found or has an invalid status to retry (job id: %)', job_id;
    END IF;

END;
$$;


--
-- Name: procrastinate_trigger_abort_requested_events_procedure_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_trigger_abort_requested_events_procedure_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO procrastinate_events(job_id, type)
        VALUES (NEW.id, 'abort_requested'::procrastinate_job_event_type);
    RETURN NEW;
END;
$$;


--
-- Name: procrastinate_trigger_function_scheduled_events_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_trigger_function_scheduled_events_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO procrastinate_events(job_id, type, at)
        VALUES (NEW.id, 'scheduled'::procrastinate_job_event_type, NEW.scheduled_at);

	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_trigger_function_status_events_insert_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_trigger_function_status_events_insert_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO procrastinate_events(job_id, type)
        VALUES (NEW.id, 'deferred'::procrastinate_job_event_type);
	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_trigger_function_status_events_update_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_trigger_function_status_events_update_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    WITH t AS (
        SELECT CASE
            WHEN OLD.status = 'todo'::procrastinate_job_status
                AND NEW.status = 'doing'::procrastinate_job_status
                THEN 'started'::procrastinate_job_event_type
            WHEN OLD.status = 'doing'::procrastinate_job_status
                AND NEW.status = 'todo'::procrastinate_job_status
                THEN 'deferred_for_retry'::procrastinate_job_event_type
            WHEN OLD.status = 'doing'::procrastinate_job_status
                AND NEW.status = 'failed'::procrastinate_job_status
                THEN 'failed'::procrastinate_job_event_type
            WHEN OLD.status = 'doing'::procrastinate_job_status
                AND NEW.status = 'succeeded'::procrastinate_job_status
                THEN 'succeeded'::procrastinate_job_event_type
            WHEN OLD.status = 'todo'::procrastinate_job_status
                AND (
                    NEW.status = 'cancelled'::procrastinate_job_status
                    OR NEW.status = 'failed'::procrastinate_job_status
                    OR NEW.status = 'succeeded'::procrastinate_job_status
                )
                THEN 'cancelled'::procrastinate_job_event_type
            WHEN OLD.status = 'doing'::procrastinate_job_status
                AND NEW.status = 'aborted'::procrastinate_job_status
                THEN 'aborted'::procrastinate_job_event_type
            WHEN OLD.status = 'failed'::procrastinate_job_status
                AND NEW.status = 'todo'::procrastinate_job_status
                THEN 'retried'::procrastinate_job_event_type
            ELSE NULL
        END as event_type
    )
    INSERT INTO procrastinate_events(job_id, type)
        SELECT NEW.id, t.event_type
        FROM t
        WHERE t.event_type IS NOT NULL;
	RETURN NEW;
END;
$$;


--
-- Name: procrastinate_unlink_periodic_defers_v1(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_unlink_periodic_defers_v1() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE procrastinate_periodic_defers
    SET job_id = NULL
    WHERE job_id = OLD.id;
    RETURN OLD;
END;
$$;


--
-- Name: procrastinate_unregister_worker_v1(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_unregister_worker_v1(worker_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM procrastinate_workers
    WHERE id = worker_id;
END;
$$;


--
-- Name: procrastinate_update_heartbeat_v1(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.procrastinate_update_heartbeat_v1(worker_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE procrastinate_workers
    SET last_heartbeat = NOW()
    WHERE id = worker_id;
END;
$$;


--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id uuid DEFAULT public.courier_uuid_v7() NOT NULL,
    key_id text NOT NULL,
    key_hash bytea NOT NULL,
    tenant_id uuid NOT NULL,
    principal_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    acl_groups text[] DEFAULT '{}'::text[] NOT NULL,
    roles text[] DEFAULT '{}'::text[] NOT NULL,
    CONSTRAINT api_keys_roles_known CHECK ((roles <@ ARRAY['reviewer'::text, 'admin'::text]))
);


--
-- Name: TABLE api_keys; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.api_keys IS 'Bearer keys. Only the SHA-256 of a key is stored; key_id is its public, loggable prefix.';


--
-- Name: COLUMN api_keys.acl_groups; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.api_keys.acl_groups IS 'ACL groups of requests made with this key; fixed when the key is made.';


--
-- Name: COLUMN api_keys.roles; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.api_keys.roles IS 'Roles of this key (reviewer, admin); fixed when the key is made: issuing another key to the same user never changes it.';


--
-- Name: budget_reservations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.budget_reservations (
    id uuid DEFAULT public.courier_uuid_v7() NOT NULL,
    tenant_id uuid NOT NULL,
    month date NOT NULL,
    job_id uuid NOT NULL,
    attempt integer NOT NULL,
    step text NOT NULL,
    model text NOT NULL,
    amount_usd numeric(18,10) NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    settled_at timestamp with time zone,
    cost_usd numeric(18,10),
    released_at timestamp with time zone,
    CONSTRAINT budget_reservations_amount_non_negative CHECK ((amount_usd >= (0)::numeric)),
    CONSTRAINT budget_reservations_settled_has_cost CHECK (((settled_at IS NULL) = (cost_usd IS NULL)))
);


--
-- Name: TABLE budget_reservations; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.budget_reservations IS 'The worst-case cost of each model call, reserved against its tenant''s month before the call and settled with the real cost after it.';


--
-- Name: COLUMN budget_reservations.amount_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.budget_reservations.amount_usd IS 'Worst case: the estimated input tokens at the input price plus the output-token cap at the output price.';


--
-- Name: COLUMN budget_reservations.settled_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.budget_reservations.settled_at IS 'When the call''s real cost replaced the reservation; NULL while in flight.';


--
-- Name: COLUMN budget_reservations.cost_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.budget_reservations.cost_usd IS 'The real cost the settlement charged; NULL until settled.';


--
-- Name: COLUMN budget_reservations.released_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.budget_reservations.released_at IS 'When an unsettled reservation older than the stale limit stopped counting (its execution died); a late settlement still charges the real cost.';


--
-- Name: callback_secrets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.callback_secrets (
    tenant_id uuid NOT NULL,
    secret text DEFAULT public.courier_webhook_secret() NOT NULL,
    previous_secret text,
    previous_secret_expires_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT callback_secrets_previous_secret_expires CHECK (((previous_secret IS NULL) = (previous_secret_expires_at IS NULL)))
);


--
-- Name: TABLE callback_secrets; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.callback_secrets IS 'The secret that signs webhooks sent to jobs'' callback_url, one per tenant.';


--
-- Name: chunk_acl_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chunk_acl_counts (
    tenant_id uuid NOT NULL,
    model text NOT NULL,
    acl_key text NOT NULL,
    embeddings bigint NOT NULL
);


--
-- Name: TABLE chunk_acl_counts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.chunk_acl_counts IS 'Embeddings per tenant, model and ACL key (a group, or '''' for all), kept by triggers on chunk_embeddings: search''s estimate of how many chunks a reader may see.';


--
-- Name: chunk_embedding_codes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chunk_embedding_codes (
    chunk_id bigint NOT NULL,
    model text NOT NULL,
    tenant_id uuid NOT NULL,
    acl_groups text[] NOT NULL,
    code bit(1536) NOT NULL
);

ALTER TABLE ONLY public.chunk_embedding_codes FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE chunk_embedding_codes; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.chunk_embedding_codes IS 'A compact code of each embedding (courier_embedding_code) with its tenant and groups, kept by triggers on chunk_embeddings: the shortlist of exact-path search.';


--
-- Name: chunk_embeddings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chunk_embeddings (
    chunk_id bigint NOT NULL,
    model text NOT NULL,
    tenant_id uuid NOT NULL,
    acl_groups text[] NOT NULL,
    embedding public.vector(384) NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.chunk_embeddings FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE chunk_embeddings; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.chunk_embeddings IS 'One embedding per chunk and model (the model and its dimension recorded with it), with the chunk''s tenant and groups for filtering.';


--
-- Name: chunks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chunks (
    id bigint NOT NULL,
    document_id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    acl_groups text[] NOT NULL,
    ordinal integer NOT NULL,
    body text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, body)) STORED
);

ALTER TABLE ONLY public.chunks FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE chunks; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.chunks IS 'Overlapping passages of a document, with its tenant and ACL groups copied (a trigger keeps them in step), so search filters without a join.';


--
-- Name: chunks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.chunks ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.chunks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: console_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.console_sessions (
    token_hash bytea NOT NULL,
    key_id text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT console_sessions_expires_after_created CHECK ((expires_at > created_at)),
    CONSTRAINT console_sessions_token_hash_length CHECK ((octet_length(token_hash) = 32))
);


--
-- Name: TABLE console_sessions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.console_sessions IS 'Signed-in web console browsers: the SHA-256 of each session cookie, the API key it acts with, and when it ends; revoking the key ends its sessions.';


--
-- Name: COLUMN console_sessions.token_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.console_sessions.token_hash IS 'SHA-256 of the session token (the cookie holds the token; nothing here can be replayed as one).';


--
-- Name: COLUMN console_sessions.key_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.console_sessions.key_id IS 'The public key_id of the API key the session signed in with; the session acts with that key''s principal, roles and groups while it is live.';


--
-- Name: courier_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.courier_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: courier_procrastinate_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.courier_procrastinate_migrations (
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE courier_procrastinate_migrations; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.courier_procrastinate_migrations IS 'Which files of procrastinate''s sql/migrations this database has applied (procrastinate records none itself); written by `courier migrate`.';


--
-- Name: COLUMN courier_procrastinate_migrations.name; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.courier_procrastinate_migrations.name IS 'File name, e.g. 03.04.00_01_pre_add_retry_failed_job_procedure.sql: the procrastinate version, a serial number, pre (safe before the code upgrade) or post (after it; unmarked old files are post).';


--
-- Name: courier_secrets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.courier_secrets (
    name text NOT NULL,
    value bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT courier_secrets_long_enough CHECK ((length(value) >= 32))
);


--
-- Name: TABLE courier_secrets; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.courier_secrets IS 'Secrets every API process shares, generated once (e.g. stream_token signs the short-lived event stream links).';


--
-- Name: principals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.principals (
    id uuid DEFAULT public.courier_uuid_v7() NOT NULL,
    tenant_id uuid NOT NULL,
    external_id text NOT NULL,
    acl_groups text[] DEFAULT '{}'::text[] NOT NULL,
    roles text[] DEFAULT '{}'::text[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT principals_external_id_format CHECK (((length(external_id) >= 1) AND (length(external_id) <= 200))),
    CONSTRAINT principals_roles_known CHECK ((roles <@ ARRAY['reviewer'::text, 'admin'::text]))
);


--
-- Name: TABLE principals; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.principals IS 'Users acting on behalf of a tenant: their ACL groups filter retrieval, their roles gate review and admin actions.';


--
-- Name: COLUMN principals.external_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.principals.external_id IS 'The user id in the tenant''s own system.';


--
-- Name: COLUMN principals.acl_groups; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.principals.acl_groups IS 'Superseded by api_keys.acl_groups (0008): only courier_api_key_principal_v1 reads it.';


--
-- Name: COLUMN principals.roles; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.principals.roles IS 'Superseded by api_keys.roles (0008): only courier_api_key_principal_v1 reads it.';


--
-- Name: tenants; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tenants (
    id uuid DEFAULT public.courier_uuid_v7() NOT NULL,
    slug text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    rate_limit_per_second double precision,
    rate_limit_burst integer,
    retention_days integer,
    tier text DEFAULT 'standard'::text NOT NULL,
    CONSTRAINT tenants_rate_limit_burst_positive CHECK (((rate_limit_burst IS NULL) OR (rate_limit_burst >= 1))),
    CONSTRAINT tenants_rate_limit_positive CHECK (((rate_limit_per_second IS NULL) OR (rate_limit_per_second > (0)::double precision))),
    CONSTRAINT tenants_retention_days_positive CHECK (((retention_days IS NULL) OR (retention_days >= 1))),
    CONSTRAINT tenants_slug_format CHECK ((slug ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'::text)),
    CONSTRAINT tenants_tier_known CHECK ((tier = ANY (ARRAY['standard'::text, 'premium'::text, 'enterprise'::text])))
);


--
-- Name: TABLE tenants; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.tenants IS 'Organisations using Courier; every tenant-owned row carries tenant_id.';


--
-- Name: COLUMN tenants.rate_limit_per_second; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tenants.rate_limit_per_second IS 'Job submissions per second this tenant may sustain; NULL: the default (COURIER_RATE_LIMIT_PER_SECOND).';


--
-- Name: COLUMN tenants.rate_limit_burst; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tenants.rate_limit_burst IS 'Submissions this tenant may make at once after being idle; NULL: the default (COURIER_RATE_LIMIT_BURST).';


--
-- Name: COLUMN tenants.retention_days; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tenants.retention_days IS 'Days after a job finishes before its input and result are purged; NULL: the default (COURIER_RETENTION_DAYS).';


--
-- Name: COLUMN tenants.tier; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tenants.tier IS 'Commercial tier (standard, premium, enterprise), set by an operator with `courier tenants set-tier`; premium and enterprise tenants'' jobs start on the large model tier.';


--
-- Name: dead_letters; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.dead_letters AS
 SELECT j.id AS job_id,
    j.tenant_id,
    t.slug AS tenant,
    p.external_id AS requester,
    j.kind,
    j.attempt AS attempts,
    (j.error ->> 'code'::text) AS error_code,
    (j.error ->> 'message'::text) AS error_message,
    j.model,
    j.prompt_version,
    j.created_at,
    j.finished_at,
    j.replay_of,
    ( SELECT count(*) AS count
           FROM public.jobs r
          WHERE (r.replay_of = j.id)) AS replays
   FROM ((public.jobs j
     JOIN public.tenants t ON ((t.id = j.tenant_id)))
     JOIN public.principals p ON ((p.id = j.requester_id)))
  WHERE (j.state = 'failed'::public.job_state);


--
-- Name: VIEW dead_letters; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.dead_letters IS 'Failed jobs (the dead-letter set): why each failed and how often it was replayed. Replay one with POST /v1/jobs/{id}/replay, or many with `courier backfill --kind K --since D --state failed`. Over HTTP: GET /v1/jobs?state=failed.';


--
-- Name: COLUMN dead_letters.job_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.job_id IS 'The failed job (jobs.id).';


--
-- Name: COLUMN dead_letters.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.tenant_id IS 'The job''s tenant.';


--
-- Name: COLUMN dead_letters.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN dead_letters.requester; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.requester IS 'The requesting user''s id in the tenant''s own system (principals.external_id).';


--
-- Name: COLUMN dead_letters.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.kind IS 'The job''s kind (e.g. email_reply).';


--
-- Name: COLUMN dead_letters.attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.attempts IS 'Executions started before it failed.';


--
-- Name: COLUMN dead_letters.error_code; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.error_code IS 'Stable machine-readable error code (e.g. handler_error, invalid_output).';


--
-- Name: COLUMN dead_letters.error_message; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.error_message IS 'Redacted human-readable error; never contains the input.';


--
-- Name: COLUMN dead_letters.model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.model IS 'The model an execution last recorded; NULL when none did.';


--
-- Name: COLUMN dead_letters.prompt_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.prompt_version IS 'Version of the prompt template it ran with; NULL when no execution recorded one.';


--
-- Name: COLUMN dead_letters.created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.created_at IS 'When the job was submitted.';


--
-- Name: COLUMN dead_letters.finished_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.finished_at IS 'When the job failed.';


--
-- Name: COLUMN dead_letters.replay_of; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.replay_of IS 'The job this one replays; NULL for an original submission.';


--
-- Name: COLUMN dead_letters.replays; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.dead_letters.replays IS 'How many replays of this job exist (0 if none).';


--
-- Name: documents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.documents (
    id uuid DEFAULT public.courier_uuid_v7() NOT NULL,
    tenant_id uuid NOT NULL,
    source text DEFAULT 'api'::text NOT NULL,
    external_id text,
    title text NOT NULL,
    url text,
    body text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    acl_groups text[] CONSTRAINT documents_acl_groups_not_null1 NOT NULL,
    content_hash text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT documents_acl_groups_not_blank CHECK ((array_position(acl_groups, ''::text) IS NULL)),
    CONSTRAINT documents_acl_groups_not_null CHECK ((array_position(acl_groups, NULL::text) IS NULL)),
    CONSTRAINT documents_external_id_length CHECK (((char_length(external_id) >= 1) AND (char_length(external_id) <= 500))),
    CONSTRAINT documents_metadata_object CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT documents_source_length CHECK (((char_length(source) >= 1) AND (char_length(source) <= 100))),
    CONSTRAINT documents_title_length CHECK (((char_length(title) >= 1) AND (char_length(title) <= 500)))
);

ALTER TABLE ONLY public.documents FORCE ROW LEVEL SECURITY;


--
-- Name: TABLE documents; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.documents IS 'Reference documents of a tenant that ground answers; seen only by principals of the tenant whose groups overlap acl_groups (row level security).';


--
-- Name: COLUMN documents.content_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.documents.content_hash IS 'SHA-256 hex of title and body: the same content again changes nothing.';


--
-- Name: COLUMN documents.version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.documents.version IS 'Bumped on every change of content or ACL; model cache keys name it, so a changed document never serves an old answer.';


--
-- Name: embedding_models; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.embedding_models (
    model text NOT NULL,
    dimensions integer NOT NULL,
    state text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    activated_at timestamp with time zone,
    purged_at timestamp with time zone,
    CONSTRAINT embedding_models_dimensions CHECK ((dimensions = 384)),
    CONSTRAINT embedding_models_state CHECK ((state = ANY (ARRAY['building'::text, 'active'::text, 'retired'::text])))
);


--
-- Name: TABLE embedding_models; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.embedding_models IS 'Embedding models: the active one serves search; a building one is being filled for every chunk and becomes active when none is missing.';


--
-- Name: COLUMN embedding_models.purged_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.embedding_models.purged_at IS 'When the retention pruner had deleted every embedding of this retired model; NULL while any may remain.';


--
-- Name: installation_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.installation_keys (
    name text NOT NULL,
    key bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT installation_keys_key_check CHECK ((octet_length(key) >= 32))
);


--
-- Name: TABLE installation_keys; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.installation_keys IS 'Random keys of this installation (prompt_hash: the HMAC key of llm_calls.prompt_hash); read by courier_runtime only.';


--
-- Name: job_cost_daily; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.job_cost_daily AS
 SELECT ((j.created_at AT TIME ZONE 'UTC'::text))::date AS day,
    j.tenant_id,
    t.slug AS tenant,
    j.kind,
    j.model,
    count(*) AS jobs,
    count(*) FILTER (WHERE (j.state = 'succeeded'::public.job_state)) AS succeeded,
    count(*) FILTER (WHERE (j.state = 'failed'::public.job_state)) AS failed,
    sum(j.input_tokens) AS input_tokens,
    sum(j.output_tokens) AS output_tokens,
    sum(j.cost_usd) AS cost_usd
   FROM (public.jobs j
     JOIN public.tenants t ON ((t.id = j.tenant_id)))
  GROUP BY (((j.created_at AT TIME ZONE 'UTC'::text))::date), j.tenant_id, t.slug, j.kind, j.model;


--
-- Name: VIEW job_cost_daily; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.job_cost_daily IS 'Model usage and cost per UTC day of submission, tenant, kind and model. Filter on day to read a range.';


--
-- Name: COLUMN job_cost_daily.day; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.day IS 'UTC day the jobs were submitted on.';


--
-- Name: COLUMN job_cost_daily.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.tenant_id IS 'The tenant.';


--
-- Name: COLUMN job_cost_daily.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN job_cost_daily.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.kind IS 'The jobs'' kind (e.g. email_reply).';


--
-- Name: COLUMN job_cost_daily.model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.model IS 'Model that produced the results; NULL for jobs that produced none (yet).';


--
-- Name: COLUMN job_cost_daily.jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.jobs IS 'Jobs submitted, in any state.';


--
-- Name: COLUMN job_cost_daily.succeeded; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.succeeded IS 'Of those, jobs that succeeded so far.';


--
-- Name: COLUMN job_cost_daily.failed; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.failed IS 'Of those, jobs that failed so far.';


--
-- Name: COLUMN job_cost_daily.input_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.input_tokens IS 'Model input (prompt) tokens so far of those jobs, all attempts.';


--
-- Name: COLUMN job_cost_daily.output_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.output_tokens IS 'Model output (completion) tokens so far of those jobs, all attempts.';


--
-- Name: COLUMN job_cost_daily.cost_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_cost_daily.cost_usd IS 'Model cost so far of those jobs, all attempts, in US dollars.';


--
-- Name: job_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.job_events (
    job_id uuid NOT NULL,
    seq integer NOT NULL,
    tenant_id uuid NOT NULL,
    type text NOT NULL,
    state public.job_state NOT NULL,
    attempt integer NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    actor text NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    xid xid8 DEFAULT pg_current_xact_id() NOT NULL,
    "position" bigint NOT NULL,
    CONSTRAINT job_events_seq_positive CHECK ((seq > 0))
);


--
-- Name: TABLE job_events; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.job_events IS 'Append-only history of every job: one row per state change or note, seq gapless per job. Source of SSE replay and the audit trail.';


--
-- Name: COLUMN job_events.type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_events.type IS 'The state entered (queued, running, ...) or a note type (e.g. progress).';


--
-- Name: COLUMN job_events.state; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_events.state IS 'The job state after this event.';


--
-- Name: COLUMN job_events.actor; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_events.actor IS 'Who caused the event: a principal (principal:<id>), a worker (worker:<name>), or the database user.';


--
-- Name: COLUMN job_events.xid; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_events.xid IS 'Transaction that wrote the event; with position, the cursor of the tenant-wide stream.';


--
-- Name: COLUMN job_events."position"; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_events."position" IS 'Insertion order across all jobs (not commit order: see xid).';


--
-- Name: job_events_position_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.job_events ALTER COLUMN "position" ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.job_events_position_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: reviews; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.reviews (
    id uuid DEFAULT public.courier_uuid_v7() NOT NULL,
    job_id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    reviewer_id uuid NOT NULL,
    reviewer_key_id text NOT NULL,
    decision public.review_decision NOT NULL,
    edited boolean DEFAULT false NOT NULL,
    reason text,
    review_reasons jsonb,
    original_output jsonb,
    edited_output jsonb,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    purged_at timestamp with time zone,
    CONSTRAINT reviews_edit_kept CHECK (((edited = (edited_output IS NOT NULL)) OR (purged_at IS NOT NULL))),
    CONSTRAINT reviews_only_approvals_edit CHECK (((decision = 'approved'::public.review_decision) OR (NOT edited))),
    CONSTRAINT reviews_original_kept CHECK (((original_output IS NOT NULL) OR (purged_at IS NOT NULL))),
    CONSTRAINT reviews_reason_length CHECK (((length(reason) >= 1) AND (length(reason) <= 2000))),
    CONSTRAINT reviews_rejection_has_reason CHECK (((decision <> 'rejected'::public.review_decision) OR (reason IS NOT NULL)))
);


--
-- Name: TABLE reviews; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.reviews IS 'Every human decision on a held output: who decided (reviewer_id, and the key they used), approved or rejected, and both versions when the reviewer edited it. One per job; written in the transaction that ends the job''s review.';


--
-- Name: COLUMN reviews.reviewer_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.reviews.reviewer_id IS 'The reviewing principal (principals.id); their key had the reviewer role.';


--
-- Name: COLUMN reviews.reviewer_key_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.reviews.reviewer_key_id IS 'The public key_id of the API key the decision was made with.';


--
-- Name: COLUMN reviews.edited; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.reviews.edited IS 'The reviewer approved their own version of the output (edited_output), which the job delivered.';


--
-- Name: COLUMN reviews.reason; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.reviews.reason IS 'The reviewer''s reason: required for a rejection (the job fails with rejected_in_review), an optional note on an approval.';


--
-- Name: COLUMN reviews.review_reasons; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.reviews.review_reasons IS 'What the job was held for (jobs.review_reasons at the decision).';


--
-- Name: COLUMN reviews.original_output; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.reviews.original_output IS 'The output as the model produced it and the reviewer saw it.';


--
-- Name: COLUMN reviews.edited_output; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.reviews.edited_output IS 'The reviewer''s version, when edited; the job''s result.';


--
-- Name: COLUMN reviews.purged_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.reviews.purged_at IS 'When retention removed both outputs (with the job''s input and result).';


--
-- Name: job_history; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.job_history AS
 SELECT j.id AS job_id,
    j.tenant_id,
    t.slug AS tenant,
    j.requester_id,
    p.external_id AS requester,
    j.kind,
    j.state,
    j.queue,
    j.priority,
    j.attempt AS attempts,
    j.created_at AS queued_at,
    starts.first_started_at,
    starts.last_started_at,
    j.finished_at,
    ( SELECT jsonb_agg(jsonb_build_object('seq', e.seq, 'state', e.state, 'attempt', e.attempt, 'at', e.created_at) ORDER BY e.seq) AS jsonb_agg
           FROM public.job_events e
          WHERE (e.job_id = j.id)) AS timeline,
    j.model,
    j.prompt_version,
    j.input_tokens,
    j.output_tokens,
    j.cost_usd,
    (j.error ->> 'code'::text) AS error_code,
    reviewer.external_id AS reviewer,
    r.created_at AS reviewed_at,
    j.replay_of,
    j.replayed_by_id,
    replayer.external_id AS replayed_by,
    j.backfill_batch,
    j.purged_at
   FROM ((((((public.jobs j
     JOIN public.tenants t ON ((t.id = j.tenant_id)))
     JOIN public.principals p ON ((p.id = j.requester_id)))
     LEFT JOIN public.principals replayer ON ((replayer.id = j.replayed_by_id)))
     LEFT JOIN public.reviews r ON ((r.job_id = j.id)))
     LEFT JOIN public.principals reviewer ON ((reviewer.id = r.reviewer_id)))
     CROSS JOIN LATERAL ( SELECT min(e.created_at) AS first_started_at,
            max(e.created_at) AS last_started_at
           FROM public.job_events e
          WHERE ((e.job_id = j.id) AND (e.type = 'running'::text))) starts);


--
-- Name: VIEW job_history; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.job_history IS 'One row per job: who asked (and, for a replay, who asked for the replay), what kind, its state timeline, attempts, model, tokens, cost, prompt version and reviewer. No input or result.';


--
-- Name: COLUMN job_history.job_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.job_id IS 'The job (jobs.id).';


--
-- Name: COLUMN job_history.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.tenant_id IS 'The job''s tenant.';


--
-- Name: COLUMN job_history.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN job_history.requester_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.requester_id IS 'The requesting principal (principals.id); a replay keeps its original''s.';


--
-- Name: COLUMN job_history.requester; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.requester IS 'The requesting user''s id in the tenant''s own system (principals.external_id).';


--
-- Name: COLUMN job_history.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.kind IS 'The job''s kind (e.g. email_reply).';


--
-- Name: COLUMN job_history.state; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.state IS 'Current state: queued, running, needs_review, succeeded, failed, cancelled or expired.';


--
-- Name: COLUMN job_history.queue; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.queue IS 'The procrastinate queue the job runs on.';


--
-- Name: COLUMN job_history.priority; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.priority IS 'Queue priority, -100 to 100; higher runs first.';


--
-- Name: COLUMN job_history.attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.attempts IS 'Executions started (0 if it never ran, 1 for a job that ran once; more after retries or a takeover).';


--
-- Name: COLUMN job_history.queued_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.queued_at IS 'When the job was submitted.';


--
-- Name: COLUMN job_history.first_started_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.first_started_at IS 'When the first execution started (its running event); NULL if it never ran.';


--
-- Name: COLUMN job_history.last_started_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.last_started_at IS 'When the latest execution started (its running event); equals first_started_at after one attempt; NULL if it never ran.';


--
-- Name: COLUMN job_history.finished_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.finished_at IS 'When the job reached a terminal state; NULL while open.';


--
-- Name: COLUMN job_history.timeline; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.timeline IS 'Every event as [{seq, state, attempt, at}], oldest first (job_timeline has the details).';


--
-- Name: COLUMN job_history.model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.model IS 'The model that produced the result (e.g. extractive when no provider is configured); NULL until an execution records one.';


--
-- Name: COLUMN job_history.prompt_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.prompt_version IS 'Version of the prompt template the job ran with; NULL until an execution records one.';


--
-- Name: COLUMN job_history.input_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.input_tokens IS 'Model input (prompt) tokens, all attempts; 0 if no model ran.';


--
-- Name: COLUMN job_history.output_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.output_tokens IS 'Model output (completion) tokens, all attempts; 0 if no model ran.';


--
-- Name: COLUMN job_history.cost_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.cost_usd IS 'Total model cost of all attempts, in US dollars.';


--
-- Name: COLUMN job_history.error_code; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.error_code IS 'Stable error code of the job''s error (its failure, or the one it waits to retry after); NULL without one.';


--
-- Name: COLUMN job_history.reviewer; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.reviewer IS 'Who decided a job that waited for human review (principals.external_id; the review_decisions view has the rest); NULL when no one did.';


--
-- Name: COLUMN job_history.reviewed_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.reviewed_at IS 'When the review decision was made; NULL when no one decided.';


--
-- Name: COLUMN job_history.replay_of; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.replay_of IS 'The job this one replays (replay or courier backfill); NULL for an original submission.';


--
-- Name: COLUMN job_history.replayed_by_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.replayed_by_id IS 'For a replay asked for over the API: the principal who asked (principals.id); NULL for an original, a backfill, or a replay made before replays recorded it.';


--
-- Name: COLUMN job_history.replayed_by; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.replayed_by IS 'That principal''s user id in the tenant''s own system (principals.external_id). requester stays the original''s requester: the job runs on their behalf.';


--
-- Name: COLUMN job_history.backfill_batch; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.backfill_batch IS 'For a replay made by `courier backfill`: its batch (--batch, default the kind''s prompt version); NULL otherwise.';


--
-- Name: COLUMN job_history.purged_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_history.purged_at IS 'When retention removed the input and result (the audit columns stay); NULL while kept.';


--
-- Name: job_latency; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.job_latency AS
 WITH finished AS (
         SELECT j.kind,
            date_trunc('hour'::text, j.finished_at) AS hour,
            ((1000)::numeric * EXTRACT(epoch FROM (first_start.created_at - j.created_at))) AS queue_wait_ms,
            ((1000)::numeric * EXTRACT(epoch FROM (j.finished_at - j.started_at))) AS run_ms,
            ((1000)::numeric * EXTRACT(epoch FROM (j.finished_at - j.created_at))) AS end_to_end_ms
           FROM (public.jobs j
             JOIN public.job_events first_start ON (((first_start.job_id = j.id) AND (first_start.seq = 2) AND (first_start.type = 'running'::text))))
          WHERE (j.finished_at IS NOT NULL)
        )
 SELECT kind,
    hour,
    count(*) AS jobs,
    round((percentile_cont((0.5)::double precision) WITHIN GROUP (ORDER BY ((queue_wait_ms)::double precision)))::numeric, 1) AS queue_wait_p50_ms,
    round((percentile_cont((0.95)::double precision) WITHIN GROUP (ORDER BY ((queue_wait_ms)::double precision)))::numeric, 1) AS queue_wait_p95_ms,
    round((percentile_cont((0.99)::double precision) WITHIN GROUP (ORDER BY ((queue_wait_ms)::double precision)))::numeric, 1) AS queue_wait_p99_ms,
    round((percentile_cont((0.5)::double precision) WITHIN GROUP (ORDER BY ((run_ms)::double precision)))::numeric, 1) AS run_p50_ms,
    round((percentile_cont((0.95)::double precision) WITHIN GROUP (ORDER BY ((run_ms)::double precision)))::numeric, 1) AS run_p95_ms,
    round((percentile_cont((0.99)::double precision) WITHIN GROUP (ORDER BY ((run_ms)::double precision)))::numeric, 1) AS run_p99_ms,
    round((percentile_cont((0.5)::double precision) WITHIN GROUP (ORDER BY ((end_to_end_ms)::double precision)))::numeric, 1) AS end_to_end_p50_ms,
    round((percentile_cont((0.95)::double precision) WITHIN GROUP (ORDER BY ((end_to_end_ms)::double precision)))::numeric, 1) AS end_to_end_p95_ms,
    round((percentile_cont((0.99)::double precision) WITHIN GROUP (ORDER BY ((end_to_end_ms)::double precision)))::numeric, 1) AS end_to_end_p99_ms
   FROM finished
  GROUP BY kind, hour;


--
-- Name: VIEW job_latency; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.job_latency IS 'Latency percentiles per kind and hour of completion, over jobs that ran and finished. Filter on hour to read a range.';


--
-- Name: COLUMN job_latency.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.kind IS 'The jobs'' kind (e.g. email_reply).';


--
-- Name: COLUMN job_latency.hour; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.hour IS 'Hour (server time zone) in which the jobs finished.';


--
-- Name: COLUMN job_latency.jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.jobs IS 'Jobs that ran and finished in that hour.';


--
-- Name: COLUMN job_latency.queue_wait_p50_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.queue_wait_p50_ms IS 'Median ms from submission to the first execution start, to 0.1 ms.';


--
-- Name: COLUMN job_latency.queue_wait_p95_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.queue_wait_p95_ms IS '95th percentile ms from submission to the first execution start, to 0.1 ms.';


--
-- Name: COLUMN job_latency.queue_wait_p99_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.queue_wait_p99_ms IS '99th percentile ms from submission to the first execution start, to 0.1 ms.';


--
-- Name: COLUMN job_latency.run_p50_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.run_p50_ms IS 'Median ms from the start of the last execution to the end, to 0.1 ms.';


--
-- Name: COLUMN job_latency.run_p95_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.run_p95_ms IS '95th percentile ms from the start of the last execution to the end, to 0.1 ms.';


--
-- Name: COLUMN job_latency.run_p99_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.run_p99_ms IS '99th percentile ms from the start of the last execution to the end, to 0.1 ms.';


--
-- Name: COLUMN job_latency.end_to_end_p50_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.end_to_end_p50_ms IS 'Median ms from submission to the end, to 0.1 ms.';


--
-- Name: COLUMN job_latency.end_to_end_p95_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.end_to_end_p95_ms IS '95th percentile ms from submission to the end, to 0.1 ms.';


--
-- Name: COLUMN job_latency.end_to_end_p99_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_latency.end_to_end_p99_ms IS '99th percentile ms from submission to the end, to 0.1 ms.';


--
-- Name: job_sources; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.job_sources (
    job_id uuid NOT NULL,
    document_id uuid NOT NULL,
    document_version integer NOT NULL,
    retrieved_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: TABLE job_sources; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.job_sources IS 'The documents (and versions) a job''s steps retrieved, recorded before the model saw them: a reader sees the job''s result only if it may read every one of them now.';


--
-- Name: job_state_transitions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.job_state_transitions (
    from_state public.job_state NOT NULL,
    to_state public.job_state NOT NULL
);


--
-- Name: TABLE job_state_transitions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.job_state_transitions IS 'Every state change a job may make; the jobs trigger refuses any other.';


--
-- Name: job_timeline; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.job_timeline AS
 SELECT e.job_id,
    e.seq,
    j.tenant_id,
    t.slug AS tenant,
    j.kind,
    e.type,
    e.state,
    e.attempt,
    e.data,
    e.actor,
    e.created_at
   FROM ((public.job_events e
     JOIN public.jobs j ON ((j.id = e.job_id)))
     JOIN public.tenants t ON ((t.id = j.tenant_id)));


--
-- Name: VIEW job_timeline; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.job_timeline IS 'Every event of every job: the audit trail with tenant and kind. ORDER BY job_id, seq to read it in order.';


--
-- Name: COLUMN job_timeline.job_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.job_id IS 'The job (jobs.id).';


--
-- Name: COLUMN job_timeline.seq; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.seq IS 'Gapless per job, starting at 1 (the queued event).';


--
-- Name: COLUMN job_timeline.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.tenant_id IS 'The job''s tenant.';


--
-- Name: COLUMN job_timeline.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN job_timeline.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.kind IS 'The job''s kind (e.g. email_reply).';


--
-- Name: COLUMN job_timeline.type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.type IS 'The state entered, or a note type.';


--
-- Name: COLUMN job_timeline.state; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.state IS 'The job''s state after this event.';


--
-- Name: COLUMN job_timeline.attempt; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.attempt IS 'The execution the event belongs to (0 before the first start).';


--
-- Name: COLUMN job_timeline.data; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.data IS 'Details as JSON: reason of a change, error of a failure or retry; {} when none.';


--
-- Name: COLUMN job_timeline.actor; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.actor IS 'Who caused the event: principal:<id> (principals.id; on a replay''s queued event, whoever asked for the replay, also in job_history.replayed_by), worker:<host:pid>, cli:backfill (a `courier backfill` run), or the database user who typed the change.';


--
-- Name: COLUMN job_timeline.created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.job_timeline.created_at IS 'When the event was recorded.';


--
-- Name: llm_cache; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.llm_cache (
    tenant_id uuid NOT NULL,
    cache_key text NOT NULL,
    model text NOT NULL,
    answer jsonb NOT NULL,
    job_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT llm_cache_answer_object CHECK ((jsonb_typeof(answer) = 'object'::text)),
    CONSTRAINT llm_cache_expires_after_creation CHECK ((expires_at > created_at)),
    CONSTRAINT llm_cache_key_format CHECK ((cache_key ~ '^[0-9a-f]{64}$'::text))
);


--
-- Name: TABLE llm_cache; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.llm_cache IS 'Exact-match answers per tenant and cache key (tenant, kind, normalised input, prompt version, model, ACL groups, sources), until expires_at (COURIER_CACHE_TTL_SECONDS).';


--
-- Name: COLUMN llm_cache.cache_key; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cache.cache_key IS 'SHA-256 (hex) of the canonical JSON of everything the answer depends on (app/llm/cache_key.py).';


--
-- Name: COLUMN llm_cache.job_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cache.job_id IS 'The job whose call produced the answer.';


--
-- Name: COLUMN llm_cache.expires_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cache.expires_at IS 'After this the entry is not served; a new answer for the key replaces it.';


--
-- Name: llm_calls; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.llm_calls (
    id uuid DEFAULT public.courier_uuid_v7() NOT NULL,
    job_id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    attempt integer NOT NULL,
    step text NOT NULL,
    kind text NOT NULL,
    model text NOT NULL,
    prompt_version text NOT NULL,
    prompt_hash text NOT NULL,
    input_tokens integer DEFAULT 0 NOT NULL,
    cached_input_tokens integer DEFAULT 0 NOT NULL,
    output_tokens integer DEFAULT 0 NOT NULL,
    reasoning_tokens integer DEFAULT 0 NOT NULL,
    cost_usd numeric(18,10) DEFAULT 0 NOT NULL,
    latency_ms double precision DEFAULT 0 NOT NULL,
    outcome text NOT NULL,
    reservation_id uuid,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT llm_calls_attempt_positive CHECK ((attempt >= 1)),
    CONSTRAINT llm_calls_cache_hit_is_free CHECK (((outcome <> 'cache_hit'::text) OR (cost_usd = (0)::numeric))),
    CONSTRAINT llm_calls_cached_within_input CHECK ((cached_input_tokens <= input_tokens)),
    CONSTRAINT llm_calls_cost_non_negative CHECK ((cost_usd >= (0)::numeric)),
    CONSTRAINT llm_calls_latency_non_negative CHECK ((latency_ms >= (0)::double precision)),
    CONSTRAINT llm_calls_outcome_known CHECK ((outcome = ANY (ARRAY['ok'::text, 'refused'::text, 'invalid_output'::text, 'provider_error'::text, 'timeout'::text, 'cache_hit'::text]))),
    CONSTRAINT llm_calls_prompt_hash_format CHECK ((prompt_hash ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT llm_calls_reasoning_within_output CHECK ((reasoning_tokens <= output_tokens)),
    CONSTRAINT llm_calls_step_format CHECK (((length(step) >= 1) AND (length(step) <= 200))),
    CONSTRAINT llm_calls_tokens_non_negative CHECK (((input_tokens >= 0) AND (cached_input_tokens >= 0) AND (output_tokens >= 0) AND (reasoning_tokens >= 0)))
);


--
-- Name: TABLE llm_calls; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.llm_calls IS 'One row per model call (append-only): job, attempt, step, model, tokens by type, cost, latency, outcome, prompt version and a hash of the prompt, never the prompt. Calls of an execution that lost its lease count too.';


--
-- Name: COLUMN llm_calls.attempt; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.attempt IS 'The job execution (jobs.attempt) that made the call.';


--
-- Name: COLUMN llm_calls.step; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.step IS 'The step of the job the call served (e.g. generate, generate.repair); (job_id, step) names its checkpoint.';


--
-- Name: COLUMN llm_calls.model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.model IS 'The model asked (e.g. gpt-4.1-mini), or extractive.';


--
-- Name: COLUMN llm_calls.prompt_hash; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.prompt_hash IS 'HMAC-SHA-256 (hex) of the redacted prompt messages under installation_keys.prompt_hash (calls before migration 0033: plain SHA-256); the prompt itself is never stored.';


--
-- Name: COLUMN llm_calls.input_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.input_tokens IS 'Prompt tokens, including cached_input_tokens.';


--
-- Name: COLUMN llm_calls.cached_input_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.cached_input_tokens IS 'Of input_tokens, those served from the provider''s prompt cache (priced at the cached-input price).';


--
-- Name: COLUMN llm_calls.output_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.output_tokens IS 'Completion tokens, including reasoning_tokens.';


--
-- Name: COLUMN llm_calls.reasoning_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.reasoning_tokens IS 'Of output_tokens, those spent on reasoning (priced as output).';


--
-- Name: COLUMN llm_calls.cost_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.cost_usd IS 'What the call cost in US dollars, from the price table in settings at the time of the call; 0 for cache hits and extractive.';


--
-- Name: COLUMN llm_calls.latency_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.latency_ms IS 'Milliseconds from the request to the answer or the failure; 0 for cache hits.';


--
-- Name: COLUMN llm_calls.outcome; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.outcome IS 'ok, refused, invalid_output, provider_error, timeout, or cache_hit (answered from llm_cache, no provider call).';


--
-- Name: COLUMN llm_calls.reservation_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_calls.reservation_id IS 'The budget reservation the call settled (budget_reservations.id); NULL for cache hits.';


--
-- Name: llm_checkpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.llm_checkpoints (
    job_id uuid NOT NULL,
    step text NOT NULL,
    tenant_id uuid NOT NULL,
    attempt integer NOT NULL,
    model text NOT NULL,
    answer jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT llm_checkpoints_answer_object CHECK ((jsonb_typeof(answer) = 'object'::text))
);


--
-- Name: TABLE llm_checkpoints; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.llm_checkpoints IS 'The committed model answer of each step of a job: later attempts of the job reuse it instead of paying for the call again.';


--
-- Name: COLUMN llm_checkpoints.attempt; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_checkpoints.attempt IS 'The execution whose call (or cache hit) produced the answer.';


--
-- Name: COLUMN llm_checkpoints.model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_checkpoints.model IS 'The model that answered.';


--
-- Name: COLUMN llm_checkpoints.answer; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_checkpoints.answer IS 'The answer as the step runner stored it (a JSON object).';


--
-- Name: llm_cost_monthly; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.llm_cost_monthly AS
 SELECT (date_trunc('month'::text, (c.created_at AT TIME ZONE 'UTC'::text)))::date AS month,
    c.tenant_id,
    t.slug AS tenant,
    c.kind,
    c.model,
    c.prompt_version,
    count(*) AS calls,
    count(*) FILTER (WHERE (c.outcome = 'cache_hit'::text)) AS cache_hits,
    count(*) FILTER (WHERE (c.outcome <> ALL (ARRAY['ok'::text, 'refused'::text, 'cache_hit'::text]))) AS failed_calls,
    count(DISTINCT c.job_id) AS jobs,
    sum(c.input_tokens) AS input_tokens,
    sum(c.cached_input_tokens) AS cached_input_tokens,
    sum(c.output_tokens) AS output_tokens,
    sum(c.reasoning_tokens) AS reasoning_tokens,
    sum(c.cost_usd) AS cost_usd,
    round((percentile_cont((0.95)::double precision) WITHIN GROUP (ORDER BY c.latency_ms) FILTER (WHERE (c.outcome <> 'cache_hit'::text)))::numeric, 1) AS latency_p95_ms
   FROM (public.llm_calls c
     JOIN public.tenants t ON ((t.id = c.tenant_id)))
  GROUP BY ((date_trunc('month'::text, (c.created_at AT TIME ZONE 'UTC'::text)))::date), c.tenant_id, t.slug, c.kind, c.model, c.prompt_version;


--
-- Name: VIEW llm_cost_monthly; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.llm_cost_monthly IS 'Model calls, tokens and cost per UTC month of the call, tenant, kind, model and prompt version, from llm_calls (every call, also those of executions that lost their lease). Filter on month to read a range.';


--
-- Name: COLUMN llm_cost_monthly.month; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.month IS 'First day of the UTC month the calls were made in.';


--
-- Name: COLUMN llm_cost_monthly.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.tenant_id IS 'The tenant.';


--
-- Name: COLUMN llm_cost_monthly.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN llm_cost_monthly.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.kind IS 'The jobs'' kind (e.g. email_reply).';


--
-- Name: COLUMN llm_cost_monthly.model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.model IS 'The model called (e.g. gpt-4.1-mini), or extractive.';


--
-- Name: COLUMN llm_cost_monthly.prompt_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.prompt_version IS 'Version of the prompt template the calls used.';


--
-- Name: COLUMN llm_cost_monthly.calls; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.calls IS 'Calls recorded, cache hits and failed calls included.';


--
-- Name: COLUMN llm_cost_monthly.cache_hits; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.cache_hits IS 'Of those, answers served from the exact-match cache (no provider call, cost 0).';


--
-- Name: COLUMN llm_cost_monthly.failed_calls; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.failed_calls IS 'Of those, calls that failed: invalid_output, provider_error or timeout (paid for all the same).';


--
-- Name: COLUMN llm_cost_monthly.jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.jobs IS 'Distinct jobs the calls served.';


--
-- Name: COLUMN llm_cost_monthly.input_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.input_tokens IS 'Prompt tokens, cached ones included.';


--
-- Name: COLUMN llm_cost_monthly.cached_input_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.cached_input_tokens IS 'Of input_tokens, those served from the provider''s prompt cache.';


--
-- Name: COLUMN llm_cost_monthly.output_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.output_tokens IS 'Completion tokens, reasoning ones included.';


--
-- Name: COLUMN llm_cost_monthly.reasoning_tokens; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.reasoning_tokens IS 'Of output_tokens, those spent on reasoning.';


--
-- Name: COLUMN llm_cost_monthly.cost_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.cost_usd IS 'What the calls cost, in US dollars (price table of each call''s time).';


--
-- Name: COLUMN llm_cost_monthly.latency_p95_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_monthly.latency_p95_ms IS '95th percentile ms per provider call (cache hits left out), to 0.1 ms; NULL when all were cache hits.';


--
-- Name: llm_cost_per_1000_jobs; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.llm_cost_per_1000_jobs AS
 SELECT (date_trunc('month'::text, (j.finished_at AT TIME ZONE 'UTC'::text)))::date AS month,
    j.tenant_id,
    t.slug AS tenant,
    j.kind,
    count(*) AS finished_jobs,
    count(*) FILTER (WHERE (j.state = 'succeeded'::public.job_state)) AS completed_jobs,
    COALESCE(sum(calls.calls), (0)::numeric) AS calls,
    COALESCE(sum(calls.cost_usd), (0)::numeric) AS cost_usd,
    round(((COALESCE(sum(calls.cost_usd), (0)::numeric) * (1000)::numeric) / (NULLIF(count(*) FILTER (WHERE (j.state = 'succeeded'::public.job_state)), 0))::numeric), 4) AS cost_per_1000_completed_usd
   FROM ((public.jobs j
     JOIN public.tenants t ON ((t.id = j.tenant_id)))
     LEFT JOIN LATERAL ( SELECT count(*) AS calls,
            sum(c.cost_usd) AS cost_usd
           FROM public.llm_calls c
          WHERE (c.job_id = j.id)) calls ON (true))
  WHERE (j.finished_at IS NOT NULL)
  GROUP BY ((date_trunc('month'::text, (j.finished_at AT TIME ZONE 'UTC'::text)))::date), j.tenant_id, t.slug, j.kind;


--
-- Name: VIEW llm_cost_per_1000_jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.llm_cost_per_1000_jobs IS 'Model cost per 1,000 completed (succeeded) jobs, per UTC month of finishing, tenant and kind. The cost is that of every call of every job that finished, failed and cancelled ones included: what 1,000 delivered results really cost.';


--
-- Name: COLUMN llm_cost_per_1000_jobs.month; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_per_1000_jobs.month IS 'First day of the UTC month the jobs finished in.';


--
-- Name: COLUMN llm_cost_per_1000_jobs.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_per_1000_jobs.tenant_id IS 'The tenant.';


--
-- Name: COLUMN llm_cost_per_1000_jobs.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_per_1000_jobs.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN llm_cost_per_1000_jobs.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_per_1000_jobs.kind IS 'The jobs'' kind (e.g. email_reply).';


--
-- Name: COLUMN llm_cost_per_1000_jobs.finished_jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_per_1000_jobs.finished_jobs IS 'Jobs that finished in the month, in any terminal state.';


--
-- Name: COLUMN llm_cost_per_1000_jobs.completed_jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_per_1000_jobs.completed_jobs IS 'Of those, jobs that succeeded.';


--
-- Name: COLUMN llm_cost_per_1000_jobs.calls; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_per_1000_jobs.calls IS 'Model calls of the finished jobs, all attempts, cache hits included.';


--
-- Name: COLUMN llm_cost_per_1000_jobs.cost_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_per_1000_jobs.cost_usd IS 'What the calls of the finished jobs cost, in US dollars, all attempts (also calls settled after a job ended).';


--
-- Name: COLUMN llm_cost_per_1000_jobs.cost_per_1000_completed_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.llm_cost_per_1000_jobs.cost_per_1000_completed_usd IS 'cost_usd per 1,000 completed jobs, in US dollars, to 0.0001; NULL when none completed.';


--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    event_id text NOT NULL,
    event_type text NOT NULL,
    job_id uuid,
    seq integer,
    endpoint_id uuid,
    status public.outbox_status DEFAULT 'pending'::public.outbox_status NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    claim uuid,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    delivered_at timestamp with time zone,
    last_error text,
    destination_id bigint,
    held boolean DEFAULT false NOT NULL,
    CONSTRAINT outbox_delivered_iff_delivered_at CHECK (((status = 'delivered'::public.outbox_status) = (delivered_at IS NOT NULL))),
    CONSTRAINT outbox_has_destination CHECK (((endpoint_id IS NOT NULL) OR (job_id IS NOT NULL))),
    CONSTRAINT outbox_job_event CHECK (((job_id IS NULL) = (seq IS NULL))),
    CONSTRAINT outbox_pending_has_destination CHECK (((status <> 'pending'::public.outbox_status) OR (destination_id IS NOT NULL))),
    CONSTRAINT outbox_pending_is_claimable CHECK (((status = 'pending'::public.outbox_status) OR (claim IS NULL)))
);


--
-- Name: TABLE outbox; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.outbox IS 'One row per (event, push destination), written in the transaction of the event; the relay claims pending rows with FOR UPDATE SKIP LOCKED.';


--
-- Name: COLUMN outbox.event_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox.event_id IS 'The webhook-id header: one per event, the same on every retry so receivers can drop duplicates.';


--
-- Name: COLUMN outbox.endpoint_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox.endpoint_id IS 'The tenant webhook endpoint; NULL means the job''s callback_url.';


--
-- Name: COLUMN outbox.next_attempt_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox.next_attempt_at IS 'When the row may be (re)tried; while claimed, when the claim lapses.';


--
-- Name: COLUMN outbox.claim; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox.claim IS 'Token of the relay delivering the row; its result is recorded only under that token.';


--
-- Name: COLUMN outbox.destination_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox.destination_id IS 'Where the row goes and whether that is failing (NULL only on rows settled before destinations existed).';


--
-- Name: COLUMN outbox.held; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox.held IS 'Behind an earlier event of the same job still pending for the same destination: not claimable until that one is settled.';


--
-- Name: outbox_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox_attempts (
    outbox_id bigint NOT NULL,
    attempt integer NOT NULL,
    tenant_id uuid NOT NULL,
    started_at timestamp with time zone NOT NULL,
    latency_ms integer NOT NULL,
    status_code integer,
    outcome text NOT NULL,
    error text,
    CONSTRAINT outbox_attempts_outcome_known CHECK ((outcome = ANY (ARRAY['delivered'::text, 'retry'::text, 'failed'::text, 'gone'::text, 'refused'::text])))
);


--
-- Name: TABLE outbox_attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.outbox_attempts IS 'Every delivery attempt: HTTP status (NULL when no answer), latency, outcome and error.';


--
-- Name: COLUMN outbox_attempts.outcome; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.outbox_attempts.outcome IS 'delivered (2xx), retry (will try again), failed (gave up), gone (410: endpoint disabled), refused (destination not allowed, will retry).';


--
-- Name: outbox_destinations_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.outbox_destinations ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.outbox_destinations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: outbox_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.outbox ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.outbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: procrastinate_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procrastinate_events (
    id bigint NOT NULL,
    job_id bigint NOT NULL,
    type public.procrastinate_job_event_type,
    at timestamp with time zone DEFAULT now()
);


--
-- Name: procrastinate_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.procrastinate_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: procrastinate_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.procrastinate_events_id_seq OWNED BY public.procrastinate_events.id;


--
-- Name: procrastinate_jobs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.procrastinate_jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: procrastinate_jobs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.procrastinate_jobs_id_seq OWNED BY public.procrastinate_jobs.id;


--
-- Name: procrastinate_periodic_defers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procrastinate_periodic_defers (
    id bigint NOT NULL,
    task_name character varying(128) NOT NULL,
    defer_timestamp bigint,
    job_id bigint,
    periodic_id character varying(128) DEFAULT ''::character varying NOT NULL
);


--
-- Name: procrastinate_periodic_defers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.procrastinate_periodic_defers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: procrastinate_periodic_defers_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.procrastinate_periodic_defers_id_seq OWNED BY public.procrastinate_periodic_defers.id;


--
-- Name: procrastinate_workers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.procrastinate_workers (
    id bigint NOT NULL,
    last_heartbeat timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: procrastinate_workers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.procrastinate_workers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.procrastinate_workers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: prompt_policies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.prompt_policies (
    tenant_id uuid NOT NULL,
    kind text NOT NULL,
    version text NOT NULL,
    split_version text,
    split_percent smallint,
    updated_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT prompt_policies_split_complete CHECK (((split_version IS NULL) = (split_percent IS NULL))),
    CONSTRAINT prompt_policies_split_percent_range CHECK (((split_percent >= 1) AND (split_percent <= 99))),
    CONSTRAINT prompt_policies_split_two_versions CHECK ((split_version <> version)),
    CONSTRAINT prompt_policies_split_version_of_kind CHECK (((split_version ~ '^[a-z][a-z0-9_]*/v[1-9][0-9]*$'::text) AND (split_part(split_version, '/'::text, 1) = kind))),
    CONSTRAINT prompt_policies_version_of_kind CHECK (((version ~ '^[a-z][a-z0-9_]*/v[1-9][0-9]*$'::text) AND (split_part(version, '/'::text, 1) = kind)))
);


--
-- Name: TABLE prompt_policies; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.prompt_policies IS 'Which prompt version a tenant''s jobs of a kind run with, set by an operator (`courier prompts pin|split|unpin`); a kind without a row runs its current (newest) version.';


--
-- Name: COLUMN prompt_policies.version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_policies.version IS 'The pinned version (e.g. email_reply/v1); in a split, the version of the jobs not drawn for split_version.';


--
-- Name: COLUMN prompt_policies.split_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_policies.split_version IS 'In a split, the other version; NULL for a pin.';


--
-- Name: COLUMN prompt_policies.split_percent; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_policies.split_percent IS 'In a split, the share of jobs (1 to 99 percent) that run split_version, drawn from a hash of the job id (the same job always draws the same); NULL for a pin.';


--
-- Name: prompt_versions; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.prompt_versions AS
 WITH finished AS (
         SELECT j.tenant_id,
            j.kind,
            j.prompt_version,
            j.state,
            j.cost_usd,
            j.input_tokens,
            j.output_tokens,
            ((j.result ->> 'refusal_reason'::text) IS NOT NULL) AS refused,
            (EXTRACT(epoch FROM (j.finished_at - j.started_at)) * (1000)::numeric) AS run_ms,
            (EXISTS ( SELECT 1
                   FROM public.jobs r
                  WHERE ((r.replay_of = j.id) AND (r.replayed_by_id = j.requester_id)))) AS regenerated,
            ( SELECT v.decision
                   FROM public.reviews v
                  WHERE (v.job_id = j.id)) AS review_decision
           FROM public.jobs j
          WHERE ((j.prompt_version IS NOT NULL) AND (j.finished_at IS NOT NULL))
        )
 SELECT f.tenant_id,
    t.slug AS tenant,
    f.kind,
    f.prompt_version,
    count(*) AS jobs,
    count(*) FILTER (WHERE (f.state = 'succeeded'::public.job_state)) AS succeeded,
    count(*) FILTER (WHERE (f.state = 'failed'::public.job_state)) AS failed,
    round(((count(*) FILTER (WHERE f.refused))::numeric / (NULLIF(count(*) FILTER (WHERE (f.state = 'succeeded'::public.job_state)), 0))::numeric), 4) AS refusal_rate,
    round(((count(*) FILTER (WHERE f.regenerated))::numeric / (count(*))::numeric), 4) AS regeneration_rate,
    count(*) FILTER (WHERE (f.review_decision IS NOT NULL)) AS reviewed,
    round(((count(*) FILTER (WHERE (f.review_decision = 'rejected'::public.review_decision)))::numeric / (NULLIF(count(*) FILTER (WHERE (f.review_decision IS NOT NULL)), 0))::numeric), 4) AS review_rejection_rate,
    sum(f.cost_usd) AS cost_usd,
    round(((sum(f.cost_usd) * (1000)::numeric) / (count(*))::numeric), 4) AS cost_per_1000_jobs_usd,
    round(avg((f.input_tokens + f.output_tokens)), 1) AS tokens_per_job,
    round((percentile_cont((0.5)::double precision) WITHIN GROUP (ORDER BY ((f.run_ms)::double precision)))::numeric, 1) AS latency_p50_ms,
    round((percentile_cont((0.95)::double precision) WITHIN GROUP (ORDER BY ((f.run_ms)::double precision)))::numeric, 1) AS latency_p95_ms
   FROM (finished f
     JOIN public.tenants t ON ((t.id = f.tenant_id)))
  GROUP BY f.tenant_id, t.slug, f.kind, f.prompt_version;


--
-- Name: VIEW prompt_versions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.prompt_versions IS 'Prompt versions side by side, per tenant and kind, over finished jobs (prompt experiments: `courier prompts split`). A job counts for the version it recorded (jobs.prompt_version); compare rows of one tenant and kind.';


--
-- Name: COLUMN prompt_versions.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.tenant_id IS 'The tenant.';


--
-- Name: COLUMN prompt_versions.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN prompt_versions.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.kind IS 'The jobs'' kind (e.g. email_reply).';


--
-- Name: COLUMN prompt_versions.prompt_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.prompt_version IS 'The prompt version the jobs ran with (e.g. email_reply/v2).';


--
-- Name: COLUMN prompt_versions.jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.jobs IS 'Finished jobs (succeeded, failed, cancelled or expired) that ran this version.';


--
-- Name: COLUMN prompt_versions.succeeded; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.succeeded IS 'Of those, jobs that succeeded (refusals and escalations included: they are results).';


--
-- Name: COLUMN prompt_versions.failed; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.failed IS 'Of those, jobs that failed (e.g. invalid_model_output after the repair).';


--
-- Name: COLUMN prompt_versions.refusal_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.refusal_rate IS 'Share of succeeded jobs whose result declined (has a refusal_reason: refused or escalated), 0 to 1; results purged by retention count as not declined. NULL when none succeeded.';


--
-- Name: COLUMN prompt_versions.regeneration_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.regeneration_rate IS 'Share of the jobs that their own requester replayed (a replay with replay_of = the job and replayed_by_id = its requester): answers the user asked again for. 0 to 1.';


--
-- Name: COLUMN prompt_versions.reviewed; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.reviewed IS 'Of those, jobs a reviewer decided on (approved or rejected: the reviews table).';


--
-- Name: COLUMN prompt_versions.review_rejection_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.review_rejection_rate IS 'Share of the reviewed jobs the reviewer rejected, 0 to 1; NULL when none was reviewed.';


--
-- Name: COLUMN prompt_versions.cost_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.cost_usd IS 'Model cost of the jobs, in US dollars (their totals, all attempts).';


--
-- Name: COLUMN prompt_versions.cost_per_1000_jobs_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.cost_per_1000_jobs_usd IS 'cost_usd per 1,000 finished jobs, in US dollars, to 0.0001.';


--
-- Name: COLUMN prompt_versions.tokens_per_job; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.tokens_per_job IS 'Mean input plus output tokens per job.';


--
-- Name: COLUMN prompt_versions.latency_p50_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.latency_p50_ms IS 'Median milliseconds from a job''s start of execution to its end.';


--
-- Name: COLUMN prompt_versions.latency_p95_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.prompt_versions.latency_p95_ms IS '95th percentile of milliseconds from a job''s start of execution to its end.';


--
-- Name: provider_pauses; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.provider_pauses (
    provider text NOT NULL,
    paused_until timestamp with time zone NOT NULL,
    reason text NOT NULL,
    updated_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT provider_pauses_provider_format CHECK (((length(provider) >= 1) AND (length(provider) <= 300)))
);


--
-- Name: TABLE provider_pauses; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.provider_pauses IS 'A model provider that answered 429: no worker process calls it before paused_until (one row per provider, shared by every process).';


--
-- Name: COLUMN provider_pauses.provider; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.provider_pauses.provider IS 'The provider as the model layer names it: openai:<base URL>.';


--
-- Name: COLUMN provider_pauses.paused_until; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.provider_pauses.paused_until IS 'Calls wait until then; only ever moved later while a pause lasts.';


--
-- Name: COLUMN provider_pauses.reason; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.provider_pauses.reason IS 'Why it paused, e.g. rate_limited (HTTP 429).';


--
-- Name: quality_signals; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.quality_signals AS
 WITH outputs AS (
         SELECT j.kind,
            COALESCE(j.prompt_version, 'none'::text) AS prompt_version,
            date_trunc('day'::text, COALESCE(j.finished_at, j.updated_at)) AS day,
            j.state,
            r.decision,
            r.edited,
            (COALESCE(r.original_output, j.result, j.held_result) ->> 'outcome'::text) AS outcome,
            held.held,
            (EXISTS ( SELECT 1
                   FROM jsonb_array_elements(j.review_reasons) x(value)
                  WHERE ((x.value ->> 'code'::text) = ANY (ARRAY['injection_suspected'::text, 'guard_violation'::text])))) AS safety_stopped,
            (EXISTS ( SELECT 1
                   FROM jsonb_array_elements(j.review_reasons) x(value)
                  WHERE ((x.value ->> 'code'::text) = 'guard_violation'::text))) AS guard_violated,
            notes.regenerations,
            notes.guard_firings,
            notes.injections_suspected
           FROM (((public.jobs j
             LEFT JOIN public.reviews r ON ((r.job_id = j.id)))
             CROSS JOIN LATERAL ( SELECT (EXISTS ( SELECT 1
                           FROM public.job_events e
                          WHERE ((e.job_id = j.id) AND (e.type = 'needs_review'::text)))) AS held) held)
             CROSS JOIN LATERAL ( SELECT count(*) FILTER (WHERE (e.type = 'guard_fired'::text)) AS regenerations,
                    COALESCE(sum(jsonb_array_length(COALESCE((e.data -> 'violations'::text), '[]'::jsonb))) FILTER (WHERE (e.type = 'guard_fired'::text)), (0)::bigint) AS guard_firings,
                    count(*) FILTER (WHERE (e.type = 'injection_suspected'::text)) AS injections_suspected
                   FROM public.job_events e
                  WHERE ((e.job_id = j.id) AND (e.type = ANY (ARRAY['guard_fired'::text, 'injection_suspected'::text])))) notes)
          WHERE ((j.state = ANY (ARRAY['succeeded'::public.job_state, 'needs_review'::public.job_state])) OR held.held)
        )
 SELECT kind,
    prompt_version,
    day,
    count(*) AS outputs,
    count(*) FILTER (WHERE (outcome = 'refused'::text)) AS refused,
    count(*) FILTER (WHERE (outcome = 'escalated'::text)) AS escalated,
    count(*) FILTER (WHERE held) AS held_for_review,
    count(*) FILTER (WHERE (held AND safety_stopped)) AS held_by_guards,
    count(*) FILTER (WHERE ((NOT held) AND guard_violated)) AS refused_by_guards,
    count(*) FILTER (WHERE (decision = 'approved'::public.review_decision)) AS approved,
    count(*) FILTER (WHERE edited) AS edited,
    count(*) FILTER (WHERE (decision = 'rejected'::public.review_decision)) AS rejected,
    count(*) FILTER (WHERE (state = 'expired'::public.job_state)) AS expired_in_review,
    count(*) FILTER (WHERE (state = 'needs_review'::public.job_state)) AS waiting,
    (sum(regenerations))::bigint AS regenerations,
    (sum(guard_firings))::bigint AS guard_firings,
    count(*) FILTER (WHERE (injections_suspected > 0)) AS injection_suspected,
    round(((count(*) FILTER (WHERE (outcome = 'refused'::text)))::numeric / (count(*))::numeric), 4) AS refusal_rate,
    round(((count(*) FILTER (WHERE (outcome = 'escalated'::text)))::numeric / (count(*))::numeric), 4) AS escalation_rate,
    round(((count(*) FILTER (WHERE held))::numeric / (count(*))::numeric), 4) AS review_rate,
    round(((count(*) FILTER (WHERE (decision = 'rejected'::public.review_decision)))::numeric / (NULLIF(count(*) FILTER (WHERE (decision IS NOT NULL)), 0))::numeric), 4) AS rejection_rate,
    round((sum(regenerations) / (count(*))::numeric), 4) AS regeneration_rate
   FROM outputs
  GROUP BY kind, prompt_version, day;


--
-- Name: VIEW quality_signals; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.quality_signals IS 'Online quality per kind, prompt version and UTC day, from the jobs that produced an output (delivered, held, or decided in review): refusals, escalations, review holds (and those a guard caused), decisions, expiries in review, regenerations, and their rates. A regression shows here (and in the courier_output_outcomes, courier_review_* , courier_guard_firings and courier_regenerations metrics) without a new eval run. Outcomes of jobs whose outputs retention removed count as neither refused nor escalated.';


--
-- Name: COLUMN quality_signals.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.kind IS 'The job kind.';


--
-- Name: COLUMN quality_signals.prompt_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.prompt_version IS 'The prompt version the outputs were made with (none when unrecorded).';


--
-- Name: COLUMN quality_signals.day; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.day IS 'The UTC day the job finished (or was held).';


--
-- Name: COLUMN quality_signals.outputs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.outputs IS 'Jobs that produced an output: succeeded, waiting in review, or held and then decided or expired.';


--
-- Name: COLUMN quality_signals.refused; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.refused IS 'Outputs whose outcome is refused (the model declined).';


--
-- Name: COLUMN quality_signals.escalated; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.escalated IS 'Outputs whose outcome is escalated (handed to a person).';


--
-- Name: COLUMN quality_signals.held_for_review; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.held_for_review IS 'Outputs held for review (the job has a needs_review event), for any reason.';


--
-- Name: COLUMN quality_signals.held_by_guards; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.held_by_guards IS 'Held outputs the safety checks stopped (injection_suspected, or guard_violation: a guard still broken after the stricter regeneration), whatever the kind''s policy said.';


--
-- Name: COLUMN quality_signals.refused_by_guards; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.refused_by_guards IS 'Outputs of kinds without review whose answer still broke a guard and was replaced by the kind''s refusal (not held).';


--
-- Name: COLUMN quality_signals.approved; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.approved IS 'Held outputs a reviewer approved (edited ones included).';


--
-- Name: COLUMN quality_signals.edited; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.edited IS 'Held outputs approved with the reviewer''s own version.';


--
-- Name: COLUMN quality_signals.rejected; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.rejected IS 'Held outputs a reviewer rejected.';


--
-- Name: COLUMN quality_signals.expired_in_review; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.expired_in_review IS 'Held outputs no one decided before the review deadline.';


--
-- Name: COLUMN quality_signals.waiting; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.waiting IS 'Outputs waiting in review now.';


--
-- Name: COLUMN quality_signals.regenerations; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.regenerations IS 'Stricter regenerations after a guard fired (job events of type guard_fired: one per regeneration).';


--
-- Name: COLUMN quality_signals.guard_firings; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.guard_firings IS 'Output guard violations of first answers (those in the jobs'' guard_fired events, each followed by a stricter regeneration); what still broke afterwards is a guard_violation in jobs.review_reasons.';


--
-- Name: COLUMN quality_signals.injection_suspected; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.injection_suspected IS 'Outputs whose input the injection detector flagged (an injection_suspected event): the suspect text was quarantined.';


--
-- Name: COLUMN quality_signals.refusal_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.refusal_rate IS 'refused / outputs, 0 to 1.';


--
-- Name: COLUMN quality_signals.escalation_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.escalation_rate IS 'escalated / outputs, 0 to 1.';


--
-- Name: COLUMN quality_signals.review_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.review_rate IS 'held_for_review / outputs, 0 to 1.';


--
-- Name: COLUMN quality_signals.rejection_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.rejection_rate IS 'rejected / decided; NULL when none was decided.';


--
-- Name: COLUMN quality_signals.regeneration_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.quality_signals.regeneration_rate IS 'regenerations / outputs.';


--
-- Name: review_decisions; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.review_decisions AS
 SELECT r.id AS review_id,
    r.job_id,
    r.tenant_id,
    t.slug AS tenant,
    j.kind,
    j.prompt_version,
    j.model,
    requester.external_id AS requester,
    held.created_at AS held_at,
    ( SELECT array_agg((x.value ->> 'code'::text)) AS array_agg
           FROM jsonb_array_elements(r.review_reasons) x(value)) AS held_for,
    r.decision,
    r.edited,
    r.reason,
    r.reviewer_id,
    reviewer.external_id AS reviewer,
    r.reviewer_key_id,
    r.created_at AS decided_at,
    (r.created_at - held.created_at) AS waited,
    j.state AS job_state,
    (r.original_output IS NOT NULL) AS outputs_kept
   FROM (((((public.reviews r
     JOIN public.jobs j ON ((j.id = r.job_id)))
     JOIN public.tenants t ON ((t.id = r.tenant_id)))
     JOIN public.principals requester ON ((requester.id = j.requester_id)))
     JOIN public.principals reviewer ON ((reviewer.id = r.reviewer_id)))
     LEFT JOIN LATERAL ( SELECT e.created_at
           FROM public.job_events e
          WHERE ((e.job_id = r.job_id) AND (e.type = 'needs_review'::text))
          ORDER BY e.seq DESC
         LIMIT 1) held ON (true));


--
-- Name: VIEW review_decisions; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.review_decisions IS 'Every human review decision: which job (tenant, kind, prompt version, model, requester), why it was held, who decided what and when, and how long it waited. The outputs themselves are in reviews (original_output, edited_output). Jobs that expired in review have no row: see quality_signals.expired_in_review.';


--
-- Name: COLUMN review_decisions.review_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.review_id IS 'The decision (reviews.id); the job''s event of the decision names it in data.review.';


--
-- Name: COLUMN review_decisions.job_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.job_id IS 'The job decided (jobs.id).';


--
-- Name: COLUMN review_decisions.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.tenant_id IS 'The job''s tenant.';


--
-- Name: COLUMN review_decisions.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN review_decisions.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.kind IS 'The job''s kind (e.g. support_answer).';


--
-- Name: COLUMN review_decisions.prompt_version; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.prompt_version IS 'The prompt version the held output was made with.';


--
-- Name: COLUMN review_decisions.model; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.model IS 'The model that made the held output.';


--
-- Name: COLUMN review_decisions.requester; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.requester IS 'Who asked for the job (principals.external_id).';


--
-- Name: COLUMN review_decisions.held_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.held_at IS 'When the output was held (the job''s needs_review event).';


--
-- Name: COLUMN review_decisions.held_for; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.held_for IS 'The reason codes the job was held for: the kind''s policy (high_risk_kind, high_risk, low_confidence, escalation) and the safety checks (injection_suspected, guard_violation).';


--
-- Name: COLUMN review_decisions.decision; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.decision IS 'approved (the job succeeded and was delivered) or rejected (it failed with rejected_in_review).';


--
-- Name: COLUMN review_decisions.edited; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.edited IS 'Approved with the reviewer''s own version of the output (reviews.edited_output), which was delivered.';


--
-- Name: COLUMN review_decisions.reason; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.reason IS 'The reviewer''s reason for a rejection, or note on an approval.';


--
-- Name: COLUMN review_decisions.reviewer_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.reviewer_id IS 'The reviewer (principals.id); job_timeline''s actor of the decision event is principal:<reviewer_id>.';


--
-- Name: COLUMN review_decisions.reviewer; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.reviewer IS 'The reviewer''s user id in the tenant''s system (principals.external_id); reviewer_key_id is the key they used.';


--
-- Name: COLUMN review_decisions.reviewer_key_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.reviewer_key_id IS 'The public key_id of the API key the reviewer used.';


--
-- Name: COLUMN review_decisions.decided_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.decided_at IS 'When the decision was recorded.';


--
-- Name: COLUMN review_decisions.waited; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.waited IS 'From held to decided.';


--
-- Name: COLUMN review_decisions.job_state; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.job_state IS 'The job''s state now (succeeded or failed).';


--
-- Name: COLUMN review_decisions.outputs_kept; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.review_decisions.outputs_kept IS 'false once retention removed the outputs with the job''s input and result.';


--
-- Name: stream_token_secrets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stream_token_secrets (
    id bigint NOT NULL,
    value bytea NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    retires_at timestamp with time zone,
    CONSTRAINT stream_token_secrets_long_enough CHECK ((length(value) >= 32))
);


--
-- Name: TABLE stream_token_secrets; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.stream_token_secrets IS 'Secrets that sign event stream links: the newest without retires_at signs, each verifies until its retires_at.';


--
-- Name: COLUMN stream_token_secrets.retires_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stream_token_secrets.retires_at IS 'Set by a rotation: links signed with this secret are refused from then on. NULL: not rotated out.';


--
-- Name: stream_token_secrets_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.stream_token_secrets ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.stream_token_secrets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: stuck_jobs; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.stuck_jobs AS
 WITH settings AS (
         SELECT COALESCE((NULLIF(current_setting('courier.stuck_after'::text, true), ''::text))::interval, '00:05:00'::interval) AS stuck_after
        ), open_jobs AS (
         SELECT j.id,
            j.tenant_id,
            j.kind,
            j.state,
            j.attempt,
            j.queue,
            j.created_at,
            j.updated_at,
            j.expires_at,
            j.queue_job_id,
            q.status AS queue_status,
            q.scheduled_at,
            w.last_heartbeat,
                CASE
                    WHEN (j.expires_at < now()) THEN 'past its deadline but not expired'::text
                    WHEN ((j.state = 'running'::public.job_state) AND ((q.id IS NULL) OR (q.status <> 'doing'::public.procrastinate_job_status))) THEN 'running but no worker holds its queue entry'::text
                    WHEN ((j.state = 'running'::public.job_state) AND ((w.id IS NULL) OR (w.last_heartbeat < (now() - s.stuck_after)))) THEN 'running on a worker whose heartbeat stopped'::text
                    WHEN ((j.state = 'queued'::public.job_state) AND (q.id IS NULL)) THEN 'queued without a queue entry'::text
                    WHEN ((j.state = 'queued'::public.job_state) AND (COALESCE(q.scheduled_at, j.updated_at) < (now() - s.stuck_after))) THEN 'queued and not picked up'::text
                    ELSE NULL::text
                END AS reason
           FROM (((public.jobs j
             CROSS JOIN settings s)
             LEFT JOIN public.procrastinate_jobs q ON ((q.id = j.queue_job_id)))
             LEFT JOIN public.procrastinate_workers w ON ((w.id = q.worker_id)))
          WHERE (j.state = ANY (ARRAY['queued'::public.job_state, 'running'::public.job_state]))
        )
 SELECT o.id AS job_id,
    o.tenant_id,
    t.slug AS tenant,
    o.kind,
    o.state,
    o.attempt,
    o.queue,
    o.created_at,
    o.updated_at,
    (now() - o.updated_at) AS stuck_for,
    o.expires_at,
    o.reason,
    o.queue_job_id,
    o.queue_status,
    o.last_heartbeat AS worker_heartbeat_at
   FROM (open_jobs o
     JOIN public.tenants t ON ((t.id = o.tenant_id)))
  WHERE (o.reason IS NOT NULL);


--
-- Name: VIEW stuck_jobs; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.stuck_jobs IS 'Open jobs that look stuck: running without a live worker, queued and not picked up, or past their deadline. Threshold: courier.stuck_after (default 5 minutes).';


--
-- Name: COLUMN stuck_jobs.job_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.job_id IS 'The job (jobs.id).';


--
-- Name: COLUMN stuck_jobs.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.tenant_id IS 'The job''s tenant.';


--
-- Name: COLUMN stuck_jobs.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN stuck_jobs.kind; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.kind IS 'The job''s kind (e.g. email_reply).';


--
-- Name: COLUMN stuck_jobs.state; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.state IS 'Current state: queued or running.';


--
-- Name: COLUMN stuck_jobs.attempt; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.attempt IS 'Executions started so far (0 if it never ran).';


--
-- Name: COLUMN stuck_jobs.queue; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.queue IS 'The procrastinate queue the job runs on.';


--
-- Name: COLUMN stuck_jobs.created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.created_at IS 'When the job was submitted.';


--
-- Name: COLUMN stuck_jobs.updated_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.updated_at IS 'When the job last changed.';


--
-- Name: COLUMN stuck_jobs.stuck_for; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.stuck_for IS 'Time since the job last changed (an interval: now() - updated_at).';


--
-- Name: COLUMN stuck_jobs.expires_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.expires_at IS 'Deadline: the job expires if not finished by then.';


--
-- Name: COLUMN stuck_jobs.reason; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.reason IS 'Why the job looks stuck.';


--
-- Name: COLUMN stuck_jobs.queue_job_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.queue_job_id IS 'procrastinate_jobs.id of its queue entry; NULL or gone when the entry was deleted.';


--
-- Name: COLUMN stuck_jobs.queue_status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.queue_status IS 'Status of the queue entry (todo, doing, ...); NULL when it is gone.';


--
-- Name: COLUMN stuck_jobs.worker_heartbeat_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.stuck_jobs.worker_heartbeat_at IS 'Last heartbeat of the worker holding the entry; NULL when none holds it.';


--
-- Name: tenant_budget_months; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tenant_budget_months (
    tenant_id uuid NOT NULL,
    month date NOT NULL,
    spent_usd numeric(18,10) DEFAULT 0 NOT NULL,
    reserved_usd numeric(18,10) DEFAULT 0 NOT NULL,
    CONSTRAINT tenant_budget_months_first_day CHECK ((EXTRACT(day FROM month) = (1)::numeric)),
    CONSTRAINT tenant_budget_months_reserved_non_negative CHECK ((reserved_usd >= (0)::numeric)),
    CONSTRAINT tenant_budget_months_spent_non_negative CHECK ((spent_usd >= (0)::numeric))
);


--
-- Name: TABLE tenant_budget_months; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.tenant_budget_months IS 'Model spend of a tenant per UTC month, and the worst-case cost reserved by its calls in flight.';


--
-- Name: COLUMN tenant_budget_months.month; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tenant_budget_months.month IS 'First day of the UTC month.';


--
-- Name: COLUMN tenant_budget_months.spent_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tenant_budget_months.spent_usd IS 'Real cost of the calls settled against this month.';


--
-- Name: COLUMN tenant_budget_months.reserved_usd; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tenant_budget_months.reserved_usd IS 'Sum of the open reservations of this month (budget_reservations not yet settled or released).';


--
-- Name: tenant_budgets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tenant_budgets (
    tenant_id uuid NOT NULL,
    monthly_usd numeric(22,10) NOT NULL,
    when_over text DEFAULT 'refuse'::text NOT NULL,
    updated_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT tenant_budgets_monthly_non_negative CHECK ((monthly_usd >= (0)::numeric)),
    CONSTRAINT tenant_budgets_when_over_known CHECK ((when_over = ANY (ARRAY['refuse'::text, 'small'::text])))
);


--
-- Name: TABLE tenant_budgets; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.tenant_budgets IS 'Per-tenant monthly model budget in US dollars (UTC calendar months); a tenant without a row has no limit.';


--
-- Name: COLUMN tenant_budgets.when_over; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.tenant_budgets.when_over IS 'refuse: intake answers 429 and calls that do not fit are refused; small: a call that does not fit is routed to the small model tier instead, if that fits.';


--
-- Name: tenant_rate_buckets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tenant_rate_buckets (
    tenant_id uuid NOT NULL,
    tokens double precision NOT NULL,
    refilled_at timestamp with time zone NOT NULL
);


--
-- Name: TABLE tenant_rate_buckets; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.tenant_rate_buckets IS 'Intake token bucket per tenant: tokens left at refilled_at; refilled at the tenant''s rate, up to its burst.';


--
-- Name: webhook_endpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_endpoints (
    id uuid DEFAULT public.courier_uuid_v7() NOT NULL,
    tenant_id uuid NOT NULL,
    url text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    event_types text[],
    include_result boolean DEFAULT false NOT NULL,
    secret text DEFAULT public.courier_webhook_secret() NOT NULL,
    previous_secret text,
    previous_secret_expires_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    disabled_at timestamp with time zone,
    disabled_reason text,
    deleted_at timestamp with time zone,
    CONSTRAINT webhook_endpoints_disabled_has_reason CHECK (((disabled_at IS NULL) = (disabled_reason IS NULL))),
    CONSTRAINT webhook_endpoints_event_types_known CHECK (((event_types IS NULL) OR (event_types <@ ARRAY['job.queued'::text, 'job.running'::text, 'job.needs_review'::text, 'job.succeeded'::text, 'job.failed'::text, 'job.cancelled'::text, 'job.expired'::text, 'response.completed'::text, 'response.failed'::text, 'response.cancelled'::text, 'response.incomplete'::text]))),
    CONSTRAINT webhook_endpoints_previous_secret_expires CHECK (((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))),
    CONSTRAINT webhook_endpoints_secret_format CHECK ((secret ~~ 'whsec\_%'::text)),
    CONSTRAINT webhook_endpoints_url_format CHECK (((url ~ '^https?://'::text) AND (length(url) <= 2000)))
);


--
-- Name: TABLE webhook_endpoints; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.webhook_endpoints IS 'A tenant''s webhook destinations; each gets every subscribed job event, signed with its own whsec_ secret.';


--
-- Name: COLUMN webhook_endpoints.event_types; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_endpoints.event_types IS 'Subscribed event types (job.succeeded, ..., response.completed, ...); NULL means every job.* type (response.* types only when named).';


--
-- Name: COLUMN webhook_endpoints.include_result; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_endpoints.include_result IS 'Send the job result (or error) in the payload instead of a thin notification.';


--
-- Name: COLUMN webhook_endpoints.previous_secret; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_endpoints.previous_secret IS 'After a rotation the old secret also signs until previous_secret_expires_at.';


--
-- Name: COLUMN webhook_endpoints.disabled_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_endpoints.disabled_at IS 'Set when the receiver answered 410 Gone; nothing more is sent.';


--
-- Name: webhook_deliveries; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.webhook_deliveries AS
 SELECT o.id AS outbox_id,
    o.tenant_id,
    o.event_id,
    o.event_type,
    o.job_id,
    o.seq,
    o.endpoint_id,
    regexp_replace(regexp_replace(COALESCE(e.url, j.callback_url), '[?#].*$'::text, ''::text), '^([a-z]+://)[^/@]*@'::text, '\1'::text, 'i'::text) AS url,
    o.status,
    o.attempts,
    o.next_attempt_at,
    o.delivered_at,
    o.last_error,
    a.attempt,
    a.started_at,
    a.latency_ms,
    a.status_code,
    a.outcome,
    a.error,
    t.slug AS tenant,
    o.created_at
   FROM ((((public.outbox o
     JOIN public.tenants t ON ((t.id = o.tenant_id)))
     LEFT JOIN public.webhook_endpoints e ON ((e.id = o.endpoint_id)))
     LEFT JOIN public.jobs j ON ((j.id = o.job_id)))
     LEFT JOIN public.outbox_attempts a ON ((a.outbox_id = o.id)));


--
-- Name: VIEW webhook_deliveries; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.webhook_deliveries IS 'Every webhook delivery and each of its attempts (one row per attempt; attempt NULL while none was made). webhook_delivery_health sums them up per destination.';


--
-- Name: COLUMN webhook_deliveries.outbox_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.outbox_id IS 'The delivery (outbox row): one per event and destination.';


--
-- Name: COLUMN webhook_deliveries.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.tenant_id IS 'The tenant whose event it is.';


--
-- Name: COLUMN webhook_deliveries.event_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.event_id IS 'The webhook-id header, the same on every attempt.';


--
-- Name: COLUMN webhook_deliveries.event_type; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.event_type IS 'job.<state> for job events, webhook.test for a test send.';


--
-- Name: COLUMN webhook_deliveries.job_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.job_id IS 'The job of the event; NULL for a test send.';


--
-- Name: COLUMN webhook_deliveries.seq; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.seq IS 'The job event''s sequence number; NULL for a test send.';


--
-- Name: COLUMN webhook_deliveries.endpoint_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.endpoint_id IS 'The tenant webhook endpoint; NULL when the destination is the job''s callback_url.';


--
-- Name: COLUMN webhook_deliveries.url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.url IS 'The destination, without query string or user info.';


--
-- Name: COLUMN webhook_deliveries.status; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.status IS 'pending (not yet or retrying), delivered, failed (gave up or 410) or cancelled (destination removed or disabled).';


--
-- Name: COLUMN webhook_deliveries.attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.attempts IS 'Attempts made for the delivery so far.';


--
-- Name: COLUMN webhook_deliveries.next_attempt_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.next_attempt_at IS 'When a pending delivery is tried next.';


--
-- Name: COLUMN webhook_deliveries.delivered_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.delivered_at IS 'When a 2xx answer was recorded; NULL until delivered.';


--
-- Name: COLUMN webhook_deliveries.last_error; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.last_error IS 'Error of the latest failed attempt of the delivery.';


--
-- Name: COLUMN webhook_deliveries.attempt; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.attempt IS 'This row''s attempt number (1 = first try); NULL when none was made yet.';


--
-- Name: COLUMN webhook_deliveries.started_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.started_at IS 'When this attempt started.';


--
-- Name: COLUMN webhook_deliveries.latency_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.latency_ms IS 'Milliseconds from the start of this attempt to its answer (or failure).';


--
-- Name: COLUMN webhook_deliveries.status_code; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.status_code IS 'HTTP status the receiver answered; NULL without an answer (timeout, refused, connection error).';


--
-- Name: COLUMN webhook_deliveries.outcome; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.outcome IS 'delivered (2xx), retry, failed (gave up), gone (410: endpoint disabled) or refused (destination not allowed).';


--
-- Name: COLUMN webhook_deliveries.error; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.error IS 'Why this attempt failed; NULL when it delivered.';


--
-- Name: COLUMN webhook_deliveries.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN webhook_deliveries.created_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_deliveries.created_at IS 'When the delivery was queued (the commit of its event).';


--
-- Name: webhook_delivery_health; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.webhook_delivery_health AS
 WITH settings AS (
         SELECT (now() - COALESCE((NULLIF(current_setting('courier.webhook_health_window'::text, true), ''::text))::interval, '24:00:00'::interval)) AS since
        ), deliveries AS (
         SELECT o.tenant_id,
            o.endpoint_id,
            count(*) FILTER (WHERE (o.created_at >= s.since)) AS deliveries,
            count(*) FILTER (WHERE (o.status = 'pending'::public.outbox_status)) AS pending,
            count(*) FILTER (WHERE ((o.status = 'delivered'::public.outbox_status) AND (o.created_at >= s.since))) AS delivered,
            count(*) FILTER (WHERE ((o.status = 'failed'::public.outbox_status) AND (o.created_at >= s.since))) AS failed,
            count(*) FILTER (WHERE ((o.status = 'cancelled'::public.outbox_status) AND (o.created_at >= s.since))) AS cancelled,
            min(o.created_at) FILTER (WHERE (o.status = 'pending'::public.outbox_status)) AS oldest_pending_at
           FROM (public.outbox o
             CROSS JOIN settings s)
          WHERE ((o.created_at >= s.since) OR (o.status = 'pending'::public.outbox_status))
          GROUP BY o.tenant_id, o.endpoint_id
        ), attempts AS (
         SELECT a.tenant_id,
            o.endpoint_id,
            count(*) AS attempts,
            count(*) FILTER (WHERE (a.outcome = 'delivered'::text)) AS successful_attempts,
            round((percentile_cont((0.5)::double precision) WITHIN GROUP (ORDER BY ((a.latency_ms)::double precision)))::numeric, 1) AS latency_p50_ms,
            round((percentile_cont((0.95)::double precision) WITHIN GROUP (ORDER BY ((a.latency_ms)::double precision)))::numeric, 1) AS latency_p95_ms,
            max(a.started_at) FILTER (WHERE (a.outcome = 'delivered'::text)) AS last_success_at
           FROM ((public.outbox_attempts a
             JOIN public.outbox o ON ((o.id = a.outbox_id)))
             CROSS JOIN settings s)
          WHERE (a.started_at >= s.since)
          GROUP BY a.tenant_id, o.endpoint_id
        ), last_errors AS (
         SELECT DISTINCT ON (a.tenant_id, o.endpoint_id) a.tenant_id,
            o.endpoint_id,
            a.error AS last_error,
            a.started_at AS last_error_at
           FROM ((public.outbox_attempts a
             JOIN public.outbox o ON ((o.id = a.outbox_id)))
             CROSS JOIN settings s)
          WHERE ((a.started_at >= s.since) AND (a.outcome <> 'delivered'::text))
          ORDER BY a.tenant_id, o.endpoint_id, a.started_at DESC, a.attempt DESC
        ), destinations AS (
         SELECT deliveries.tenant_id,
            deliveries.endpoint_id
           FROM deliveries
        UNION
         SELECT attempts.tenant_id,
            attempts.endpoint_id
           FROM attempts
        UNION
         SELECT webhook_endpoints.tenant_id,
            webhook_endpoints.id
           FROM public.webhook_endpoints
          WHERE (webhook_endpoints.deleted_at IS NULL)
        )
 SELECT d.tenant_id,
    t.slug AS tenant,
    d.endpoint_id,
        CASE
            WHEN (d.endpoint_id IS NULL) THEN 'callback_url'::text
            ELSE 'endpoint'::text
        END AS destination,
    regexp_replace(regexp_replace(e.url, '[?#].*$'::text, ''::text), '^([a-z]+://)[^/@]*@'::text, '\1'::text, 'i'::text) AS url,
    e.disabled_at,
    e.disabled_reason,
    e.deleted_at,
    COALESCE(dl.deliveries, (0)::bigint) AS deliveries,
    COALESCE(dl.pending, (0)::bigint) AS pending,
    COALESCE(dl.delivered, (0)::bigint) AS delivered,
    COALESCE(dl.failed, (0)::bigint) AS failed,
    COALESCE(dl.cancelled, (0)::bigint) AS cancelled,
    dl.oldest_pending_at,
    COALESCE(at.attempts, (0)::bigint) AS attempts,
    round(((at.successful_attempts)::numeric / (NULLIF(at.attempts, 0))::numeric), 4) AS success_rate,
    at.latency_p50_ms,
    at.latency_p95_ms,
    le.last_error,
    le.last_error_at,
    at.last_success_at
   FROM (((((destinations d
     JOIN public.tenants t ON ((t.id = d.tenant_id)))
     LEFT JOIN public.webhook_endpoints e ON ((e.id = d.endpoint_id)))
     LEFT JOIN deliveries dl ON (((dl.tenant_id = d.tenant_id) AND (NOT (dl.endpoint_id IS DISTINCT FROM d.endpoint_id)))))
     LEFT JOIN attempts at ON (((at.tenant_id = d.tenant_id) AND (NOT (at.endpoint_id IS DISTINCT FROM d.endpoint_id)))))
     LEFT JOIN last_errors le ON (((le.tenant_id = d.tenant_id) AND (NOT (le.endpoint_id IS DISTINCT FROM d.endpoint_id)))));


--
-- Name: VIEW webhook_delivery_health; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON VIEW public.webhook_delivery_health IS 'Webhook delivery health per tenant and destination (each endpoint, and all of a tenant''s callback_url deliveries together) over a recent window: 24 hours unless `SET courier.webhook_health_window = ''1 hour''`. Every live endpoint has a row, also when idle. Details per attempt: webhook_deliveries.';


--
-- Name: COLUMN webhook_delivery_health.tenant_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.tenant_id IS 'The tenant.';


--
-- Name: COLUMN webhook_delivery_health.tenant; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.tenant IS 'The tenant''s slug.';


--
-- Name: COLUMN webhook_delivery_health.endpoint_id; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.endpoint_id IS 'The webhook endpoint; NULL for the row of the tenant''s callback_url deliveries.';


--
-- Name: COLUMN webhook_delivery_health.destination; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.destination IS 'endpoint (a registered webhook endpoint) or callback_url (the jobs'' own callback URLs, together).';


--
-- Name: COLUMN webhook_delivery_health.url; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.url IS 'The endpoint URL without query string or user info; NULL for callback_url (it varies by job).';


--
-- Name: COLUMN webhook_delivery_health.disabled_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.disabled_at IS 'When the endpoint was disabled (a 410 answer); NULL while it receives.';


--
-- Name: COLUMN webhook_delivery_health.disabled_reason; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.disabled_reason IS 'Why the endpoint was disabled.';


--
-- Name: COLUMN webhook_delivery_health.deleted_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.deleted_at IS 'When the endpoint was deleted (its recent history still shows).';


--
-- Name: COLUMN webhook_delivery_health.deliveries; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.deliveries IS 'Deliveries (one per event and destination) queued in the window.';


--
-- Name: COLUMN webhook_delivery_health.pending; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.pending IS 'Deliveries waiting now for a first try or a retry, whatever their age.';


--
-- Name: COLUMN webhook_delivery_health.delivered; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.delivered IS 'Deliveries queued in the window and delivered (a 2xx answer).';


--
-- Name: COLUMN webhook_delivery_health.failed; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.failed IS 'Deliveries queued in the window and given up (retries exhausted, or 410).';


--
-- Name: COLUMN webhook_delivery_health.cancelled; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.cancelled IS 'Deliveries queued in the window and cancelled (endpoint deleted or disabled).';


--
-- Name: COLUMN webhook_delivery_health.oldest_pending_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.oldest_pending_at IS 'When the oldest pending delivery was queued: how far behind this destination is.';


--
-- Name: COLUMN webhook_delivery_health.attempts; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.attempts IS 'HTTP attempts (first tries and retries) started in the window.';


--
-- Name: COLUMN webhook_delivery_health.success_rate; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.success_rate IS 'Share of the window''s attempts that delivered, 0 to 1; NULL without attempts.';


--
-- Name: COLUMN webhook_delivery_health.latency_p50_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.latency_p50_ms IS 'Median milliseconds per attempt in the window, from the request to the answer or the failure.';


--
-- Name: COLUMN webhook_delivery_health.latency_p95_ms; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.latency_p95_ms IS '95th percentile of milliseconds per attempt in the window.';


--
-- Name: COLUMN webhook_delivery_health.last_error; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.last_error IS 'Error of the latest failed attempt in the window (e.g. HTTP 503, no answer within 10 s).';


--
-- Name: COLUMN webhook_delivery_health.last_error_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.last_error_at IS 'When that failed attempt started.';


--
-- Name: COLUMN webhook_delivery_health.last_success_at; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON COLUMN public.webhook_delivery_health.last_success_at IS 'When the latest successful attempt in the window started; NULL when none succeeded in the window.';


--
-- Name: procrastinate_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_events ALTER COLUMN id SET DEFAULT nextval('public.procrastinate_events_id_seq'::regclass);


--
-- Name: procrastinate_jobs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_jobs ALTER COLUMN id SET DEFAULT nextval('public.procrastinate_jobs_id_seq'::regclass);


--
-- Name: procrastinate_periodic_defers id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_periodic_defers ALTER COLUMN id SET DEFAULT nextval('public.procrastinate_periodic_defers_id_seq'::regclass);


--
-- Name: api_keys api_keys_key_hash_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_key_hash_unique UNIQUE (key_hash);


--
-- Name: api_keys api_keys_key_id_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_key_id_unique UNIQUE (key_id);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: budget_reservations budget_reservations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.budget_reservations
    ADD CONSTRAINT budget_reservations_pkey PRIMARY KEY (id);


--
-- Name: callback_secrets callback_secrets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.callback_secrets
    ADD CONSTRAINT callback_secrets_pkey PRIMARY KEY (tenant_id);


--
-- Name: chunk_acl_counts chunk_acl_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chunk_acl_counts
    ADD CONSTRAINT chunk_acl_counts_pkey PRIMARY KEY (tenant_id, model, acl_key);


--
-- Name: chunk_embedding_codes chunk_embedding_codes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chunk_embedding_codes
    ADD CONSTRAINT chunk_embedding_codes_pkey PRIMARY KEY (chunk_id, model);


--
-- Name: chunk_embeddings chunk_embeddings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chunk_embeddings
    ADD CONSTRAINT chunk_embeddings_pkey PRIMARY KEY (chunk_id, model);


--
-- Name: chunks chunks_document_ordinal_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chunks
    ADD CONSTRAINT chunks_document_ordinal_unique UNIQUE (document_id, ordinal);


--
-- Name: chunks chunks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chunks
    ADD CONSTRAINT chunks_pkey PRIMARY KEY (id);


--
-- Name: console_sessions console_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.console_sessions
    ADD CONSTRAINT console_sessions_pkey PRIMARY KEY (token_hash);


--
-- Name: courier_migrations courier_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.courier_migrations
    ADD CONSTRAINT courier_migrations_pkey PRIMARY KEY (version);


--
-- Name: courier_procrastinate_migrations courier_procrastinate_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.courier_procrastinate_migrations
    ADD CONSTRAINT courier_procrastinate_migrations_pkey PRIMARY KEY (name);


--
-- Name: courier_secrets courier_secrets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.courier_secrets
    ADD CONSTRAINT courier_secrets_pkey PRIMARY KEY (name);


--
-- Name: documents documents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (id);


--
-- Name: embedding_models embedding_models_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.embedding_models
    ADD CONSTRAINT embedding_models_pkey PRIMARY KEY (model);


--
-- Name: installation_keys installation_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.installation_keys
    ADD CONSTRAINT installation_keys_pkey PRIMARY KEY (name);


--
-- Name: job_events job_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_events
    ADD CONSTRAINT job_events_pkey PRIMARY KEY (job_id, seq);


--
-- Name: job_sources job_sources_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_sources
    ADD CONSTRAINT job_sources_pkey PRIMARY KEY (job_id, document_id, document_version);


--
-- Name: job_state_transitions job_state_transitions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_state_transitions
    ADD CONSTRAINT job_state_transitions_pkey PRIMARY KEY (from_state, to_state);


--
-- Name: jobs jobs_idempotency_key_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.jobs
    ADD CONSTRAINT jobs_idempotency_key_unique UNIQUE (tenant_id, idempotency_key);


--
-- Name: jobs jobs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.jobs
    ADD CONSTRAINT jobs_pkey PRIMARY KEY (id);


--
-- Name: llm_cache llm_cache_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_cache
    ADD CONSTRAINT llm_cache_pkey PRIMARY KEY (tenant_id, cache_key);


--
-- Name: llm_calls llm_calls_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_calls
    ADD CONSTRAINT llm_calls_pkey PRIMARY KEY (id);


--
-- Name: llm_calls llm_calls_reservation_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_calls
    ADD CONSTRAINT llm_calls_reservation_unique UNIQUE (reservation_id);


--
-- Name: llm_checkpoints llm_checkpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_checkpoints
    ADD CONSTRAINT llm_checkpoints_pkey PRIMARY KEY (job_id, step);


--
-- Name: outbox_attempts outbox_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_attempts
    ADD CONSTRAINT outbox_attempts_pkey PRIMARY KEY (outbox_id, attempt);


--
-- Name: outbox_destinations outbox_destinations_one_per_url; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_destinations
    ADD CONSTRAINT outbox_destinations_one_per_url UNIQUE (tenant_id, url_hash);


--
-- Name: outbox_destinations outbox_destinations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_destinations
    ADD CONSTRAINT outbox_destinations_pkey PRIMARY KEY (id);


--
-- Name: outbox outbox_one_row_per_destination; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_one_row_per_destination UNIQUE NULLS NOT DISTINCT (event_id, endpoint_id);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);


--
-- Name: principals principals_external_id_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.principals
    ADD CONSTRAINT principals_external_id_unique UNIQUE (tenant_id, external_id);


--
-- Name: principals principals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.principals
    ADD CONSTRAINT principals_pkey PRIMARY KEY (id);


--
-- Name: procrastinate_events procrastinate_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_events
    ADD CONSTRAINT procrastinate_events_pkey PRIMARY KEY (id);


--
-- Name: procrastinate_jobs procrastinate_jobs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_jobs
    ADD CONSTRAINT procrastinate_jobs_pkey PRIMARY KEY (id);


--
-- Name: procrastinate_periodic_defers procrastinate_periodic_defers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_periodic_defers
    ADD CONSTRAINT procrastinate_periodic_defers_pkey PRIMARY KEY (id);


--
-- Name: procrastinate_periodic_defers procrastinate_periodic_defers_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_periodic_defers
    ADD CONSTRAINT procrastinate_periodic_defers_unique UNIQUE (task_name, periodic_id, defer_timestamp);


--
-- Name: procrastinate_workers procrastinate_workers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_workers
    ADD CONSTRAINT procrastinate_workers_pkey PRIMARY KEY (id);


--
-- Name: prompt_policies prompt_policies_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.prompt_policies
    ADD CONSTRAINT prompt_policies_pkey PRIMARY KEY (tenant_id, kind);


--
-- Name: provider_pauses provider_pauses_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.provider_pauses
    ADD CONSTRAINT provider_pauses_pkey PRIMARY KEY (provider);


--
-- Name: reviews reviews_one_decision_per_job; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_one_decision_per_job UNIQUE (job_id);


--
-- Name: reviews reviews_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_pkey PRIMARY KEY (id);


--
-- Name: stream_token_secrets stream_token_secrets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stream_token_secrets
    ADD CONSTRAINT stream_token_secrets_pkey PRIMARY KEY (id);


--
-- Name: tenant_budget_months tenant_budget_months_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenant_budget_months
    ADD CONSTRAINT tenant_budget_months_pkey PRIMARY KEY (tenant_id, month);


--
-- Name: tenant_budgets tenant_budgets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenant_budgets
    ADD CONSTRAINT tenant_budgets_pkey PRIMARY KEY (tenant_id);


--
-- Name: tenant_rate_buckets tenant_rate_buckets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenant_rate_buckets
    ADD CONSTRAINT tenant_rate_buckets_pkey PRIMARY KEY (tenant_id);


--
-- Name: tenants tenants_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);


--
-- Name: tenants tenants_slug_unique; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_slug_unique UNIQUE (slug);


--
-- Name: webhook_endpoints webhook_endpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id);


--
-- Name: budget_reservations_open; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX budget_reservations_open ON public.budget_reservations USING btree (tenant_id, month, created_at) WHERE ((settled_at IS NULL) AND (released_at IS NULL));


--
-- Name: chunk_embedding_codes_tenant_acl_keys; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chunk_embedding_codes_tenant_acl_keys ON public.chunk_embedding_codes USING gin (public.courier_tenant_acl_keys(tenant_id, acl_groups));


--
-- Name: chunk_embeddings_acl_keys; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chunk_embeddings_acl_keys ON public.chunk_embeddings USING gin (tenant_id, public.courier_acl_keys(acl_groups));


--
-- Name: chunk_embeddings_hnsw; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chunk_embeddings_hnsw ON public.chunk_embeddings USING hnsw (embedding public.vector_cosine_ops);


--
-- Name: chunk_embeddings_tenant_model; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chunk_embeddings_tenant_model ON public.chunk_embeddings USING btree (tenant_id, model);


--
-- Name: chunks_acl_keys; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chunks_acl_keys ON public.chunks USING gin (tenant_id, public.courier_acl_keys(acl_groups));


--
-- Name: chunks_tsv; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chunks_tsv ON public.chunks USING gin (tsv);


--
-- Name: console_sessions_expires; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX console_sessions_expires ON public.console_sessions USING btree (expires_at);


--
-- Name: console_sessions_key; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX console_sessions_key ON public.console_sessions USING btree (key_id);


--
-- Name: documents_content_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX documents_content_unique ON public.documents USING btree (tenant_id, source, content_hash) WHERE (external_id IS NULL);


--
-- Name: documents_external_id_unique; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX documents_external_id_unique ON public.documents USING btree (tenant_id, source, external_id) WHERE (external_id IS NOT NULL);


--
-- Name: documents_tenant_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX documents_tenant_created ON public.documents USING btree (tenant_id, id);


--
-- Name: embedding_models_one_active; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX embedding_models_one_active ON public.embedding_models USING btree (state) WHERE (state = 'active'::text);


--
-- Name: idx_procrastinate_jobs_worker_not_null; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_procrastinate_jobs_worker_not_null ON public.procrastinate_jobs USING btree (worker_id) WHERE ((worker_id IS NOT NULL) AND (status = 'doing'::public.procrastinate_job_status));


--
-- Name: idx_procrastinate_workers_last_heartbeat; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idx_procrastinate_workers_last_heartbeat ON public.procrastinate_workers USING btree (last_heartbeat);


--
-- Name: job_events_tenant_recent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX job_events_tenant_recent ON public.job_events USING btree (tenant_id, created_at);


--
-- Name: job_events_tenant_stream; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX job_events_tenant_stream ON public.job_events USING btree (tenant_id, xid, "position");


--
-- Name: jobs_backfill_once; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX jobs_backfill_once ON public.jobs USING btree (replay_of, backfill_batch) WHERE (backfill_batch IS NOT NULL);


--
-- Name: jobs_finished_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX jobs_finished_at ON public.jobs USING btree (finished_at) WHERE (finished_at IS NOT NULL);


--
-- Name: jobs_kind_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX jobs_kind_created ON public.jobs USING btree (kind, created_at);


--
-- Name: jobs_open_by_deadline; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX jobs_open_by_deadline ON public.jobs USING btree (expires_at) WHERE (state = ANY (ARRAY['queued'::public.job_state, 'running'::public.job_state, 'needs_review'::public.job_state]));


--
-- Name: jobs_open_by_update; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX jobs_open_by_update ON public.jobs USING btree (updated_at) WHERE (state = ANY (ARRAY['queued'::public.job_state, 'running'::public.job_state]));


--
-- Name: jobs_purge_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX jobs_purge_due ON public.jobs USING btree (tenant_id, finished_at) WHERE ((finished_at IS NOT NULL) AND (purged_at IS NULL));


--
-- Name: jobs_replay_of; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX jobs_replay_of ON public.jobs USING btree (replay_of) WHERE (replay_of IS NOT NULL);


--
-- Name: jobs_tenant_in_review; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX jobs_tenant_in_review ON public.jobs USING btree (tenant_id, id) WHERE (state = 'needs_review'::public.job_state);


--
-- Name: jobs_tenant_recent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX jobs_tenant_recent ON public.jobs USING btree (tenant_id, id DESC);


--
-- Name: jobs_tenant_state_recent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX jobs_tenant_state_recent ON public.jobs USING btree (tenant_id, state, id DESC);


--
-- Name: llm_cache_expiry; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX llm_cache_expiry ON public.llm_cache USING btree (expires_at);


--
-- Name: llm_cache_job; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX llm_cache_job ON public.llm_cache USING btree (job_id);


--
-- Name: llm_calls_job; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX llm_calls_job ON public.llm_calls USING btree (job_id);


--
-- Name: llm_calls_tenant_recent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX llm_calls_tenant_recent ON public.llm_calls USING btree (tenant_id, created_at);


--
-- Name: outbox_destination_waiting; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_destination_waiting ON public.outbox USING btree (destination_id, next_attempt_at) WHERE ((status = 'pending'::public.outbox_status) AND (NOT held));


--
-- Name: outbox_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_due ON public.outbox USING btree (next_attempt_at) WHERE ((status = 'pending'::public.outbox_status) AND (NOT held));


--
-- Name: outbox_endpoint_recent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_endpoint_recent ON public.outbox USING btree (endpoint_id, id DESC);


--
-- Name: outbox_job; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_job ON public.outbox USING btree (job_id, seq);


--
-- Name: procrastinate_events_job_id_fkey_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_events_job_id_fkey_v1 ON public.procrastinate_events USING btree (job_id);


--
-- Name: procrastinate_jobs_id_lock_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_jobs_id_lock_idx_v1 ON public.procrastinate_jobs USING btree (id, lock) WHERE (status = ANY (ARRAY['todo'::public.procrastinate_job_status, 'doing'::public.procrastinate_job_status]));


--
-- Name: procrastinate_jobs_lock_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX procrastinate_jobs_lock_idx_v1 ON public.procrastinate_jobs USING btree (lock) WHERE (status = 'doing'::public.procrastinate_job_status);


--
-- Name: procrastinate_jobs_priority_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_jobs_priority_idx_v1 ON public.procrastinate_jobs USING btree (priority DESC, id) WHERE (status = 'todo'::public.procrastinate_job_status);


--
-- Name: procrastinate_jobs_queue_name_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_jobs_queue_name_idx_v1 ON public.procrastinate_jobs USING btree (queue_name);


--
-- Name: procrastinate_jobs_queueing_lock_idx_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX procrastinate_jobs_queueing_lock_idx_v1 ON public.procrastinate_jobs USING btree (queueing_lock) WHERE (status = 'todo'::public.procrastinate_job_status);


--
-- Name: procrastinate_periodic_defers_job_id_fkey_v1; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX procrastinate_periodic_defers_job_id_fkey_v1 ON public.procrastinate_periodic_defers USING btree (job_id);


--
-- Name: reviews_reviewer; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reviews_reviewer ON public.reviews USING btree (reviewer_id, created_at);


--
-- Name: reviews_tenant_recent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX reviews_tenant_recent ON public.reviews USING btree (tenant_id, created_at);


--
-- Name: webhook_endpoints_tenant_live; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_endpoints_tenant_live ON public.webhook_endpoints USING btree (tenant_id) WHERE ((disabled_at IS NULL) AND (deleted_at IS NULL));


--
-- Name: api_keys api_keys_notify_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_notify_changed AFTER DELETE OR UPDATE ON public.api_keys FOR EACH ROW EXECUTE FUNCTION public.courier_api_keys_notify_changed();


--
-- Name: api_keys api_keys_notify_revoked; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_notify_revoked AFTER DELETE OR UPDATE OF revoked_at ON public.api_keys FOR EACH ROW EXECUTE FUNCTION public.courier_api_keys_notify_revoked();


--
-- Name: api_keys api_keys_rights_fixed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER api_keys_rights_fixed BEFORE UPDATE ON public.api_keys FOR EACH ROW WHEN ((((((((new.key_id IS DISTINCT FROM old.key_id) OR (new.key_hash IS DISTINCT FROM old.key_hash)) OR (new.tenant_id IS DISTINCT FROM old.tenant_id)) OR (new.principal_id IS DISTINCT FROM old.principal_id)) OR (new.acl_groups IS DISTINCT FROM old.acl_groups)) OR (new.roles IS DISTINCT FROM old.roles)) OR (new.created_at IS DISTINCT FROM old.created_at))) EXECUTE FUNCTION public.courier_api_keys_rights_fixed();


--
-- Name: chunk_embeddings chunk_embeddings_acl_is_chunk_acl; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunk_embeddings_acl_is_chunk_acl BEFORE UPDATE OF tenant_id, acl_groups ON public.chunk_embeddings FOR EACH ROW EXECUTE FUNCTION public.courier_embedding_acl_is_chunk_acl();


--
-- Name: chunk_embeddings chunk_embeddings_code_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunk_embeddings_code_insert AFTER INSERT ON public.chunk_embeddings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.courier_chunk_embedding_code();


--
-- Name: chunk_embeddings chunk_embeddings_code_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunk_embeddings_code_update AFTER UPDATE ON public.chunk_embeddings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.courier_chunk_embedding_code();


--
-- Name: chunk_embeddings chunk_embeddings_copy_chunk; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunk_embeddings_copy_chunk BEFORE INSERT ON public.chunk_embeddings FOR EACH ROW EXECUTE FUNCTION public.courier_embedding_copy_chunk();


--
-- Name: chunk_embeddings chunk_embeddings_count_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunk_embeddings_count_delete AFTER DELETE ON public.chunk_embeddings REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.courier_chunk_acl_count();


--
-- Name: chunk_embeddings chunk_embeddings_count_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunk_embeddings_count_insert AFTER INSERT ON public.chunk_embeddings REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.courier_chunk_acl_count();


--
-- Name: chunk_embeddings chunk_embeddings_count_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunk_embeddings_count_truncate AFTER TRUNCATE ON public.chunk_embeddings FOR EACH STATEMENT EXECUTE FUNCTION public.courier_chunk_acl_count();


--
-- Name: chunk_embeddings chunk_embeddings_count_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunk_embeddings_count_update AFTER UPDATE ON public.chunk_embeddings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.courier_chunk_acl_count();


--
-- Name: chunks chunks_acl_is_document_acl; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunks_acl_is_document_acl BEFORE UPDATE OF tenant_id, acl_groups ON public.chunks FOR EACH ROW EXECUTE FUNCTION public.courier_chunk_acl_is_document_acl();


--
-- Name: chunks chunks_copy_document; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chunks_copy_document BEFORE INSERT ON public.chunks FOR EACH ROW EXECUTE FUNCTION public.courier_chunk_copy_document();


--
-- Name: console_sessions console_sessions_notify_ended; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER console_sessions_notify_ended AFTER DELETE ON public.console_sessions FOR EACH ROW EXECUTE FUNCTION public.courier_console_sessions_notify_ended();


--
-- Name: documents documents_acl_follow; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER documents_acl_follow AFTER UPDATE OF acl_groups ON public.documents FOR EACH ROW WHEN ((new.acl_groups IS DISTINCT FROM old.acl_groups)) EXECUTE FUNCTION public.courier_chunks_follow_document();


--
-- Name: job_events job_events_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER job_events_append_only BEFORE DELETE OR UPDATE ON public.job_events FOR EACH ROW EXECUTE FUNCTION public.courier_refuse_change('job_events_append_only');


--
-- Name: job_events job_events_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER job_events_no_truncate BEFORE TRUNCATE ON public.job_events FOR EACH STATEMENT EXECUTE FUNCTION public.courier_refuse_truncate('job_events_append_only');


--
-- Name: job_events job_events_notify; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER job_events_notify AFTER INSERT ON public.job_events FOR EACH ROW EXECUTE FUNCTION public.courier_job_events_notify();


--
-- Name: job_events job_events_outbox; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER job_events_outbox AFTER INSERT ON public.job_events FOR EACH ROW EXECUTE FUNCTION public.courier_job_events_outbox_v2();


--
-- Name: job_events job_events_seq_gapless; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER job_events_seq_gapless BEFORE INSERT ON public.job_events FOR EACH ROW EXECUTE FUNCTION public.courier_job_events_check_seq();


--
-- Name: jobs jobs_acl_groups_fixed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER jobs_acl_groups_fixed BEFORE UPDATE OF acl_groups ON public.jobs FOR EACH ROW WHEN ((new.acl_groups IS DISTINCT FROM old.acl_groups)) EXECUTE FUNCTION public.courier_jobs_replay_origin_fixed();


--
-- Name: jobs jobs_after_write; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER jobs_after_write AFTER INSERT OR UPDATE ON public.jobs FOR EACH ROW EXECUTE FUNCTION public.courier_jobs_after_write();


--
-- Name: jobs jobs_before_write; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER jobs_before_write BEFORE INSERT OR UPDATE ON public.jobs FOR EACH ROW EXECUTE FUNCTION public.courier_jobs_before_write();


--
-- Name: jobs jobs_history_kept; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER jobs_history_kept BEFORE DELETE ON public.jobs FOR EACH ROW EXECUTE FUNCTION public.courier_refuse_change('jobs_history_kept');


--
-- Name: jobs jobs_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER jobs_no_truncate BEFORE TRUNCATE ON public.jobs FOR EACH STATEMENT EXECUTE FUNCTION public.courier_refuse_truncate('jobs_history_kept');


--
-- Name: jobs jobs_replay_origin_fixed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER jobs_replay_origin_fixed BEFORE UPDATE OF replayed_by_id, backfill_batch ON public.jobs FOR EACH ROW WHEN (((new.replayed_by_id IS DISTINCT FROM old.replayed_by_id) OR (new.backfill_batch IS DISTINCT FROM old.backfill_batch))) EXECUTE FUNCTION public.courier_jobs_replay_origin_fixed();


--
-- Name: jobs jobs_review_decided_by_review; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER jobs_review_decided_by_review AFTER UPDATE OF state ON public.jobs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (((old.state = 'needs_review'::public.job_state) AND (new.state = ANY (ARRAY['succeeded'::public.job_state, 'failed'::public.job_state])))) EXECUTE FUNCTION public.courier_jobs_review_decided();


--
-- Name: llm_calls llm_calls_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER llm_calls_append_only BEFORE DELETE OR UPDATE ON public.llm_calls FOR EACH ROW EXECUTE FUNCTION public.courier_refuse_change('llm_calls_append_only');


--
-- Name: llm_calls llm_calls_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER llm_calls_no_truncate BEFORE TRUNCATE ON public.llm_calls FOR EACH STATEMENT EXECUTE FUNCTION public.courier_refuse_truncate('llm_calls_append_only');


--
-- Name: outbox outbox_before_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER outbox_before_insert BEFORE INSERT ON public.outbox FOR EACH ROW EXECUTE FUNCTION public.courier_outbox_before_insert();


--
-- Name: outbox outbox_release_next; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER outbox_release_next AFTER UPDATE OF status ON public.outbox FOR EACH ROW WHEN (((old.status = 'pending'::public.outbox_status) AND (new.status <> 'pending'::public.outbox_status) AND (NOT old.held) AND (old.job_id IS NOT NULL))) EXECUTE FUNCTION public.courier_outbox_release_next();


--
-- Name: principals principals_notify_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER principals_notify_changed AFTER DELETE OR UPDATE ON public.principals FOR EACH ROW EXECUTE FUNCTION public.courier_api_keys_notify_changed();


--
-- Name: procrastinate_jobs procrastinate_jobs_notify_queue_job_aborted_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_jobs_notify_queue_job_aborted_v1 AFTER UPDATE OF abort_requested ON public.procrastinate_jobs FOR EACH ROW WHEN (((old.abort_requested = false) AND (new.abort_requested = true) AND (new.status = 'doing'::public.procrastinate_job_status))) EXECUTE FUNCTION public.procrastinate_notify_queue_abort_job_v1();


--
-- Name: procrastinate_jobs procrastinate_jobs_notify_queue_job_inserted_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_jobs_notify_queue_job_inserted_v1 AFTER INSERT ON public.procrastinate_jobs FOR EACH ROW WHEN ((new.status = 'todo'::public.procrastinate_job_status)) EXECUTE FUNCTION public.procrastinate_notify_queue_job_inserted_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_abort_requested_events_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_abort_requested_events_v1 AFTER UPDATE OF abort_requested ON public.procrastinate_jobs FOR EACH ROW WHEN ((new.abort_requested = true)) EXECUTE FUNCTION public.procrastinate_trigger_abort_requested_events_procedure_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_delete_jobs_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_delete_jobs_v1 BEFORE DELETE ON public.procrastinate_jobs FOR EACH ROW EXECUTE FUNCTION public.procrastinate_unlink_periodic_defers_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_scheduled_events_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_scheduled_events_v1 AFTER INSERT OR UPDATE ON public.procrastinate_jobs FOR EACH ROW WHEN (((new.scheduled_at IS NOT NULL) AND (new.status = 'todo'::public.procrastinate_job_status))) EXECUTE FUNCTION public.procrastinate_trigger_function_scheduled_events_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_status_events_insert_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_status_events_insert_v1 AFTER INSERT ON public.procrastinate_jobs FOR EACH ROW WHEN ((new.status = 'todo'::public.procrastinate_job_status)) EXECUTE FUNCTION public.procrastinate_trigger_function_status_events_insert_v1();


--
-- Name: procrastinate_jobs procrastinate_trigger_status_events_update_v1; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER procrastinate_trigger_status_events_update_v1 AFTER UPDATE OF status ON public.procrastinate_jobs FOR EACH ROW EXECUTE FUNCTION public.procrastinate_trigger_function_status_events_update_v1();


--
-- Name: provider_pauses provider_pauses_announce; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER provider_pauses_announce AFTER INSERT OR DELETE OR UPDATE ON public.provider_pauses FOR EACH ROW EXECUTE FUNCTION public.courier_provider_pause_announce();


--
-- Name: reviews reviews_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER reviews_append_only BEFORE UPDATE ON public.reviews FOR EACH ROW EXECUTE FUNCTION public.courier_reviews_before_update();


--
-- Name: reviews reviews_no_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER reviews_no_delete BEFORE DELETE ON public.reviews FOR EACH ROW EXECUTE FUNCTION public.courier_refuse_change('reviews_append_only');


--
-- Name: reviews reviews_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER reviews_no_truncate BEFORE TRUNCATE ON public.reviews FOR EACH STATEMENT EXECUTE FUNCTION public.courier_refuse_truncate('reviews_append_only');


--
-- Name: stream_token_secrets stream_token_secrets_notify; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER stream_token_secrets_notify AFTER INSERT OR DELETE OR UPDATE ON public.stream_token_secrets FOR EACH STATEMENT EXECUTE FUNCTION public.courier_stream_token_secrets_notify();


--
-- Name: api_keys api_keys_principal_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_principal_id_fkey FOREIGN KEY (principal_id) REFERENCES public.principals(id);


--
-- Name: api_keys api_keys_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: budget_reservations budget_reservations_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.budget_reservations
    ADD CONSTRAINT budget_reservations_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id);


--
-- Name: budget_reservations budget_reservations_tenant_id_month_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.budget_reservations
    ADD CONSTRAINT budget_reservations_tenant_id_month_fkey FOREIGN KEY (tenant_id, month) REFERENCES public.tenant_budget_months(tenant_id, month);


--
-- Name: callback_secrets callback_secrets_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.callback_secrets
    ADD CONSTRAINT callback_secrets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: chunk_embedding_codes chunk_embedding_codes_chunk_id_model_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chunk_embedding_codes
    ADD CONSTRAINT chunk_embedding_codes_chunk_id_model_fkey FOREIGN KEY (chunk_id, model) REFERENCES public.chunk_embeddings(chunk_id, model) ON DELETE CASCADE;


--
-- Name: chunk_embeddings chunk_embeddings_chunk_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chunk_embeddings
    ADD CONSTRAINT chunk_embeddings_chunk_id_fkey FOREIGN KEY (chunk_id) REFERENCES public.chunks(id) ON DELETE CASCADE;


--
-- Name: chunk_embeddings chunk_embeddings_model_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chunk_embeddings
    ADD CONSTRAINT chunk_embeddings_model_fkey FOREIGN KEY (model) REFERENCES public.embedding_models(model);


--
-- Name: chunks chunks_document_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chunks
    ADD CONSTRAINT chunks_document_id_fkey FOREIGN KEY (document_id) REFERENCES public.documents(id) ON DELETE CASCADE;


--
-- Name: documents documents_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: job_events job_events_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_events
    ADD CONSTRAINT job_events_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id);


--
-- Name: job_events job_events_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_events
    ADD CONSTRAINT job_events_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: job_sources job_sources_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.job_sources
    ADD CONSTRAINT job_sources_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id) ON DELETE CASCADE;


--
-- Name: jobs jobs_replay_of_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.jobs
    ADD CONSTRAINT jobs_replay_of_fkey FOREIGN KEY (replay_of) REFERENCES public.jobs(id);


--
-- Name: jobs jobs_replayed_by_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.jobs
    ADD CONSTRAINT jobs_replayed_by_id_fkey FOREIGN KEY (replayed_by_id) REFERENCES public.principals(id);


--
-- Name: jobs jobs_requester_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.jobs
    ADD CONSTRAINT jobs_requester_id_fkey FOREIGN KEY (requester_id) REFERENCES public.principals(id);


--
-- Name: jobs jobs_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.jobs
    ADD CONSTRAINT jobs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: llm_cache llm_cache_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_cache
    ADD CONSTRAINT llm_cache_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id);


--
-- Name: llm_cache llm_cache_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_cache
    ADD CONSTRAINT llm_cache_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: llm_calls llm_calls_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_calls
    ADD CONSTRAINT llm_calls_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id);


--
-- Name: llm_calls llm_calls_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_calls
    ADD CONSTRAINT llm_calls_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: llm_checkpoints llm_checkpoints_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_checkpoints
    ADD CONSTRAINT llm_checkpoints_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id);


--
-- Name: llm_checkpoints llm_checkpoints_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_checkpoints
    ADD CONSTRAINT llm_checkpoints_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: outbox_attempts outbox_attempts_outbox_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_attempts
    ADD CONSTRAINT outbox_attempts_outbox_id_fkey FOREIGN KEY (outbox_id) REFERENCES public.outbox(id);


--
-- Name: outbox_attempts outbox_attempts_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_attempts
    ADD CONSTRAINT outbox_attempts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: outbox outbox_destination_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_destination_id_fkey FOREIGN KEY (destination_id) REFERENCES public.outbox_destinations(id);


--
-- Name: outbox_destinations outbox_destinations_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_destinations
    ADD CONSTRAINT outbox_destinations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: outbox outbox_endpoint_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES public.webhook_endpoints(id);


--
-- Name: outbox outbox_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id);


--
-- Name: outbox outbox_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: principals principals_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.principals
    ADD CONSTRAINT principals_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: procrastinate_events procrastinate_events_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_events
    ADD CONSTRAINT procrastinate_events_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.procrastinate_jobs(id) ON DELETE CASCADE;


--
-- Name: procrastinate_jobs procrastinate_jobs_worker_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_jobs
    ADD CONSTRAINT procrastinate_jobs_worker_id_fkey FOREIGN KEY (worker_id) REFERENCES public.procrastinate_workers(id) ON DELETE SET NULL;


--
-- Name: procrastinate_periodic_defers procrastinate_periodic_defers_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.procrastinate_periodic_defers
    ADD CONSTRAINT procrastinate_periodic_defers_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.procrastinate_jobs(id);


--
-- Name: prompt_policies prompt_policies_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.prompt_policies
    ADD CONSTRAINT prompt_policies_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: reviews reviews_job_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.jobs(id);


--
-- Name: reviews reviews_reviewer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_reviewer_id_fkey FOREIGN KEY (reviewer_id) REFERENCES public.principals(id);


--
-- Name: reviews reviews_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.reviews
    ADD CONSTRAINT reviews_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: tenant_budget_months tenant_budget_months_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenant_budget_months
    ADD CONSTRAINT tenant_budget_months_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: tenant_budgets tenant_budgets_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenant_budgets
    ADD CONSTRAINT tenant_budgets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: tenant_rate_buckets tenant_rate_buckets_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenant_rate_buckets
    ADD CONSTRAINT tenant_rate_buckets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: webhook_endpoints webhook_endpoints_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: chunk_acl_counts; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.chunk_acl_counts ENABLE ROW LEVEL SECURITY;

--
-- Name: chunk_acl_counts chunk_acl_counts_reader; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY chunk_acl_counts_reader ON public.chunk_acl_counts FOR SELECT USING (((tenant_id = public.courier_acting_tenant()) AND (acl_key = ANY (public.courier_acting_acl_keys()))));


--
-- Name: chunk_embedding_codes; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.chunk_embedding_codes ENABLE ROW LEVEL SECURITY;

--
-- Name: chunk_embedding_codes chunk_embedding_codes_reader; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY chunk_embedding_codes_reader ON public.chunk_embedding_codes USING (((tenant_id = ( SELECT public.courier_acting_tenant() AS courier_acting_tenant)) AND (public.courier_tenant_acl_keys(tenant_id, acl_groups) && ( SELECT public.courier_acting_tenant_acl_keys() AS courier_acting_tenant_acl_keys)))) WITH CHECK ((tenant_id = public.courier_acting_tenant()));


--
-- Name: chunk_embeddings; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.chunk_embeddings ENABLE ROW LEVEL SECURITY;

--
-- Name: chunk_embeddings chunk_embeddings_reader; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY chunk_embeddings_reader ON public.chunk_embeddings USING (((tenant_id = ( SELECT public.courier_acting_tenant() AS courier_acting_tenant)) AND (public.courier_acl_keys(acl_groups) && ( SELECT public.courier_acting_acl_keys() AS courier_acting_acl_keys)))) WITH CHECK ((tenant_id = public.courier_acting_tenant()));


--
-- Name: chunks; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.chunks ENABLE ROW LEVEL SECURITY;

--
-- Name: chunks chunks_reader; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY chunks_reader ON public.chunks USING (((tenant_id = public.courier_acting_tenant()) AND (public.courier_acl_keys(acl_groups) && public.courier_acting_acl_keys()))) WITH CHECK ((tenant_id = public.courier_acting_tenant()));


--
-- Name: documents; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;

--
-- Name: documents documents_reader; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY documents_reader ON public.documents USING (((tenant_id = public.courier_acting_tenant()) AND (public.courier_acl_keys(acl_groups) && public.courier_acting_acl_keys()))) WITH CHECK ((tenant_id = public.courier_acting_tenant()));


--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA public TO courier_auditor;
GRANT USAGE ON SCHEMA public TO courier_runtime;


--
-- Name: FUNCTION courier_api_key_principal_v1(p_key_hash bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_api_key_principal_v1(p_key_hash bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.courier_api_key_principal_v1(p_key_hash bytea) TO courier_runtime;


--
-- Name: FUNCTION courier_api_key_principal_v2(p_key_hash bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_api_key_principal_v2(p_key_hash bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.courier_api_key_principal_v2(p_key_hash bytea) TO courier_runtime;


--
-- Name: FUNCTION courier_api_keys_live_v1(p_key_ids text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_api_keys_live_v1(p_key_ids text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.courier_api_keys_live_v1(p_key_ids text[]) TO courier_runtime;


--
-- Name: FUNCTION courier_chunk_acl_count(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_chunk_acl_count() FROM PUBLIC;


--
-- Name: FUNCTION courier_chunk_embedding_code(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_chunk_embedding_code() FROM PUBLIC;


--
-- Name: FUNCTION courier_console_session_open_v1(p_key_hash bytea, p_token_hash bytea, p_ttl interval); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_console_session_open_v1(p_key_hash bytea, p_token_hash bytea, p_ttl interval) FROM PUBLIC;
GRANT ALL ON FUNCTION public.courier_console_session_open_v1(p_key_hash bytea, p_token_hash bytea, p_ttl interval) TO courier_runtime;


--
-- Name: FUNCTION courier_console_session_principal_v1(p_token_hash bytea); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_console_session_principal_v1(p_token_hash bytea) FROM PUBLIC;
GRANT ALL ON FUNCTION public.courier_console_session_principal_v1(p_token_hash bytea) TO courier_runtime;


--
-- Name: FUNCTION courier_job_llm_calls_v1(p_job_id uuid, p_tenant_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_job_llm_calls_v1(p_job_id uuid, p_tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.courier_job_llm_calls_v1(p_job_id uuid, p_tenant_id uuid) TO courier_runtime;


--
-- Name: TABLE jobs; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.jobs TO courier_runtime;


--
-- Name: FUNCTION courier_job_usage_v1(p_job_id uuid, p_tenant_id uuid); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_job_usage_v1(p_job_id uuid, p_tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.courier_job_usage_v1(p_job_id uuid, p_tenant_id uuid) TO courier_runtime;


--
-- Name: TABLE outbox_destinations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.outbox_destinations TO courier_runtime;


--
-- Name: FUNCTION courier_tenant_model_usage_v1(p_tenant_id uuid, p_since timestamp with time zone); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.courier_tenant_model_usage_v1(p_tenant_id uuid, p_since timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.courier_tenant_model_usage_v1(p_tenant_id uuid, p_since timestamp with time zone) TO courier_runtime;


--
-- Name: TABLE procrastinate_jobs; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.procrastinate_jobs TO courier_runtime;


--
-- Name: TABLE budget_reservations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.budget_reservations TO courier_runtime;


--
-- Name: TABLE callback_secrets; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.callback_secrets TO courier_runtime;


--
-- Name: TABLE chunk_acl_counts; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.chunk_acl_counts TO courier_runtime;


--
-- Name: TABLE chunk_embedding_codes; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.chunk_embedding_codes TO courier_runtime;


--
-- Name: TABLE chunk_embeddings; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.chunk_embeddings TO courier_runtime;


--
-- Name: TABLE chunks; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.chunks TO courier_runtime;


--
-- Name: TABLE console_sessions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,DELETE ON TABLE public.console_sessions TO courier_runtime;


--
-- Name: TABLE courier_migrations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.courier_migrations TO courier_runtime;


--
-- Name: TABLE courier_procrastinate_migrations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.courier_procrastinate_migrations TO courier_runtime;


--
-- Name: TABLE courier_secrets; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.courier_secrets TO courier_runtime;


--
-- Name: TABLE principals; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.principals TO courier_runtime;


--
-- Name: TABLE tenants; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.tenants TO courier_runtime;


--
-- Name: TABLE dead_letters; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.dead_letters TO courier_auditor;


--
-- Name: TABLE documents; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.documents TO courier_runtime;


--
-- Name: TABLE embedding_models; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.embedding_models TO courier_runtime;


--
-- Name: TABLE installation_keys; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.installation_keys TO courier_runtime;


--
-- Name: TABLE job_cost_daily; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.job_cost_daily TO courier_auditor;


--
-- Name: TABLE job_events; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.job_events TO courier_runtime;


--
-- Name: TABLE reviews; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.reviews TO courier_runtime;


--
-- Name: TABLE job_history; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.job_history TO courier_auditor;


--
-- Name: TABLE job_latency; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.job_latency TO courier_auditor;


--
-- Name: TABLE job_sources; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.job_sources TO courier_runtime;


--
-- Name: TABLE job_state_transitions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.job_state_transitions TO courier_runtime;


--
-- Name: TABLE job_timeline; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.job_timeline TO courier_auditor;


--
-- Name: TABLE llm_cache; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.llm_cache TO courier_runtime;


--
-- Name: TABLE llm_calls; Type: ACL; Schema: public; Owner: -
--

GRANT INSERT ON TABLE public.llm_calls TO courier_runtime;


--
-- Name: TABLE llm_checkpoints; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE ON TABLE public.llm_checkpoints TO courier_runtime;


--
-- Name: TABLE llm_cost_monthly; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.llm_cost_monthly TO courier_auditor;


--
-- Name: TABLE llm_cost_per_1000_jobs; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.llm_cost_per_1000_jobs TO courier_auditor;


--
-- Name: TABLE outbox; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.outbox TO courier_runtime;


--
-- Name: TABLE outbox_attempts; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.outbox_attempts TO courier_runtime;


--
-- Name: TABLE procrastinate_events; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.procrastinate_events TO courier_runtime;


--
-- Name: SEQUENCE procrastinate_events_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE public.procrastinate_events_id_seq TO courier_runtime;


--
-- Name: SEQUENCE procrastinate_jobs_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE public.procrastinate_jobs_id_seq TO courier_runtime;


--
-- Name: TABLE procrastinate_periodic_defers; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.procrastinate_periodic_defers TO courier_runtime;


--
-- Name: SEQUENCE procrastinate_periodic_defers_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE public.procrastinate_periodic_defers_id_seq TO courier_runtime;


--
-- Name: TABLE procrastinate_workers; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.procrastinate_workers TO courier_runtime;


--
-- Name: SEQUENCE procrastinate_workers_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE public.procrastinate_workers_id_seq TO courier_runtime;


--
-- Name: TABLE prompt_policies; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.prompt_policies TO courier_runtime;


--
-- Name: TABLE prompt_versions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.prompt_versions TO courier_auditor;


--
-- Name: TABLE provider_pauses; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.provider_pauses TO courier_runtime;


--
-- Name: TABLE quality_signals; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.quality_signals TO courier_auditor;


--
-- Name: TABLE review_decisions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.review_decisions TO courier_auditor;


--
-- Name: TABLE stream_token_secrets; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.stream_token_secrets TO courier_runtime;


--
-- Name: TABLE stuck_jobs; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.stuck_jobs TO courier_auditor;


--
-- Name: TABLE tenant_budget_months; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.tenant_budget_months TO courier_runtime;


--
-- Name: TABLE tenant_budgets; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.tenant_budgets TO courier_runtime;


--
-- Name: TABLE tenant_rate_buckets; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.tenant_rate_buckets TO courier_runtime;


--
-- Name: TABLE webhook_endpoints; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.webhook_endpoints TO courier_runtime;


--
-- Name: TABLE webhook_deliveries; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.webhook_deliveries TO courier_auditor;


--
-- Name: TABLE webhook_delivery_health; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.webhook_delivery_health TO courier_auditor;


--
-- PostgreSQL database dump complete
--
