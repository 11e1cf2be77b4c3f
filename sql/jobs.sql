-- Jobs: one row per job. State changes are checked and logged by the jobs trigger
-- (migrations/0001_foundation.sql); these queries only ask for them.

-- name: job_finish :one
-- End the execution holding this lease with a result or an error. Changes nothing
-- (zero rows) when the lease was taken over or the job is no longer running:
-- this fence is what makes at-least-once execution exactly-once visible.
UPDATE jobs
SET state = %(state)s::job_state,
    result = %(result)s::jsonb,
    error = %(error)s::jsonb,
    model = coalesce(%(model)s::text, model),
    prompt_version = coalesce(%(prompt_version)s::text, prompt_version),
    input_tokens = input_tokens + %(input_tokens)s::integer,
    output_tokens = output_tokens + %(output_tokens)s::integer,
    cost_usd = cost_usd + %(cost_usd)s::numeric
WHERE id = %(job_id)s::uuid
  AND lease = %(lease)s::uuid
  AND state = 'running'
RETURNING id, state, version, extract(epoch FROM finished_at - started_at)::double precision AS run_seconds;

-- name: job_get :one
-- One job of a tenant.
SELECT id, tenant_id, requester_id, kind, input, state, priority, queue, attempt,
       created_at, updated_at, started_at, finished_at, expires_at, result, error,
       model, prompt_version, input_tokens, output_tokens, cost_usd, version,
       last_event_seq, replay_of, callback_url, request_hash
FROM jobs
WHERE id = %(job_id)s::uuid AND tenant_id = %(tenant_id)s::uuid;

-- name: job_get_by_idempotency_key :one
-- The job a tenant created with this Idempotency-Key.
SELECT id, tenant_id, requester_id, kind, input, state, priority, queue, attempt,
       created_at, updated_at, started_at, finished_at, expires_at, result, error,
       model, prompt_version, input_tokens, output_tokens, cost_usd, version,
       last_event_seq, replay_of, callback_url, request_hash
FROM jobs
WHERE tenant_id = %(tenant_id)s::uuid AND idempotency_key = %(idempotency_key)s::text;

-- name: job_insert :many
-- Create a queued job unless the tenant already used this Idempotency-Key
-- (then no row: the caller reads the existing job). Waits for a concurrent
-- insert of the same key to commit or roll back, so a key makes one job.
INSERT INTO jobs (tenant_id, requester_id, kind, input, idempotency_key, request_hash,
                  priority, queue, expires_at, callback_url, replay_of)
VALUES (%(tenant_id)s::uuid, %(requester_id)s::uuid, %(kind)s::text, %(input)s::jsonb,
        %(idempotency_key)s::text, %(request_hash)s::text, %(priority)s::smallint,
        %(queue)s::text, clock_timestamp() + %(expires_in)s::interval, %(callback_url)s::text,
        %(replay_of)s::uuid)
ON CONFLICT ON CONSTRAINT jobs_idempotency_key_unique DO NOTHING
RETURNING id;

-- name: job_lease_take :one
-- Start an execution: a queued job, or a running one whose execution stalled
-- (a takeover, logged as such by the trigger), gets a new lease and attempt + 1.
-- No row when the job is already finished.
UPDATE jobs
SET state = 'running', lease = gen_random_uuid(), attempt = attempt + 1
WHERE id = %(job_id)s::uuid AND state IN ('queued', 'running')
RETURNING id, tenant_id, requester_id, kind, input, attempt, lease, expires_at,
          extract(epoch FROM started_at - created_at)::double precision AS pickup_seconds;

-- name: job_list :many
-- A tenant's jobs, newest first, with optional state and kind filters; keyset
-- pagination: pass the last id of the previous page as before_id.
SELECT id, tenant_id, requester_id, kind, input, state, priority, queue, attempt,
       created_at, updated_at, started_at, finished_at, expires_at, result, error,
       model, prompt_version, input_tokens, output_tokens, cost_usd, version,
       last_event_seq, replay_of, callback_url, request_hash
FROM jobs
WHERE tenant_id = %(tenant_id)s::uuid
  AND (%(state)s::job_state IS NULL OR state = %(state)s::job_state)
  AND (%(kind)s::text IS NULL OR kind = %(kind)s::text)
  AND (%(before_id)s::uuid IS NULL OR id < %(before_id)s::uuid)
ORDER BY id DESC
LIMIT %(limit)s::integer;

-- name: job_open_stats :many
-- Open jobs per queue and state, and how long the oldest has not changed (metrics;
-- reads the small jobs_open_by_update index, not the history).
SELECT queue, state::text AS state, count(*) AS jobs,
       extract(epoch FROM coalesce(%(now)s::timestamptz, now()) - min(updated_at))::double precision AS oldest_seconds
FROM jobs
WHERE state IN ('queued', 'running')
GROUP BY queue, state;

-- name: job_purge_expired :many
-- Retention: clear the input and result of finished jobs older than their tenant's
-- retention (default in days when the tenant sets none), at most `limit` per
-- tenant. The row, its events and its audit columns stay; purged_at says when.
WITH due AS (
    SELECT j.id
    FROM tenants t
    CROSS JOIN LATERAL (
        SELECT j.id FROM jobs j
        WHERE j.tenant_id = t.id
          AND j.finished_at IS NOT NULL AND j.purged_at IS NULL
          AND j.finished_at < coalesce(%(now)s::timestamptz, now())
                              - make_interval(days => coalesce(t.retention_days, %(default_days)s::integer))
        ORDER BY j.finished_at
        LIMIT %(limit)s::integer
        FOR UPDATE OF j SKIP LOCKED
    ) j
)
UPDATE jobs
SET input = NULL, result = NULL, purged_at = coalesce(%(now)s::timestamptz, now())
FROM due
WHERE jobs.id = due.id
RETURNING jobs.id, jobs.tenant_id;

-- name: job_set_queue_job :one
-- Remember which procrastinate queue entry runs the job (bookkeeping: no version bump).
UPDATE jobs SET queue_job_id = %(queue_job_id)s::bigint
WHERE id = %(job_id)s::uuid
RETURNING id;

-- name: job_transaction_context :exec
-- Label the transaction's job events with who caused them, and bound how long it
-- waits for a row lock (a concurrent request with the same Idempotency-Key).
SELECT set_config('courier.actor', %(actor)s::text, true),
       set_config('lock_timeout', %(lock_timeout)s::text, true);
