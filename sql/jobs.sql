-- Jobs: one row per job. State changes are checked and logged by the jobs trigger
-- (migrations/0001_foundation.sql); these queries only ask for them.

-- name: job_cancel :optional
-- Cancel a tenant's queued or running job; returns the state it left and its
-- queue entry (to cancel or abort). No row when the job is already finished.
WITH target AS (
    SELECT id, state FROM jobs
    WHERE id = %(job_id)s::uuid AND tenant_id = %(tenant_id)s::uuid AND state IN ('queued', 'running')
    FOR UPDATE
)
UPDATE jobs j
SET state = 'cancelled', retry_at = NULL
FROM target
WHERE j.id = target.id
RETURNING j.id, j.queue_job_id, target.state AS previous_state;

-- name: job_count_for_backfill :one
-- How many jobs job_list_for_backfill will go through.
SELECT count(*)::integer AS total
FROM jobs
WHERE kind = %(kind)s::text
  AND created_at >= %(since)s::timestamptz
  AND (%(state)s::job_state IS NULL OR state = %(state)s::job_state)
  AND replay_of IS NULL
  AND input IS NOT NULL;

-- name: job_expire_due :many
-- Expire open jobs whose deadline has passed, a batch at a time; returns their
-- queue entries (to cancel or abort) and the state each left.
WITH due AS (
    SELECT id, state FROM jobs
    WHERE state IN ('queued', 'running') AND expires_at <= coalesce(%(now)s::timestamptz, now())
    ORDER BY expires_at
    LIMIT %(limit)s::integer
    FOR UPDATE SKIP LOCKED
)
UPDATE jobs j
SET state = 'expired', retry_at = NULL
FROM due
WHERE j.id = due.id
RETURNING j.id, j.queue_job_id, due.state AS previous_state;

-- name: job_finish :optional
-- End the execution holding this lease with a result or an error. Changes nothing
-- (zero rows) when the lease was taken over or the job is no longer running:
-- this fence is what makes at-least-once execution exactly-once visible. Past the
-- job's deadline the job ends `expired` instead and the result is dropped (a late
-- answer is never shown); what the execution cost is recorded either way.
UPDATE jobs
SET state = CASE WHEN expires_at > clock.now THEN %(state)s::job_state ELSE 'expired' END,
    result = CASE WHEN expires_at > clock.now THEN %(result)s::jsonb END,
    error = CASE WHEN expires_at > clock.now THEN %(error)s::jsonb END,
    model = coalesce(%(model)s::text, model),
    prompt_version = coalesce(%(prompt_version)s::text, prompt_version),
    input_tokens = input_tokens + %(input_tokens)s::integer,
    output_tokens = output_tokens + %(output_tokens)s::integer,
    cost_usd = cost_usd + %(cost_usd)s::numeric
FROM (SELECT clock_timestamp() AS now) AS clock
WHERE id = %(job_id)s::uuid
  AND lease = %(lease)s::uuid
  AND state = 'running'
RETURNING id, state, version, extract(epoch FROM finished_at - started_at)::double precision AS run_seconds;

-- name: job_get :one
-- One job of a tenant.
SELECT id, tenant_id, requester_id, kind, input, state, priority, queue, attempt,
       created_at, updated_at, started_at, finished_at, expires_at, result, error,
       model, prompt_version, input_tokens, output_tokens, cost_usd, version,
       last_event_seq, replay_of, callback_url, request_hash, retry_at, purged_at,
       replayed_by_id, backfill_batch, acl_groups,
       (SELECT p.external_id FROM principals p WHERE p.id = jobs.replayed_by_id) AS replayed_by
FROM jobs
WHERE id = %(job_id)s::uuid AND tenant_id = %(tenant_id)s::uuid;

-- name: job_get_backfill_replay :optional
-- The replay a backfill batch made of an original, if it made one.
SELECT id, tenant_id, requester_id, kind, input, state, priority, queue, attempt,
       created_at, updated_at, started_at, finished_at, expires_at, result, error,
       model, prompt_version, input_tokens, output_tokens, cost_usd, version,
       last_event_seq, replay_of, callback_url, request_hash, retry_at, purged_at,
       replayed_by_id, backfill_batch, acl_groups,
       (SELECT p.external_id FROM principals p WHERE p.id = jobs.replayed_by_id) AS replayed_by
FROM jobs
WHERE replay_of = %(replay_of)s::uuid AND backfill_batch = %(backfill_batch)s::text;

-- name: job_get_by_idempotency_key :one
-- The job a tenant created with this Idempotency-Key.
SELECT id, tenant_id, requester_id, kind, input, state, priority, queue, attempt,
       created_at, updated_at, started_at, finished_at, expires_at, result, error,
       model, prompt_version, input_tokens, output_tokens, cost_usd, version,
       last_event_seq, replay_of, callback_url, request_hash, retry_at, purged_at,
       replayed_by_id, backfill_batch, acl_groups,
       (SELECT p.external_id FROM principals p WHERE p.id = jobs.replayed_by_id) AS replayed_by
FROM jobs
WHERE tenant_id = %(tenant_id)s::uuid AND idempotency_key = %(idempotency_key)s::text;

-- name: job_insert :many
-- Create a queued job unless it exists already: the tenant used this
-- Idempotency-Key (jobs_idempotency_key_unique), or this backfill batch already
-- replayed the original (jobs_backfill_once). Then no row: the caller reads the
-- existing job. Waits for a concurrent insert of the same job to commit or roll
-- back, at most lock_timeout, so a key (or a batch) makes one job. The context CTE
-- labels the transaction's events with the actor and sets that timeout before the
-- row is inserted (saving a round trip).
WITH context AS (
    SELECT set_config('courier.actor', %(actor)s::text, true) AS actor,
           set_config('lock_timeout', %(lock_timeout)s::text, true) AS lock_timeout
)
INSERT INTO jobs (tenant_id, requester_id, acl_groups, kind, input, idempotency_key,
                  request_hash, priority, queue, expires_at, callback_url, replay_of,
                  replayed_by_id, backfill_batch)
SELECT %(tenant_id)s::uuid, %(requester_id)s::uuid, %(acl_groups)s::text[], %(kind)s::text,
       %(input)s::jsonb, %(idempotency_key)s::text, %(request_hash)s::text,
       %(priority)s::smallint, %(queue)s::text, clock_timestamp() + %(expires_in)s::interval,
       %(callback_url)s::text, %(replay_of)s::uuid, %(replayed_by_id)s::uuid,
       %(backfill_batch)s::text
FROM context
ON CONFLICT DO NOTHING
RETURNING id;

-- name: job_lease_take :optional
-- Start an execution: a queued job, or a running one whose execution stalled
-- (a takeover, logged as such by the trigger), gets a new lease and attempt + 1.
-- No row when the job is already finished or past its deadline (the expiry
-- sweeper ends it), or when the queue entry asking (queue_job_id; NULL: any) is
-- no longer the job's own: a stale entry never starts a second execution.
-- The tenant's tier comes along for routing (no second round trip to read it).
UPDATE jobs
SET state = 'running', lease = gen_random_uuid(), attempt = attempt + 1, retry_at = NULL
WHERE id = %(job_id)s::uuid AND state IN ('queued', 'running') AND expires_at > clock_timestamp()
  AND (%(queue_job_id)s::bigint IS NULL OR queue_job_id = %(queue_job_id)s::bigint)
RETURNING id, tenant_id, requester_id, acl_groups, kind, input, attempt, lease, expires_at, queue,
          priority, extract(epoch FROM started_at - created_at)::double precision AS pickup_seconds,
          (SELECT t.tier FROM tenants t WHERE t.id = jobs.tenant_id) AS tenant_tier;

-- name: job_list :many
-- A tenant's jobs, newest first, with optional state and kind filters; keyset
-- pagination: pass the last id of the previous page as before_id.
SELECT id, tenant_id, requester_id, kind, input, state, priority, queue, attempt,
       created_at, updated_at, started_at, finished_at, expires_at, result, error,
       model, prompt_version, input_tokens, output_tokens, cost_usd, version,
       last_event_seq, replay_of, callback_url, request_hash, retry_at, purged_at,
       replayed_by_id, backfill_batch, acl_groups,
       (SELECT p.external_id FROM principals p WHERE p.id = jobs.replayed_by_id) AS replayed_by
FROM jobs
WHERE tenant_id = %(tenant_id)s::uuid
  AND (%(state)s::job_state IS NULL OR state = %(state)s::job_state)
  AND (%(kind)s::text IS NULL OR kind = %(kind)s::text)
  AND (%(before_id)s::uuid IS NULL OR id < %(before_id)s::uuid)
ORDER BY id DESC
LIMIT %(limit)s::integer;

-- name: job_list_for_backfill :many
-- Original jobs (not replays) of a kind created since a time, optionally in one
-- state, across tenants, oldest first; keyset pagination with after_id.
SELECT id, tenant_id, requester_id, acl_groups, kind, input, priority, callback_url
FROM jobs
WHERE kind = %(kind)s::text
  AND created_at >= %(since)s::timestamptz
  AND (%(state)s::job_state IS NULL OR state = %(state)s::job_state)
  AND replay_of IS NULL
  AND input IS NOT NULL
  AND (%(after_id)s::uuid IS NULL OR id > %(after_id)s::uuid)
ORDER BY id
LIMIT %(limit)s::integer;

-- name: job_list_orphaned :many
-- Open jobs that no live queue entry will run (e.g. its execution failed to record
-- its end during a database outage) and were left alone for longer than grace.
-- Reads procrastinate's table: a job is lost exactly when its entry is neither
-- waiting (todo) nor running (doing).
SELECT j.id
FROM jobs j
WHERE j.state IN ('queued', 'running')
  AND j.expires_at > coalesce(%(now)s::timestamptz, now())
  AND j.updated_at < coalesce(%(now)s::timestamptz, now()) - %(grace)s::interval
  AND NOT EXISTS (
      SELECT 1 FROM procrastinate_jobs p
      WHERE p.id = j.queue_job_id AND p.status IN ('todo', 'doing')
  )
ORDER BY j.expires_at
LIMIT %(limit)s::integer;

-- name: job_lock_for_takeover :optional
-- Lock an open job whose current queue entry is this one (stalled: its worker
-- stopped beating), to give it a new entry. No row when the entry is stale: the
-- job has finished or moved on to another entry, so re-running it would be a
-- second execution.
SELECT id, queue, priority
FROM jobs
WHERE id = %(job_id)s::uuid
  AND queue_job_id = %(queue_job_id)s::bigint
  AND state IN ('queued', 'running')
FOR UPDATE;

-- name: job_lock_orphaned :optional
-- Lock one orphaned job (see job_list_orphaned) to give it a new queue entry;
-- no row when it is no longer orphaned or another rescuer holds it.
SELECT j.id, j.queue, j.priority
FROM jobs j
WHERE j.id = %(job_id)s::uuid
  AND j.state IN ('queued', 'running')
  AND NOT EXISTS (
      SELECT 1 FROM procrastinate_jobs p
      WHERE p.id = j.queue_job_id AND p.status IN ('todo', 'doing')
  )
FOR UPDATE SKIP LOCKED;

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

-- name: job_requeue :optional
-- Put the execution holding this lease back in the queue: after a transient error
-- (with the error and when to try again) or when its worker shuts down. Fenced like
-- job_finish: zero rows when the lease was taken over or the job is no longer running.
UPDATE jobs
SET state = 'queued',
    error = %(error)s::jsonb,
    retry_at = clock_timestamp() + %(retry_in)s::interval
WHERE id = %(job_id)s::uuid
  AND lease = %(lease)s::uuid
  AND state = 'running'
RETURNING id, queue, priority, retry_at;

-- name: job_set_queue_job :one
-- Remember which procrastinate queue entry runs the job (bookkeeping: no version
-- bump); returns the job as job_get does, so intake needs no second read.
UPDATE jobs SET queue_job_id = %(queue_job_id)s::bigint
WHERE id = %(job_id)s::uuid
RETURNING id, tenant_id, requester_id, kind, input, state, priority, queue, attempt,
          created_at, updated_at, started_at, finished_at, expires_at, result, error,
          model, prompt_version, input_tokens, output_tokens, cost_usd, version,
          last_event_seq, replay_of, callback_url, request_hash, retry_at, purged_at,
          replayed_by_id, backfill_batch, acl_groups,
          (SELECT p.external_id FROM principals p WHERE p.id = jobs.replayed_by_id) AS replayed_by;

-- name: job_transaction_context :exec
-- Label the transaction's job events with who caused them, and bound how long it
-- waits for a row lock (a concurrent request with the same Idempotency-Key).
SELECT set_config('courier.actor', %(actor)s::text, true),
       set_config('lock_timeout', %(lock_timeout)s::text, true);

-- name: job_transaction_reason :exec
-- Say why the transaction's state changes happen (recorded in their job events).
SELECT set_config('courier.reason', %(reason)s::text, true);
