-- Model calls: one append-only row per call (migrations/0011_llm_ledger.sql).

-- name: llm_call_insert :exec
-- Record one model call. Insert-only for the runtime (no ON CONFLICT: that needs
-- SELECT); a settlement reaches it once (courier_budget_settle_v1 says whether the
-- reservation was open) and llm_calls_reservation_unique refuses a second row.
INSERT INTO llm_calls (job_id, tenant_id, attempt, step, kind, model, prompt_version, prompt_hash,
                       input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                       cost_usd, latency_ms, outcome, reservation_id)
VALUES (%(job_id)s::uuid, %(tenant_id)s::uuid, %(attempt)s::integer, %(step)s::text, %(kind)s::text,
        %(model)s::text, %(prompt_version)s::text, %(prompt_hash)s::text,
        %(input_tokens)s::integer, %(cached_input_tokens)s::integer, %(output_tokens)s::integer,
        %(reasoning_tokens)s::integer, %(cost_usd)s::numeric, %(latency_ms)s::double precision,
        %(outcome)s::text, %(reservation_id)s::uuid);

-- name: llm_call_job_totals_add :exec
-- Add a settled call to its job's totals while the job is open. A finished job
-- keeps its row unchanged (the jobs trigger refuses any change), so a call that
-- settles after the job ended is counted in llm_calls alone.
UPDATE jobs
SET input_tokens = input_tokens + %(input_tokens)s::integer,
    output_tokens = output_tokens + %(output_tokens)s::integer,
    cost_usd = cost_usd + %(cost_usd)s::numeric
WHERE id = %(job_id)s::uuid
  AND NOT courier_job_state_is_terminal(state);
