-- Responses (app/responses/): a response is a job of kind 'response', read with the
-- token totals of its model calls (courier_job_usage_v1: the runtime role cannot read
-- the call ledger itself).

-- name: response_get :one
-- One response of a tenant: its job (input, state, result, error, the model that
-- answered) and the tokens its calls used, by type. No row: no such job of this
-- tenant, or a job of another kind.
SELECT j.id, j.tenant_id, j.kind, j.input, j.state, j.created_at, j.started_at,
       j.finished_at, j.result, j.error, j.model, j.last_event_seq, j.purged_at,
       u.calls, u.input_tokens, u.cached_input_tokens, u.output_tokens, u.reasoning_tokens
FROM jobs j
CROSS JOIN LATERAL courier_job_usage_v1(j.id, j.tenant_id) u
WHERE j.id = %(job_id)s::uuid AND j.tenant_id = %(tenant_id)s::uuid AND j.kind = 'response';
