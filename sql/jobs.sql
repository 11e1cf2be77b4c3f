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
-- Expire open jobs (and jobs waiting in review) whose deadline has passed, a batch
-- at a time; returns their queue entries (to cancel or abort) and the state each left.
WITH due AS (
    SELECT id, state FROM jobs
    WHERE state IN ('queued', 'running', 'needs_review')
      AND expires_at <= coalesce(%(now)s::timestamptz, now())
    ORDER BY expires_at
    LIMIT %(limit)s::integer
    FOR UPDATE SKIP LOCKED
)
UPDATE jobs j
SET state = 'expired', retry_at = NULL,
    -- An output nobody reviewed in time is never shown.
    held_result = NULL
FROM due
WHERE j.id = due.id
RETURNING j.id, j.queue_job_id, due.state AS previous_state;

-- name: job_finish :optional
-- End the execution holding this lease with a result or an error. Changes nothing
-- (zero rows) when the lease was taken over or the job is no longer running:
-- this fence is what makes at-least-once execution exactly-once visible. Past the
-- job's deadline the job ends `expired` instead and the result is dropped (a late
-- answer is never shown); what the execution cost is recorded either way. A job
-- finished in needs_review keeps the output in held_result, not result: nothing
-- that shows a result shows it before a reviewer decides; review_window (NULL: none)
-- then moves its deadline to at least now + review_window, so a reviewer has that long.
-- With record_safety, what its safety checks found (app/safety/screening.py: the
-- injection flags and why its output is held or refused, both redacted JSON arrays or
-- NULL) is written with it.
-- One statement, committed on its own (one round trip, one commit): the clock
-- subquery labels the event with the actor and the reason (NULL: none), and waits for
-- a row lock as long as it takes; the job's event and outbox rows come from its
-- triggers; and a finished job is never executed again, so the model answers its
-- steps kept for a retry (the job's own data) go now rather than at retention.
WITH finished AS (
    UPDATE jobs
    SET state = CASE WHEN expires_at > clock.now THEN %(state)s::job_state ELSE 'expired' END,
        result = CASE WHEN expires_at > clock.now AND %(state)s::job_state <> 'needs_review'
                      THEN %(result)s::jsonb END,
        held_result = CASE WHEN expires_at > clock.now AND %(state)s::job_state = 'needs_review'
                           THEN %(result)s::jsonb END,
        error = CASE WHEN expires_at > clock.now THEN %(error)s::jsonb END,
        expires_at = CASE WHEN expires_at > clock.now AND %(state)s::job_state = 'needs_review'
                          THEN greatest(expires_at, clock.now + %(review_window)s::interval)
                          ELSE expires_at END,
        safety_flags = CASE WHEN %(record_safety)s::boolean THEN %(safety_flags)s::jsonb
                            ELSE safety_flags END,
        review_reasons = CASE WHEN %(record_safety)s::boolean THEN %(review_reasons)s::jsonb
                              ELSE review_reasons END,
        model = coalesce(%(model)s::text, model),
        prompt_version = coalesce(%(prompt_version)s::text, prompt_version),
        input_tokens = input_tokens + %(input_tokens)s::integer,
        output_tokens = output_tokens + %(output_tokens)s::integer,
        cost_usd = cost_usd + %(cost_usd)s::numeric
    FROM (SELECT clock_timestamp() AS now,
                 set_config('courier.actor', %(actor)s::text, true) AS actor,
                 CASE WHEN %(reason)s::text IS NOT NULL
                      THEN set_config('courier.reason', %(reason)s::text, true) END AS reason,
                 set_config('lock_timeout', '0', true) AS lock_timeout) AS clock
    WHERE id = %(job_id)s::uuid
      AND lease = %(lease)s::uuid
      AND state = 'running'
    RETURNING id, state, version, extract(epoch FROM finished_at - started_at)::double precision AS run_seconds
), purged AS (
    DELETE FROM llm_checkpoints WHERE job_id IN (SELECT id FROM finished)
)
SELECT id, state, version, run_seconds FROM finished;

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
-- One statement, labelled with the actor, committed without waiting for the WAL
-- flush: every transaction that notifies (this one's `running` event does) holds
-- PostgreSQL's one notify lock through its commit, so a flush wait here would
-- serialise every worker's leases at the disk's flush rate. A lease lost to a
-- crash of the database host is harmless: the job is still queued (or its
-- execution is rescued as stalled); and WAL is flushed in order, so the execution's
-- synchronous finish makes its lease durable before anything else depends on it.
-- The tenant's tier comes along for routing, and its prompt policy for the job's kind
-- (NULL: none; app/prompts/experiments.py) for the prompt version: no round trip to
-- read either.
UPDATE jobs
SET state = 'running', lease = gen_random_uuid(), attempt = attempt + 1, retry_at = NULL
FROM (SELECT set_config('courier.actor', %(actor)s::text, true) AS actor,
             set_config('lock_timeout', '0', true) AS lock_timeout,
             set_config('synchronous_commit', 'off', true) AS synchronous_commit) AS context
WHERE id = %(job_id)s::uuid AND state IN ('queued', 'running') AND expires_at > clock_timestamp()
  AND (%(queue_job_id)s::bigint IS NULL OR queue_job_id = %(queue_job_id)s::bigint)
RETURNING id, tenant_id, requester_id, acl_groups, kind, input, attempt, lease, expires_at, queue,
          priority, extract(epoch FROM started_at - created_at)::double precision AS pickup_seconds,
          (SELECT t.tier FROM tenants t WHERE t.id = jobs.tenant_id) AS tenant_tier,
          (SELECT jsonb_build_object('version', p.version, 'split_version', p.split_version,
                                     'split_percent', p.split_percent)
           FROM prompt_policies p
           WHERE p.tenant_id = jobs.tenant_id AND p.kind = jobs.kind) AS prompt_policy;

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
SET input = NULL, result = NULL, held_result = NULL,
    purged_at = coalesce(%(now)s::timestamptz, now())
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

-- name: job_submit :one
-- Intake in one statement (courier_job_submit_v1): admission (budget, then one
-- rate-limit token unless it is a retry), the queued job with its event, and its
-- queue entry; or the job this Idempotency-Key (or backfill batch) already made.
-- outcome: created, existing (job NULL: the key met another backfill's job),
-- over_budget or rate_limited (with retry_after_seconds; nothing written).
SELECT s.outcome, s.retry_after_seconds, s.budget_usd, s.spent_usd,
       (s.job).id, (s.job).tenant_id, (s.job).requester_id, (s.job).kind, (s.job).input,
       (s.job).state, (s.job).priority, (s.job).queue, (s.job).attempt, (s.job).created_at,
       (s.job).updated_at, (s.job).started_at, (s.job).finished_at, (s.job).expires_at,
       (s.job).result, (s.job).error, (s.job).model, (s.job).prompt_version,
       (s.job).input_tokens, (s.job).output_tokens, (s.job).cost_usd, (s.job).version,
       (s.job).last_event_seq, (s.job).replay_of, (s.job).callback_url, (s.job).request_hash,
       (s.job).retry_at, (s.job).purged_at, (s.job).replayed_by_id, (s.job).backfill_batch,
       (s.job).acl_groups,
       (SELECT p.external_id FROM principals p WHERE p.id = (s.job).replayed_by_id) AS replayed_by
FROM courier_job_submit_v1(
    %(actor)s::text, %(lock_timeout)s::text, %(budget)s::boolean, %(rate_limit)s::boolean,
    %(default_rate)s::double precision, %(default_burst)s::integer, %(task_name)s::text,
    %(tenant_id)s::uuid, %(requester_id)s::uuid, %(acl_groups)s::text[], %(kind)s::text,
    %(input)s::jsonb, %(idempotency_key)s::text, %(request_hash)s::text, %(priority)s::smallint,
    %(queue)s::text, %(expires_in)s::interval, %(callback_url)s::text, %(replay_of)s::uuid,
    %(replayed_by_id)s::uuid, %(backfill_batch)s::text
) AS s;

-- name: job_transaction_context :exec
-- Label the transaction's job events with who caused them, and bound how long it
-- waits for a row lock (a concurrent request with the same Idempotency-Key).
SELECT set_config('courier.actor', %(actor)s::text, true),
       set_config('lock_timeout', %(lock_timeout)s::text, true);

-- name: job_transaction_reason :exec
-- Say why the transaction's state changes happen (recorded in their job events).
SELECT set_config('courier.reason', %(reason)s::text, true);
