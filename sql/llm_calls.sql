-- Model calls: one append-only row per call (migrations/0011_llm_ledger.sql).

-- name: llm_call_insert :exec
-- Record one model call that reserved nothing (a cache hit; a settled call is
-- recorded by llm_call_settle). Insert-only for the runtime (no ON CONFLICT: that
-- needs SELECT).
INSERT INTO llm_calls (job_id, tenant_id, attempt, step, kind, model, prompt_version, prompt_hash,
                       input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                       cost_usd, latency_ms, outcome, reservation_id)
VALUES (%(job_id)s::uuid, %(tenant_id)s::uuid, %(attempt)s::integer, %(step)s::text, %(kind)s::text,
        %(model)s::text, %(prompt_version)s::text, %(prompt_hash)s::text,
        %(input_tokens)s::integer, %(cached_input_tokens)s::integer, %(output_tokens)s::integer,
        %(reasoning_tokens)s::integer, %(cost_usd)s::numeric, %(latency_ms)s::double precision,
        %(outcome)s::text, %(reservation_id)s::uuid);

-- name: llm_call_list_for_job :many
-- One job's model calls, oldest first, through the one function the runtime role reads
-- them with (migrations/0023): tokens, cost, latency and outcome (the console's job page).
SELECT attempt, step, model, prompt_version, input_tokens, cached_input_tokens, output_tokens,
       reasoning_tokens, cost_usd, latency_ms, outcome, created_at
FROM courier_job_llm_calls_v1(%(job_id)s::uuid, %(tenant_id)s::uuid);

-- name: llm_call_settle :exec
-- Settle a model call in one statement (courier_call_settle_v1): its row, its job's
-- totals while the job is open, its answer (NULL: none) as the step's checkpoint and,
-- with a cache key, as a cache entry, then its budget reservation. A reservation
-- settled before raises unique_violation on llm_calls_reservation_unique.
SELECT courier_call_settle_v1(
    %(reservation_id)s::uuid, %(job_id)s::uuid, %(tenant_id)s::uuid, %(attempt)s::integer,
    %(step)s::text, %(kind)s::text, %(model)s::text, %(prompt_version)s::text,
    %(prompt_hash)s::text, %(input_tokens)s::integer, %(cached_input_tokens)s::integer,
    %(output_tokens)s::integer, %(reasoning_tokens)s::integer, %(cost_usd)s::numeric,
    %(latency_ms)s::double precision, %(outcome)s::text, %(answer)s::jsonb, %(cache_key)s::text,
    %(cache_ttl)s::interval, %(now)s::timestamptz
);
