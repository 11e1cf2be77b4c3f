-- The web console's costs and health page (app/console/costs.py): the DBA views'
-- figures (sql/views.sql: llm_cost_monthly, llm_cost_per_1000_jobs, stuck_jobs,
-- dead_letters, webhook_delivery_health, prompt_versions) for ONE tenant. The views
-- show every tenant and the runtime role may not read them; these queries read the
-- same tables and every one filters on %(tenant_id)s in SQL, so a page can never
-- show another tenant's figures. Windows are `since`: coalesce(now, now()) - window.

-- name: console_cost_dead_letters :many
-- The tenant's jobs that failed in the window, per kind and error code: how many,
-- when the latest failed and which it was (its page shows the error), most first.
SELECT j.kind, j.error ->> 'code' AS error_code, count(*) AS jobs,
       max(j.finished_at) AS last_failed_at,
       (array_agg(j.id ORDER BY j.finished_at DESC))[1] AS latest_job_id
FROM jobs j
WHERE j.tenant_id = %(tenant_id)s::uuid
  AND j.state = 'failed'
  AND j.finished_at >= coalesce(%(now)s::timestamptz, now()) - %(window)s::interval
GROUP BY j.kind, j.error ->> 'code'
ORDER BY jobs DESC, last_failed_at DESC
LIMIT %(limit)s::integer;

-- name: console_cost_job_kinds :many
-- The tenant's jobs submitted in the window, per kind: how many, how many succeeded
-- and failed, their cost (jobs.cost_usd: every attempt), cost per 1,000 completed
-- (succeeded) jobs as llm_cost_per_1000_jobs counts it, and run latency p50/p95 of
-- those that ran and finished (start of the last execution to the end, as
-- prompt_versions measures it).
WITH window_jobs AS (
    SELECT j.kind, j.state, j.cost_usd,
           (1000 * extract(epoch FROM j.finished_at - j.started_at))::double precision AS run_ms
    FROM jobs j
    WHERE j.tenant_id = %(tenant_id)s::uuid
      AND j.created_at >= coalesce(%(now)s::timestamptz, now()) - %(window)s::interval
)
SELECT kind, count(*) AS jobs,
       count(*) FILTER (WHERE state = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE state = 'failed') AS failed,
       sum(cost_usd) AS cost_usd,
       round(sum(cost_usd) * 1000 / nullif(count(*) FILTER (WHERE state = 'succeeded'), 0), 4)
           AS cost_per_1000_completed_usd,
       -- run_ms is NULL for jobs that did not run and finish; percentiles skip NULLs.
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY run_ms))::numeric, 1) AS latency_p50_ms,
       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY run_ms))::numeric, 1) AS latency_p95_ms
FROM window_jobs
GROUP BY kind
ORDER BY cost_usd DESC, kind;

-- name: console_cost_model_usage :many
-- The tenant's model calls in the window per kind and model (through
-- courier_tenant_model_usage_v1, migrations/0024: the runtime role cannot read
-- llm_calls), with cost per 1,000 jobs served, costliest first.
SELECT u.kind, u.model, u.calls, u.cache_hits, u.failed_calls, u.jobs,
       u.input_tokens, u.output_tokens, u.cost_usd,
       round(u.cost_usd * 1000 / nullif(u.jobs, 0), 4) AS cost_per_1000_jobs_usd,
       u.latency_p50_ms, u.latency_p95_ms
FROM courier_tenant_model_usage_v1(
    %(tenant_id)s::uuid, coalesce(%(now)s::timestamptz, now()) - %(window)s::interval
) u
ORDER BY u.cost_usd DESC, u.kind, u.model;

-- name: console_cost_prompt_versions :many
-- The tenant's prompt versions side by side over the jobs that finished in the
-- window, as the prompt_versions view compares them: jobs, success, refusal (of the
-- succeeded) and review rejection (of the reviewed) rates, cost and its rate per
-- 1,000 jobs, run latency p50/p95.
WITH finished AS (
    SELECT j.kind, j.prompt_version, j.state, j.cost_usd,
           j.result ->> 'refusal_reason' IS NOT NULL AS refused,
           (1000 * extract(epoch FROM j.finished_at - j.started_at))::double precision AS run_ms,
           (SELECT v.decision FROM reviews v WHERE v.job_id = j.id) AS review_decision
    FROM jobs j
    WHERE j.tenant_id = %(tenant_id)s::uuid
      AND j.prompt_version IS NOT NULL
      AND j.finished_at >= coalesce(%(now)s::timestamptz, now()) - %(window)s::interval
)
SELECT kind, prompt_version, count(*) AS jobs,
       count(*) FILTER (WHERE state = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE state = 'failed') AS failed,
       round(count(*) FILTER (WHERE state = 'succeeded')::numeric / count(*), 4) AS success_rate,
       round(count(*) FILTER (WHERE refused)::numeric
             / nullif(count(*) FILTER (WHERE state = 'succeeded'), 0), 4) AS refusal_rate,
       count(*) FILTER (WHERE review_decision IS NOT NULL) AS reviewed,
       round(count(*) FILTER (WHERE review_decision = 'rejected')::numeric
             / nullif(count(*) FILTER (WHERE review_decision IS NOT NULL), 0), 4)
           AS review_rejection_rate,
       sum(cost_usd) AS cost_usd,
       round(sum(cost_usd) * 1000 / count(*), 4) AS cost_per_1000_jobs_usd,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY run_ms))::numeric, 1) AS latency_p50_ms,
       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY run_ms))::numeric, 1) AS latency_p95_ms
FROM finished
GROUP BY kind, prompt_version
ORDER BY kind, prompt_version;

-- name: console_cost_queue_depth :many
-- The tenant's open jobs per state now (the tenant's queue depth): how many, how
-- many of the queued wait for a retry, and when the longest-unchanged last moved.
SELECT j.state::text AS state, count(*) AS jobs,
       count(*) FILTER (WHERE j.retry_at IS NOT NULL) AS waiting_to_retry,
       min(j.updated_at) AS oldest_change_at
FROM jobs j
WHERE j.tenant_id = %(tenant_id)s::uuid
  AND j.state IN ('queued', 'running', 'needs_review')
GROUP BY j.state
ORDER BY j.state;

-- name: console_cost_stuck_jobs :many
-- The tenant's open jobs the stalled-job rescuer (tasks/maintenance/rescuer.py)
-- takes over or should have: running on a worker whose heartbeat is older than
-- stalled_after (or whose worker row is gone), open with no live (todo/doing) queue
-- entry for longer than orphan_grace, or open past their deadline (the expiry
-- sweeper's). Longest-unchanged first.
WITH clock AS (SELECT coalesce(%(now)s::timestamptz, now()) AS now)
SELECT j.id AS job_id, j.kind, j.state::text AS state, j.attempt, j.updated_at, j.expires_at,
       w.last_heartbeat AS worker_heartbeat_at, stuck.reason
FROM jobs j
CROSS JOIN clock
LEFT JOIN procrastinate_jobs q ON q.id = j.queue_job_id
LEFT JOIN procrastinate_workers w ON w.id = q.worker_id
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN j.expires_at < clock.now THEN 'past its deadline, not expired yet'
        WHEN j.state = 'running' AND q.status = 'doing'
             AND (w.id IS NULL OR w.last_heartbeat < clock.now - %(stalled_after)s::interval)
            THEN 'running on a worker whose heartbeat stopped'
        WHEN (q.id IS NULL OR q.status NOT IN ('todo', 'doing'))
             AND j.updated_at < clock.now - %(orphan_grace)s::interval
            THEN 'no live queue entry (orphaned)'
    END AS reason
) stuck
WHERE j.tenant_id = %(tenant_id)s::uuid
  AND j.state IN ('queued', 'running')
  AND stuck.reason IS NOT NULL
ORDER BY j.updated_at
LIMIT %(limit)s::integer;

-- name: console_cost_webhook_failing :many
-- The tenant's webhook destinations that are failing: paused now (failures > 0),
-- with failed deliveries or attempts in the window, or a disabled endpoint (410).
-- Per destination (outbox_destinations: an endpoint's URL or a job callback URL)
-- the window's deliveries, pending, failed and attempts, the last error and the last
-- success. URLs lose query string and user info, as in webhook_deliveries.
WITH clock AS (SELECT coalesce(%(now)s::timestamptz, now()) - %(window)s::interval AS since),
deliveries AS (
    SELECT o.destination_id, count(*) AS deliveries,
           count(*) FILTER (WHERE o.status = 'pending') AS pending,
           count(*) FILTER (WHERE o.status = 'failed') AS failed
    FROM outbox o CROSS JOIN clock
    WHERE o.tenant_id = %(tenant_id)s::uuid
      AND o.destination_id IS NOT NULL
      AND (o.created_at >= clock.since OR o.status = 'pending')
    GROUP BY o.destination_id
), tries AS (
    SELECT o.destination_id, count(*) AS attempts,
           count(*) FILTER (WHERE a.outcome <> 'delivered') AS failed_attempts,
           max(a.started_at) FILTER (WHERE a.outcome = 'delivered') AS last_success_at,
           max(a.started_at) FILTER (WHERE a.outcome <> 'delivered') AS last_error_at,
           (array_agg(coalesce(a.error, 'HTTP ' || a.status_code) ORDER BY a.started_at DESC, a.attempt DESC)
               FILTER (WHERE a.outcome <> 'delivered'))[1] AS last_error
    FROM outbox_attempts a
    JOIN outbox o ON o.id = a.outbox_id
    CROSS JOIN clock
    WHERE a.tenant_id = %(tenant_id)s::uuid AND a.started_at >= clock.since
    GROUP BY o.destination_id
)
SELECT d.id AS destination_id,
       regexp_replace(regexp_replace(d.url, '[?#].*$', ''), '^([a-z]+://)[^/@]*@', '\1', 'i') AS url,
       e.id AS endpoint_id, e.disabled_at, e.disabled_reason,
       d.failures, d.failing_since, d.paused_until,
       coalesce(dl.deliveries, 0) AS deliveries, coalesce(dl.pending, 0) AS pending,
       coalesce(dl.failed, 0) AS failed,
       coalesce(t.attempts, 0) AS attempts, coalesce(t.failed_attempts, 0) AS failed_attempts,
       t.last_error, t.last_error_at, t.last_success_at
FROM outbox_destinations d
LEFT JOIN deliveries dl ON dl.destination_id = d.id
LEFT JOIN tries t ON t.destination_id = d.id
LEFT JOIN webhook_endpoints e
       ON e.tenant_id = d.tenant_id AND e.url = d.url AND e.deleted_at IS NULL
WHERE d.tenant_id = %(tenant_id)s::uuid
  AND (d.failures > 0 OR coalesce(dl.failed, 0) > 0 OR coalesce(t.failed_attempts, 0) > 0
       OR e.disabled_at IS NOT NULL)
ORDER BY d.failing_since NULLS LAST, t.last_error_at DESC NULLS LAST
LIMIT %(limit)s::integer;
