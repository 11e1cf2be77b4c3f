-- DBA views: replayed by `courier migrate` after the numbered migrations, in one
-- transaction (app/migrate.py). Each view is documented with COMMENT ON VIEW and
-- COMMENT ON COLUMN so `\dv+` and `\d+ <view>` in psql explain it.
--
-- Views only read tables; drop and recreate them here freely (grants included).

DROP VIEW IF EXISTS job_timeline;
CREATE VIEW job_timeline AS
SELECT e.job_id, e.seq, j.tenant_id, t.slug AS tenant, j.kind, e.type, e.state, e.attempt,
       e.data, e.actor, e.created_at
FROM job_events e
JOIN jobs j ON j.id = e.job_id
JOIN tenants t ON t.id = j.tenant_id;
COMMENT ON VIEW job_timeline IS 'Every event of every job: the audit trail with tenant and kind. ORDER BY job_id, seq to read it in order.';
COMMENT ON COLUMN job_timeline.job_id IS 'The job (jobs.id).';
COMMENT ON COLUMN job_timeline.seq IS 'Gapless per job, starting at 1 (the queued event).';
COMMENT ON COLUMN job_timeline.tenant_id IS 'The job''s tenant.';
COMMENT ON COLUMN job_timeline.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN job_timeline.kind IS 'The job''s kind (e.g. email_reply).';
COMMENT ON COLUMN job_timeline.type IS 'The state entered, or a note type.';
COMMENT ON COLUMN job_timeline.state IS 'The job''s state after this event.';
COMMENT ON COLUMN job_timeline.attempt IS 'The execution the event belongs to (0 before the first start).';
COMMENT ON COLUMN job_timeline.data IS 'Details as JSON: reason of a change, error of a failure or retry; {} when none.';
COMMENT ON COLUMN job_timeline.actor IS 'Who caused the event: principal:<id> (principals.id; on a replay''s queued event, whoever asked for the replay, also in job_history.replayed_by), worker:<host:pid>, cli:backfill (a `courier backfill` run), or the database user who typed the change.';
COMMENT ON COLUMN job_timeline.created_at IS 'When the event was recorded.';

DROP VIEW IF EXISTS job_history;
CREATE VIEW job_history AS
SELECT j.id AS job_id, j.tenant_id, t.slug AS tenant, j.requester_id, p.external_id AS requester,
       j.kind, j.state, j.queue, j.priority, j.attempt AS attempts,
       j.created_at AS queued_at,
       starts.first_started_at,
       starts.last_started_at,
       j.finished_at,
       (SELECT jsonb_agg(jsonb_build_object('seq', e.seq, 'state', e.state, 'attempt', e.attempt, 'at', e.created_at)
                         ORDER BY e.seq)
        FROM job_events e WHERE e.job_id = j.id) AS timeline,
       j.model, j.prompt_version, j.input_tokens, j.output_tokens, j.cost_usd,
       j.error ->> 'code' AS error_code,
       reviewer.external_id AS reviewer,
       r.created_at AS reviewed_at,
       j.replay_of, j.replayed_by_id, replayer.external_id AS replayed_by, j.backfill_batch,
       j.purged_at
FROM jobs j
JOIN tenants t ON t.id = j.tenant_id
JOIN principals p ON p.id = j.requester_id
LEFT JOIN principals replayer ON replayer.id = j.replayed_by_id
LEFT JOIN reviews r ON r.job_id = j.id
LEFT JOIN principals reviewer ON reviewer.id = r.reviewer_id
-- Every start of an execution appends a 'running' event: both ends come from the
-- same clock, so first_started_at <= last_started_at (jobs.started_at is a separate read).
CROSS JOIN LATERAL (
    SELECT min(e.created_at) AS first_started_at, max(e.created_at) AS last_started_at
    FROM job_events e WHERE e.job_id = j.id AND e.type = 'running'
) starts;
COMMENT ON VIEW job_history IS 'One row per job: who asked (and, for a replay, who asked for the replay), what kind, its state timeline, attempts, model, tokens, cost, prompt version and reviewer. No input or result.';
COMMENT ON COLUMN job_history.job_id IS 'The job (jobs.id).';
COMMENT ON COLUMN job_history.tenant_id IS 'The job''s tenant.';
COMMENT ON COLUMN job_history.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN job_history.requester_id IS 'The requesting principal (principals.id); a replay keeps its original''s.';
COMMENT ON COLUMN job_history.requester IS 'The requesting user''s id in the tenant''s own system (principals.external_id).';
COMMENT ON COLUMN job_history.kind IS 'The job''s kind (e.g. email_reply).';
COMMENT ON COLUMN job_history.state IS 'Current state: queued, running, needs_review, succeeded, failed, cancelled or expired.';
COMMENT ON COLUMN job_history.queue IS 'The procrastinate queue the job runs on.';
COMMENT ON COLUMN job_history.priority IS 'Queue priority, -100 to 100; higher runs first.';
COMMENT ON COLUMN job_history.attempts IS 'Executions started (0 if it never ran, 1 for a job that ran once; more after retries or a takeover).';
COMMENT ON COLUMN job_history.queued_at IS 'When the job was submitted.';
COMMENT ON COLUMN job_history.first_started_at IS 'When the first execution started (its running event); NULL if it never ran.';
COMMENT ON COLUMN job_history.last_started_at IS 'When the latest execution started (its running event); equals first_started_at after one attempt; NULL if it never ran.';
COMMENT ON COLUMN job_history.finished_at IS 'When the job reached a terminal state; NULL while open.';
COMMENT ON COLUMN job_history.timeline IS 'Every event as [{seq, state, attempt, at}], oldest first (job_timeline has the details).';
COMMENT ON COLUMN job_history.model IS 'The model that produced the result (e.g. extractive when no provider is configured); NULL until an execution records one.';
COMMENT ON COLUMN job_history.prompt_version IS 'Version of the prompt template the job ran with; NULL until an execution records one.';
COMMENT ON COLUMN job_history.input_tokens IS 'Model input (prompt) tokens, all attempts; 0 if no model ran.';
COMMENT ON COLUMN job_history.output_tokens IS 'Model output (completion) tokens, all attempts; 0 if no model ran.';
COMMENT ON COLUMN job_history.cost_usd IS 'Total model cost of all attempts, in US dollars.';
COMMENT ON COLUMN job_history.error_code IS 'Stable error code of the job''s error (its failure, or the one it waits to retry after); NULL without one.';
COMMENT ON COLUMN job_history.reviewer IS 'Who decided a job that waited for human review (principals.external_id; the review_decisions view has the rest); NULL when no one did.';
COMMENT ON COLUMN job_history.reviewed_at IS 'When the review decision was made; NULL when no one decided.';
COMMENT ON COLUMN job_history.replay_of IS 'The job this one replays (replay or courier backfill); NULL for an original submission.';
COMMENT ON COLUMN job_history.replayed_by_id IS 'For a replay asked for over the API: the principal who asked (principals.id); NULL for an original, a backfill, or a replay made before replays recorded it.';
COMMENT ON COLUMN job_history.replayed_by IS 'That principal''s user id in the tenant''s own system (principals.external_id). requester stays the original''s requester: the job runs on their behalf.';
COMMENT ON COLUMN job_history.backfill_batch IS 'For a replay made by `courier backfill`: its batch (--batch, default the kind''s prompt version); NULL otherwise.';
COMMENT ON COLUMN job_history.purged_at IS 'When retention removed the input and result (the audit columns stay); NULL while kept.';

DROP VIEW IF EXISTS job_cost_daily;
CREATE VIEW job_cost_daily AS
SELECT (j.created_at AT TIME ZONE 'UTC')::date AS day, j.tenant_id, t.slug AS tenant, j.kind, j.model,
       count(*) AS jobs,
       count(*) FILTER (WHERE j.state = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE j.state = 'failed') AS failed,
       sum(j.input_tokens) AS input_tokens,
       sum(j.output_tokens) AS output_tokens,
       sum(j.cost_usd) AS cost_usd
FROM jobs j
JOIN tenants t ON t.id = j.tenant_id
GROUP BY 1, j.tenant_id, t.slug, j.kind, j.model;
COMMENT ON VIEW job_cost_daily IS 'Model usage and cost per UTC day of submission, tenant, kind and model. Filter on day to read a range.';
COMMENT ON COLUMN job_cost_daily.day IS 'UTC day the jobs were submitted on.';
COMMENT ON COLUMN job_cost_daily.tenant_id IS 'The tenant.';
COMMENT ON COLUMN job_cost_daily.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN job_cost_daily.kind IS 'The jobs'' kind (e.g. email_reply).';
COMMENT ON COLUMN job_cost_daily.model IS 'Model that produced the results; NULL for jobs that produced none (yet).';
COMMENT ON COLUMN job_cost_daily.jobs IS 'Jobs submitted, in any state.';
COMMENT ON COLUMN job_cost_daily.succeeded IS 'Of those, jobs that succeeded so far.';
COMMENT ON COLUMN job_cost_daily.failed IS 'Of those, jobs that failed so far.';
COMMENT ON COLUMN job_cost_daily.input_tokens IS 'Model input (prompt) tokens so far of those jobs, all attempts.';
COMMENT ON COLUMN job_cost_daily.output_tokens IS 'Model output (completion) tokens so far of those jobs, all attempts.';
COMMENT ON COLUMN job_cost_daily.cost_usd IS 'Model cost so far of those jobs, all attempts, in US dollars.';

DROP VIEW IF EXISTS job_latency;
CREATE VIEW job_latency AS
WITH finished AS (
    SELECT j.kind, date_trunc('hour', j.finished_at) AS hour,
           1000 * extract(epoch FROM first_start.created_at - j.created_at) AS queue_wait_ms,
           1000 * extract(epoch FROM j.finished_at - j.started_at) AS run_ms,
           1000 * extract(epoch FROM j.finished_at - j.created_at) AS end_to_end_ms
    FROM jobs j
    JOIN job_events first_start ON first_start.job_id = j.id AND first_start.seq = 2 AND first_start.type = 'running'
    WHERE j.finished_at IS NOT NULL
)
SELECT kind, hour, count(*) AS jobs,
       -- percentile_cont works in double precision: round away the float noise (12.681000000000001).
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY queue_wait_ms)::numeric, 1) AS queue_wait_p50_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY queue_wait_ms)::numeric, 1) AS queue_wait_p95_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY queue_wait_ms)::numeric, 1) AS queue_wait_p99_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY run_ms)::numeric, 1) AS run_p50_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY run_ms)::numeric, 1) AS run_p95_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY run_ms)::numeric, 1) AS run_p99_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY end_to_end_ms)::numeric, 1) AS end_to_end_p50_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY end_to_end_ms)::numeric, 1) AS end_to_end_p95_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY end_to_end_ms)::numeric, 1) AS end_to_end_p99_ms
FROM finished
GROUP BY kind, hour;
COMMENT ON VIEW job_latency IS 'Latency percentiles per kind and hour of completion, over jobs that ran and finished. Filter on hour to read a range.';
COMMENT ON COLUMN job_latency.kind IS 'The jobs'' kind (e.g. email_reply).';
COMMENT ON COLUMN job_latency.hour IS 'Hour (server time zone) in which the jobs finished.';
COMMENT ON COLUMN job_latency.jobs IS 'Jobs that ran and finished in that hour.';
COMMENT ON COLUMN job_latency.queue_wait_p50_ms IS 'Median ms from submission to the first execution start, to 0.1 ms.';
COMMENT ON COLUMN job_latency.queue_wait_p95_ms IS '95th percentile ms from submission to the first execution start, to 0.1 ms.';
COMMENT ON COLUMN job_latency.queue_wait_p99_ms IS '99th percentile ms from submission to the first execution start, to 0.1 ms.';
COMMENT ON COLUMN job_latency.run_p50_ms IS 'Median ms from the start of the last execution to the end, to 0.1 ms.';
COMMENT ON COLUMN job_latency.run_p95_ms IS '95th percentile ms from the start of the last execution to the end, to 0.1 ms.';
COMMENT ON COLUMN job_latency.run_p99_ms IS '99th percentile ms from the start of the last execution to the end, to 0.1 ms.';
COMMENT ON COLUMN job_latency.end_to_end_p50_ms IS 'Median ms from submission to the end, to 0.1 ms.';
COMMENT ON COLUMN job_latency.end_to_end_p95_ms IS '95th percentile ms from submission to the end, to 0.1 ms.';
COMMENT ON COLUMN job_latency.end_to_end_p99_ms IS '99th percentile ms from submission to the end, to 0.1 ms.';

DROP VIEW IF EXISTS stuck_jobs;
CREATE VIEW stuck_jobs AS
WITH settings AS (
    -- `SET courier.stuck_after = '1 minute'` in a session changes the threshold.
    SELECT coalesce(nullif(current_setting('courier.stuck_after', true), '')::interval, interval '5 minutes') AS stuck_after
), open_jobs AS (
    SELECT j.id, j.tenant_id, j.kind, j.state, j.attempt, j.queue, j.created_at, j.updated_at, j.expires_at,
           j.queue_job_id, q.status AS queue_status, q.scheduled_at, w.last_heartbeat,
           CASE
               WHEN j.expires_at < now() THEN 'past its deadline but not expired'
               WHEN j.state = 'running' AND (q.id IS NULL OR q.status <> 'doing') THEN 'running but no worker holds its queue entry'
               WHEN j.state = 'running' AND (w.id IS NULL OR w.last_heartbeat < now() - s.stuck_after) THEN 'running on a worker whose heartbeat stopped'
               WHEN j.state = 'queued' AND q.id IS NULL THEN 'queued without a queue entry'
               WHEN j.state = 'queued' AND coalesce(q.scheduled_at, j.updated_at) < now() - s.stuck_after THEN 'queued and not picked up'
           END AS reason
    FROM jobs j
    CROSS JOIN settings s
    LEFT JOIN procrastinate_jobs q ON q.id = j.queue_job_id
    LEFT JOIN procrastinate_workers w ON w.id = q.worker_id
    WHERE j.state IN ('queued', 'running')
)
SELECT o.id AS job_id, o.tenant_id, t.slug AS tenant, o.kind, o.state, o.attempt, o.queue,
       o.created_at, o.updated_at, now() - o.updated_at AS stuck_for, o.expires_at, o.reason,
       o.queue_job_id, o.queue_status, o.last_heartbeat AS worker_heartbeat_at
FROM open_jobs o
JOIN tenants t ON t.id = o.tenant_id
WHERE o.reason IS NOT NULL;
COMMENT ON VIEW stuck_jobs IS 'Open jobs that look stuck: running without a live worker, queued and not picked up, or past their deadline. Threshold: courier.stuck_after (default 5 minutes).';
COMMENT ON COLUMN stuck_jobs.job_id IS 'The job (jobs.id).';
COMMENT ON COLUMN stuck_jobs.tenant_id IS 'The job''s tenant.';
COMMENT ON COLUMN stuck_jobs.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN stuck_jobs.kind IS 'The job''s kind (e.g. email_reply).';
COMMENT ON COLUMN stuck_jobs.state IS 'Current state: queued or running.';
COMMENT ON COLUMN stuck_jobs.attempt IS 'Executions started so far (0 if it never ran).';
COMMENT ON COLUMN stuck_jobs.queue IS 'The procrastinate queue the job runs on.';
COMMENT ON COLUMN stuck_jobs.created_at IS 'When the job was submitted.';
COMMENT ON COLUMN stuck_jobs.updated_at IS 'When the job last changed.';
COMMENT ON COLUMN stuck_jobs.stuck_for IS 'Time since the job last changed (an interval: now() - updated_at).';
COMMENT ON COLUMN stuck_jobs.expires_at IS 'Deadline: the job expires if not finished by then.';
COMMENT ON COLUMN stuck_jobs.reason IS 'Why the job looks stuck.';
COMMENT ON COLUMN stuck_jobs.queue_job_id IS 'procrastinate_jobs.id of its queue entry; NULL or gone when the entry was deleted.';
COMMENT ON COLUMN stuck_jobs.queue_status IS 'Status of the queue entry (todo, doing, ...); NULL when it is gone.';
COMMENT ON COLUMN stuck_jobs.worker_heartbeat_at IS 'Last heartbeat of the worker holding the entry; NULL when none holds it.';

DROP VIEW IF EXISTS dead_letters;
CREATE VIEW dead_letters AS
SELECT j.id AS job_id, j.tenant_id, t.slug AS tenant, p.external_id AS requester, j.kind, j.attempt AS attempts,
       j.error ->> 'code' AS error_code, j.error ->> 'message' AS error_message,
       j.model, j.prompt_version, j.created_at, j.finished_at, j.replay_of,
       (SELECT count(*) FROM jobs r WHERE r.replay_of = j.id) AS replays
FROM jobs j
JOIN tenants t ON t.id = j.tenant_id
JOIN principals p ON p.id = j.requester_id
WHERE j.state = 'failed';
COMMENT ON VIEW dead_letters IS
    'Failed jobs (the dead-letter set): why each failed and how often it was replayed. '
    'Replay one with POST /v1/jobs/{id}/replay, or many with `courier backfill --kind K --since D --state failed`. '
    'Over HTTP: GET /v1/jobs?state=failed.';
COMMENT ON COLUMN dead_letters.job_id IS 'The failed job (jobs.id).';
COMMENT ON COLUMN dead_letters.tenant_id IS 'The job''s tenant.';
COMMENT ON COLUMN dead_letters.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN dead_letters.requester IS 'The requesting user''s id in the tenant''s own system (principals.external_id).';
COMMENT ON COLUMN dead_letters.kind IS 'The job''s kind (e.g. email_reply).';
COMMENT ON COLUMN dead_letters.attempts IS 'Executions started before it failed.';
COMMENT ON COLUMN dead_letters.error_code IS 'Stable machine-readable error code (e.g. handler_error, invalid_output).';
COMMENT ON COLUMN dead_letters.error_message IS 'Redacted human-readable error; never contains the input.';
COMMENT ON COLUMN dead_letters.model IS 'The model an execution last recorded; NULL when none did.';
COMMENT ON COLUMN dead_letters.prompt_version IS 'Version of the prompt template it ran with; NULL when no execution recorded one.';
COMMENT ON COLUMN dead_letters.created_at IS 'When the job was submitted.';
COMMENT ON COLUMN dead_letters.finished_at IS 'When the job failed.';
COMMENT ON COLUMN dead_letters.replay_of IS 'The job this one replays; NULL for an original submission.';
COMMENT ON COLUMN dead_letters.replays IS 'How many replays of this job exist (0 if none).';

-- Supersedes the view of the same name in migrations/0003_delivery.sql.
DROP VIEW IF EXISTS webhook_deliveries;
CREATE VIEW webhook_deliveries AS
SELECT o.id AS outbox_id, o.tenant_id, o.event_id, o.event_type, o.job_id, o.seq,
       o.endpoint_id, -- No query string or user info: receivers often put credentials there.
       regexp_replace(regexp_replace(coalesce(e.url, j.callback_url), '[?#].*$', ''), '^([a-z]+://)[^/@]*@', '\1', 'i') AS url,
       o.status, o.attempts, o.next_attempt_at, o.delivered_at, o.last_error,
       a.attempt, a.started_at, a.latency_ms, a.status_code, a.outcome, a.error,
       t.slug AS tenant, o.created_at
FROM outbox o
JOIN tenants t ON t.id = o.tenant_id
LEFT JOIN webhook_endpoints e ON e.id = o.endpoint_id
LEFT JOIN jobs j ON j.id = o.job_id
LEFT JOIN outbox_attempts a ON a.outbox_id = o.id;
COMMENT ON VIEW webhook_deliveries IS 'Every webhook delivery and each of its attempts (one row per attempt; attempt NULL while none was made). webhook_delivery_health sums them up per destination.';
COMMENT ON COLUMN webhook_deliveries.tenant_id IS 'The tenant whose event it is.';
COMMENT ON COLUMN webhook_deliveries.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN webhook_deliveries.job_id IS 'The job of the event; NULL for a test send.';
COMMENT ON COLUMN webhook_deliveries.delivered_at IS 'When a 2xx answer was recorded; NULL until delivered.';
COMMENT ON COLUMN webhook_deliveries.outbox_id IS 'The delivery (outbox row): one per event and destination.';
COMMENT ON COLUMN webhook_deliveries.event_id IS 'The webhook-id header, the same on every attempt.';
COMMENT ON COLUMN webhook_deliveries.event_type IS 'job.<state> for job events, webhook.test for a test send.';
COMMENT ON COLUMN webhook_deliveries.seq IS 'The job event''s sequence number; NULL for a test send.';
COMMENT ON COLUMN webhook_deliveries.endpoint_id IS 'The tenant webhook endpoint; NULL when the destination is the job''s callback_url.';
COMMENT ON COLUMN webhook_deliveries.url IS 'The destination, without query string or user info.';
COMMENT ON COLUMN webhook_deliveries.status IS 'pending (not yet or retrying), delivered, failed (gave up or 410) or cancelled (destination removed or disabled).';
COMMENT ON COLUMN webhook_deliveries.attempts IS 'Attempts made for the delivery so far.';
COMMENT ON COLUMN webhook_deliveries.next_attempt_at IS 'When a pending delivery is tried next.';
COMMENT ON COLUMN webhook_deliveries.last_error IS 'Error of the latest failed attempt of the delivery.';
COMMENT ON COLUMN webhook_deliveries.attempt IS 'This row''s attempt number (1 = first try); NULL when none was made yet.';
COMMENT ON COLUMN webhook_deliveries.started_at IS 'When this attempt started.';
COMMENT ON COLUMN webhook_deliveries.latency_ms IS 'Milliseconds from the start of this attempt to its answer (or failure).';
COMMENT ON COLUMN webhook_deliveries.status_code IS 'HTTP status the receiver answered; NULL without an answer (timeout, refused, connection error).';
COMMENT ON COLUMN webhook_deliveries.outcome IS 'delivered (2xx), retry, failed (gave up), gone (410: endpoint disabled) or refused (destination not allowed).';
COMMENT ON COLUMN webhook_deliveries.error IS 'Why this attempt failed; NULL when it delivered.';
COMMENT ON COLUMN webhook_deliveries.created_at IS 'When the delivery was queued (the commit of its event).';

DROP VIEW IF EXISTS webhook_delivery_health;
CREATE VIEW webhook_delivery_health AS
WITH settings AS (
    -- `SET courier.webhook_health_window = '1 hour'` in a session changes the window.
    SELECT now() - coalesce(nullif(current_setting('courier.webhook_health_window', true), '')::interval,
                            interval '24 hours') AS since
), deliveries AS (
    SELECT o.tenant_id, o.endpoint_id,
           count(*) FILTER (WHERE o.created_at >= s.since) AS deliveries,
           count(*) FILTER (WHERE o.status = 'pending') AS pending,
           count(*) FILTER (WHERE o.status = 'delivered' AND o.created_at >= s.since) AS delivered,
           count(*) FILTER (WHERE o.status = 'failed' AND o.created_at >= s.since) AS failed,
           count(*) FILTER (WHERE o.status = 'cancelled' AND o.created_at >= s.since) AS cancelled,
           min(o.created_at) FILTER (WHERE o.status = 'pending') AS oldest_pending_at
    FROM outbox o
    CROSS JOIN settings s
    WHERE o.created_at >= s.since OR o.status = 'pending'
    GROUP BY o.tenant_id, o.endpoint_id
), attempts AS (
    SELECT a.tenant_id, o.endpoint_id,
           count(*) AS attempts,
           count(*) FILTER (WHERE a.outcome = 'delivered') AS successful_attempts,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY a.latency_ms)::numeric, 1) AS latency_p50_ms,
           round(percentile_cont(0.95) WITHIN GROUP (ORDER BY a.latency_ms)::numeric, 1) AS latency_p95_ms,
           max(a.started_at) FILTER (WHERE a.outcome = 'delivered') AS last_success_at
    FROM outbox_attempts a
    JOIN outbox o ON o.id = a.outbox_id
    CROSS JOIN settings s
    WHERE a.started_at >= s.since
    GROUP BY a.tenant_id, o.endpoint_id
), last_errors AS (
    SELECT DISTINCT ON (a.tenant_id, o.endpoint_id)
           a.tenant_id, o.endpoint_id, a.error AS last_error, a.started_at AS last_error_at
    FROM outbox_attempts a
    JOIN outbox o ON o.id = a.outbox_id
    CROSS JOIN settings s
    WHERE a.started_at >= s.since AND a.outcome <> 'delivered'
    ORDER BY a.tenant_id, o.endpoint_id, a.started_at DESC, a.attempt DESC
), destinations AS (
    SELECT tenant_id, endpoint_id FROM deliveries
    UNION
    SELECT tenant_id, endpoint_id FROM attempts
    UNION
    SELECT tenant_id, id FROM webhook_endpoints WHERE deleted_at IS NULL
)
SELECT d.tenant_id, t.slug AS tenant, d.endpoint_id,
       CASE WHEN d.endpoint_id IS NULL THEN 'callback_url' ELSE 'endpoint' END AS destination,
       regexp_replace(regexp_replace(e.url, '[?#].*$', ''), '^([a-z]+://)[^/@]*@', '\1', 'i') AS url,  -- as in webhook_deliveries
       e.disabled_at, e.disabled_reason, e.deleted_at,
       coalesce(dl.deliveries, 0) AS deliveries,
       coalesce(dl.pending, 0) AS pending,
       coalesce(dl.delivered, 0) AS delivered,
       coalesce(dl.failed, 0) AS failed,
       coalesce(dl.cancelled, 0) AS cancelled,
       dl.oldest_pending_at,
       coalesce(at.attempts, 0) AS attempts,
       round(at.successful_attempts::numeric / nullif(at.attempts, 0), 4) AS success_rate,
       at.latency_p50_ms,
       at.latency_p95_ms,
       le.last_error,
       le.last_error_at,
       at.last_success_at
FROM destinations d
JOIN tenants t ON t.id = d.tenant_id
LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id
LEFT JOIN deliveries dl ON dl.tenant_id = d.tenant_id AND dl.endpoint_id IS NOT DISTINCT FROM d.endpoint_id
LEFT JOIN attempts at ON at.tenant_id = d.tenant_id AND at.endpoint_id IS NOT DISTINCT FROM d.endpoint_id
LEFT JOIN last_errors le ON le.tenant_id = d.tenant_id AND le.endpoint_id IS NOT DISTINCT FROM d.endpoint_id;
COMMENT ON VIEW webhook_delivery_health IS
    'Webhook delivery health per tenant and destination (each endpoint, and all of a tenant''s callback_url deliveries together) '
    'over a recent window: 24 hours unless `SET courier.webhook_health_window = ''1 hour''`. '
    'Every live endpoint has a row, also when idle. Details per attempt: webhook_deliveries.';
COMMENT ON COLUMN webhook_delivery_health.tenant_id IS 'The tenant.';
COMMENT ON COLUMN webhook_delivery_health.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN webhook_delivery_health.endpoint_id IS 'The webhook endpoint; NULL for the row of the tenant''s callback_url deliveries.';
COMMENT ON COLUMN webhook_delivery_health.destination IS 'endpoint (a registered webhook endpoint) or callback_url (the jobs'' own callback URLs, together).';
COMMENT ON COLUMN webhook_delivery_health.url IS 'The endpoint URL without query string or user info; NULL for callback_url (it varies by job).';
COMMENT ON COLUMN webhook_delivery_health.disabled_at IS 'When the endpoint was disabled (a 410 answer); NULL while it receives.';
COMMENT ON COLUMN webhook_delivery_health.disabled_reason IS 'Why the endpoint was disabled.';
COMMENT ON COLUMN webhook_delivery_health.deleted_at IS 'When the endpoint was deleted (its recent history still shows).';
COMMENT ON COLUMN webhook_delivery_health.deliveries IS 'Deliveries (one per event and destination) queued in the window.';
COMMENT ON COLUMN webhook_delivery_health.pending IS 'Deliveries waiting now for a first try or a retry, whatever their age.';
COMMENT ON COLUMN webhook_delivery_health.delivered IS 'Deliveries queued in the window and delivered (a 2xx answer).';
COMMENT ON COLUMN webhook_delivery_health.failed IS 'Deliveries queued in the window and given up (retries exhausted, or 410).';
COMMENT ON COLUMN webhook_delivery_health.cancelled IS 'Deliveries queued in the window and cancelled (endpoint deleted or disabled).';
COMMENT ON COLUMN webhook_delivery_health.oldest_pending_at IS 'When the oldest pending delivery was queued: how far behind this destination is.';
COMMENT ON COLUMN webhook_delivery_health.attempts IS 'HTTP attempts (first tries and retries) started in the window.';
COMMENT ON COLUMN webhook_delivery_health.success_rate IS 'Share of the window''s attempts that delivered, 0 to 1; NULL without attempts.';
COMMENT ON COLUMN webhook_delivery_health.latency_p50_ms IS 'Median milliseconds per attempt in the window, from the request to the answer or the failure.';
COMMENT ON COLUMN webhook_delivery_health.latency_p95_ms IS '95th percentile of milliseconds per attempt in the window.';
COMMENT ON COLUMN webhook_delivery_health.last_error IS 'Error of the latest failed attempt in the window (e.g. HTTP 503, no answer within 10 s).';
COMMENT ON COLUMN webhook_delivery_health.last_error_at IS 'When that failed attempt started.';
COMMENT ON COLUMN webhook_delivery_health.last_success_at IS 'When the latest successful attempt in the window started; NULL when none succeeded in the window.';

DROP VIEW IF EXISTS llm_cost_monthly;
CREATE VIEW llm_cost_monthly AS
SELECT (date_trunc('month', c.created_at AT TIME ZONE 'UTC'))::date AS month,
       c.tenant_id, t.slug AS tenant, c.kind, c.model, c.prompt_version,
       count(*) AS calls,
       count(*) FILTER (WHERE c.outcome = 'cache_hit') AS cache_hits,
       count(*) FILTER (WHERE c.outcome NOT IN ('ok', 'refused', 'cache_hit')) AS failed_calls,
       count(DISTINCT c.job_id) AS jobs,
       sum(c.input_tokens) AS input_tokens,
       sum(c.cached_input_tokens) AS cached_input_tokens,
       sum(c.output_tokens) AS output_tokens,
       sum(c.reasoning_tokens) AS reasoning_tokens,
       sum(c.cost_usd) AS cost_usd,
       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY c.latency_ms)
              FILTER (WHERE c.outcome <> 'cache_hit'))::numeric, 1) AS latency_p95_ms
FROM llm_calls c
JOIN tenants t ON t.id = c.tenant_id
GROUP BY 1, c.tenant_id, t.slug, c.kind, c.model, c.prompt_version;
COMMENT ON VIEW llm_cost_monthly IS 'Model calls, tokens and cost per UTC month of the call, tenant, kind, model and prompt version, from llm_calls (every call, also those of executions that lost their lease). Filter on month to read a range.';
COMMENT ON COLUMN llm_cost_monthly.month IS 'First day of the UTC month the calls were made in.';
COMMENT ON COLUMN llm_cost_monthly.tenant_id IS 'The tenant.';
COMMENT ON COLUMN llm_cost_monthly.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN llm_cost_monthly.kind IS 'The jobs'' kind (e.g. email_reply).';
COMMENT ON COLUMN llm_cost_monthly.model IS 'The model called (e.g. gpt-4.1-mini), or extractive.';
COMMENT ON COLUMN llm_cost_monthly.prompt_version IS 'Version of the prompt template the calls used.';
COMMENT ON COLUMN llm_cost_monthly.calls IS 'Calls recorded, cache hits and failed calls included.';
COMMENT ON COLUMN llm_cost_monthly.cache_hits IS 'Of those, answers served from the exact-match cache (no provider call, cost 0).';
COMMENT ON COLUMN llm_cost_monthly.failed_calls IS 'Of those, calls that failed: invalid_output, provider_error or timeout (paid for all the same).';
COMMENT ON COLUMN llm_cost_monthly.jobs IS 'Distinct jobs the calls served.';
COMMENT ON COLUMN llm_cost_monthly.input_tokens IS 'Prompt tokens, cached ones included.';
COMMENT ON COLUMN llm_cost_monthly.cached_input_tokens IS 'Of input_tokens, those served from the provider''s prompt cache.';
COMMENT ON COLUMN llm_cost_monthly.output_tokens IS 'Completion tokens, reasoning ones included.';
COMMENT ON COLUMN llm_cost_monthly.reasoning_tokens IS 'Of output_tokens, those spent on reasoning.';
COMMENT ON COLUMN llm_cost_monthly.cost_usd IS 'What the calls cost, in US dollars (price table of each call''s time).';
COMMENT ON COLUMN llm_cost_monthly.latency_p95_ms IS '95th percentile ms per provider call (cache hits left out), to 0.1 ms; NULL when all were cache hits.';

DROP VIEW IF EXISTS llm_cost_per_1000_jobs;
CREATE VIEW llm_cost_per_1000_jobs AS
SELECT (date_trunc('month', j.finished_at AT TIME ZONE 'UTC'))::date AS month,
       j.tenant_id, t.slug AS tenant, j.kind,
       count(*) AS finished_jobs,
       count(*) FILTER (WHERE j.state = 'succeeded') AS completed_jobs,
       coalesce(sum(calls.calls), 0) AS calls,
       coalesce(sum(calls.cost_usd), 0) AS cost_usd,
       round(coalesce(sum(calls.cost_usd), 0) * 1000
             / nullif(count(*) FILTER (WHERE j.state = 'succeeded'), 0), 4) AS cost_per_1000_completed_usd
FROM jobs j
JOIN tenants t ON t.id = j.tenant_id
LEFT JOIN LATERAL (
    SELECT count(*) AS calls, sum(c.cost_usd) AS cost_usd FROM llm_calls c WHERE c.job_id = j.id
) calls ON true
WHERE j.finished_at IS NOT NULL
GROUP BY 1, j.tenant_id, t.slug, j.kind;
COMMENT ON VIEW llm_cost_per_1000_jobs IS 'Model cost per 1,000 completed (succeeded) jobs, per UTC month of finishing, tenant and kind. The cost is that of every call of every job that finished, failed and cancelled ones included: what 1,000 delivered results really cost.';
COMMENT ON COLUMN llm_cost_per_1000_jobs.month IS 'First day of the UTC month the jobs finished in.';
COMMENT ON COLUMN llm_cost_per_1000_jobs.tenant_id IS 'The tenant.';
COMMENT ON COLUMN llm_cost_per_1000_jobs.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN llm_cost_per_1000_jobs.kind IS 'The jobs'' kind (e.g. email_reply).';
COMMENT ON COLUMN llm_cost_per_1000_jobs.finished_jobs IS 'Jobs that finished in the month, in any terminal state.';
COMMENT ON COLUMN llm_cost_per_1000_jobs.completed_jobs IS 'Of those, jobs that succeeded.';
COMMENT ON COLUMN llm_cost_per_1000_jobs.calls IS 'Model calls of the finished jobs, all attempts, cache hits included.';
COMMENT ON COLUMN llm_cost_per_1000_jobs.cost_usd IS 'What the calls of the finished jobs cost, in US dollars, all attempts (also calls settled after a job ended).';
COMMENT ON COLUMN llm_cost_per_1000_jobs.cost_per_1000_completed_usd IS 'cost_usd per 1,000 completed jobs, in US dollars, to 0.0001; NULL when none completed.';

DROP VIEW IF EXISTS prompt_versions;
CREATE VIEW prompt_versions AS
WITH finished AS (
    SELECT j.tenant_id, j.kind, j.prompt_version, j.state, j.cost_usd,
           j.input_tokens, j.output_tokens,
           j.result ->> 'refusal_reason' IS NOT NULL AS refused,
           extract(epoch FROM j.finished_at - j.started_at) * 1000 AS run_ms,
           EXISTS (
               SELECT 1 FROM jobs r
               WHERE r.replay_of = j.id AND r.replayed_by_id = j.requester_id
           ) AS regenerated,
           (SELECT v.decision FROM reviews v WHERE v.job_id = j.id) AS review_decision
    FROM jobs j
    WHERE j.prompt_version IS NOT NULL AND j.finished_at IS NOT NULL
)
SELECT f.tenant_id, t.slug AS tenant, f.kind, f.prompt_version,
       count(*) AS jobs,
       count(*) FILTER (WHERE f.state = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE f.state = 'failed') AS failed,
       round(count(*) FILTER (WHERE f.refused)::numeric
             / nullif(count(*) FILTER (WHERE f.state = 'succeeded'), 0), 4) AS refusal_rate,
       round(count(*) FILTER (WHERE f.regenerated)::numeric / count(*), 4) AS regeneration_rate,
       count(*) FILTER (WHERE f.review_decision IS NOT NULL) AS reviewed,
       round(count(*) FILTER (WHERE f.review_decision = 'rejected')::numeric
             / nullif(count(*) FILTER (WHERE f.review_decision IS NOT NULL), 0), 4)
           AS review_rejection_rate,
       sum(f.cost_usd) AS cost_usd,
       round(sum(f.cost_usd) * 1000 / count(*), 4) AS cost_per_1000_jobs_usd,
       round(avg(f.input_tokens + f.output_tokens), 1) AS tokens_per_job,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY f.run_ms))::numeric, 1) AS latency_p50_ms,
       round((percentile_cont(0.95) WITHIN GROUP (ORDER BY f.run_ms))::numeric, 1) AS latency_p95_ms
FROM finished f
JOIN tenants t ON t.id = f.tenant_id
GROUP BY f.tenant_id, t.slug, f.kind, f.prompt_version;
COMMENT ON VIEW prompt_versions IS 'Prompt versions side by side, per tenant and kind, over finished jobs (prompt experiments: `courier prompts split`). A job counts for the version it recorded (jobs.prompt_version); compare rows of one tenant and kind.';
COMMENT ON COLUMN prompt_versions.tenant_id IS 'The tenant.';
COMMENT ON COLUMN prompt_versions.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN prompt_versions.kind IS 'The jobs'' kind (e.g. email_reply).';
COMMENT ON COLUMN prompt_versions.prompt_version IS 'The prompt version the jobs ran with (e.g. email_reply/v2).';
COMMENT ON COLUMN prompt_versions.jobs IS 'Finished jobs (succeeded, failed, cancelled or expired) that ran this version.';
COMMENT ON COLUMN prompt_versions.succeeded IS 'Of those, jobs that succeeded (refusals and escalations included: they are results).';
COMMENT ON COLUMN prompt_versions.failed IS 'Of those, jobs that failed (e.g. invalid_model_output after the repair).';
COMMENT ON COLUMN prompt_versions.refusal_rate IS 'Share of succeeded jobs whose result declined (has a refusal_reason: refused or escalated), 0 to 1; results purged by retention count as not declined. NULL when none succeeded.';
COMMENT ON COLUMN prompt_versions.regeneration_rate IS 'Share of the jobs that their own requester replayed (a replay with replay_of = the job and replayed_by_id = its requester): answers the user asked again for. 0 to 1.';
COMMENT ON COLUMN prompt_versions.reviewed IS 'Of those, jobs a reviewer decided on (approved or rejected: the reviews table).';
COMMENT ON COLUMN prompt_versions.review_rejection_rate IS 'Share of the reviewed jobs the reviewer rejected, 0 to 1; NULL when none was reviewed.';
COMMENT ON COLUMN prompt_versions.cost_usd IS 'Model cost of the jobs, in US dollars (their totals, all attempts).';
COMMENT ON COLUMN prompt_versions.cost_per_1000_jobs_usd IS 'cost_usd per 1,000 finished jobs, in US dollars, to 0.0001.';
COMMENT ON COLUMN prompt_versions.tokens_per_job IS 'Mean input plus output tokens per job.';
COMMENT ON COLUMN prompt_versions.latency_p50_ms IS 'Median milliseconds from a job''s start of execution to its end.';
COMMENT ON COLUMN prompt_versions.latency_p95_ms IS '95th percentile of milliseconds from a job''s start of execution to its end.';

DROP VIEW IF EXISTS review_decisions;
CREATE VIEW review_decisions AS
SELECT r.id AS review_id, r.job_id, r.tenant_id, t.slug AS tenant, j.kind, j.prompt_version, j.model,
       requester.external_id AS requester,
       held.created_at AS held_at,
       (SELECT array_agg(x ->> 'code') FROM jsonb_array_elements(r.review_reasons) x) AS held_for,
       r.decision, r.edited, r.reason,
       r.reviewer_id, reviewer.external_id AS reviewer, r.reviewer_key_id,
       r.created_at AS decided_at, r.created_at - held.created_at AS waited,
       j.state AS job_state,
       (r.original_output IS NOT NULL) AS outputs_kept
FROM reviews r
JOIN jobs j ON j.id = r.job_id
JOIN tenants t ON t.id = r.tenant_id
JOIN principals requester ON requester.id = j.requester_id
JOIN principals reviewer ON reviewer.id = r.reviewer_id
LEFT JOIN LATERAL (
    SELECT e.created_at FROM job_events e
    WHERE e.job_id = r.job_id AND e.type = 'needs_review'
    ORDER BY e.seq DESC LIMIT 1
) held ON true;
COMMENT ON VIEW review_decisions IS 'Every human review decision: which job (tenant, kind, prompt version, model, requester), why it was held, who decided what and when, and how long it waited. The outputs themselves are in reviews (original_output, edited_output). Jobs that expired in review have no row: see quality_signals.expired_in_review.';
COMMENT ON COLUMN review_decisions.review_id IS 'The decision (reviews.id); the job''s event of the decision names it in data.review.';
COMMENT ON COLUMN review_decisions.job_id IS 'The job decided (jobs.id).';
COMMENT ON COLUMN review_decisions.tenant_id IS 'The job''s tenant.';
COMMENT ON COLUMN review_decisions.tenant IS 'The tenant''s slug.';
COMMENT ON COLUMN review_decisions.kind IS 'The job''s kind (e.g. support_answer).';
COMMENT ON COLUMN review_decisions.prompt_version IS 'The prompt version the held output was made with.';
COMMENT ON COLUMN review_decisions.model IS 'The model that made the held output.';
COMMENT ON COLUMN review_decisions.requester IS 'Who asked for the job (principals.external_id).';
COMMENT ON COLUMN review_decisions.reviewer_id IS 'The reviewer (principals.id); job_timeline''s actor of the decision event is principal:<reviewer_id>.';
COMMENT ON COLUMN review_decisions.reviewer_key_id IS 'The public key_id of the API key the reviewer used.';
COMMENT ON COLUMN review_decisions.decided_at IS 'When the decision was recorded.';
COMMENT ON COLUMN review_decisions.held_at IS 'When the output was held (the job''s needs_review event).';
COMMENT ON COLUMN review_decisions.held_for IS 'The reason codes the job was held for: the kind''s policy (high_risk_kind, high_risk, low_confidence, escalation) and the safety checks (injection_suspected, guard_violation).';
COMMENT ON COLUMN review_decisions.decision IS 'approved (the job succeeded and was delivered) or rejected (it failed with rejected_in_review).';
COMMENT ON COLUMN review_decisions.edited IS 'Approved with the reviewer''s own version of the output (reviews.edited_output), which was delivered.';
COMMENT ON COLUMN review_decisions.reason IS 'The reviewer''s reason for a rejection, or note on an approval.';
COMMENT ON COLUMN review_decisions.reviewer IS 'The reviewer''s user id in the tenant''s system (principals.external_id); reviewer_key_id is the key they used.';
COMMENT ON COLUMN review_decisions.waited IS 'From held to decided.';
COMMENT ON COLUMN review_decisions.job_state IS 'The job''s state now (succeeded or failed).';
COMMENT ON COLUMN review_decisions.outputs_kept IS 'false once retention removed the outputs with the job''s input and result.';

DROP VIEW IF EXISTS quality_signals;
CREATE VIEW quality_signals AS
WITH outputs AS (
    SELECT j.kind, coalesce(j.prompt_version, 'none') AS prompt_version,
           date_trunc('day', coalesce(j.finished_at, j.updated_at)) AS day,
           j.state, r.decision, r.edited,
           coalesce(r.original_output, j.result, j.held_result) ->> 'outcome' AS outcome,
           held.held,
           EXISTS (SELECT 1 FROM jsonb_array_elements(j.review_reasons) x
                   WHERE x ->> 'code' IN ('injection_suspected', 'guard_violation'))
               AS safety_stopped,
           EXISTS (SELECT 1 FROM jsonb_array_elements(j.review_reasons) x
                   WHERE x ->> 'code' = 'guard_violation') AS guard_violated,
           notes.regenerations, notes.guard_firings, notes.injections_suspected
    FROM jobs j
    LEFT JOIN reviews r ON r.job_id = j.id
    CROSS JOIN LATERAL (
        SELECT EXISTS (SELECT 1 FROM job_events e WHERE e.job_id = j.id AND e.type = 'needs_review')
               AS held
    ) held
    -- Each guard_fired note is one stricter regeneration (app/llm/steps.py) and names
    -- the guards that fired.
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE e.type = 'guard_fired') AS regenerations,
               coalesce(sum(jsonb_array_length(coalesce(e.data -> 'violations', '[]')))
                        FILTER (WHERE e.type = 'guard_fired'), 0)::bigint AS guard_firings,
               count(*) FILTER (WHERE e.type = 'injection_suspected') AS injections_suspected
        FROM job_events e
        WHERE e.job_id = j.id AND e.type IN ('guard_fired', 'injection_suspected')
    ) notes
    WHERE j.state IN ('succeeded', 'needs_review') OR held.held
)
SELECT kind, prompt_version, day,
       count(*) AS outputs,
       count(*) FILTER (WHERE outcome = 'refused') AS refused,
       count(*) FILTER (WHERE outcome = 'escalated') AS escalated,
       count(*) FILTER (WHERE held) AS held_for_review,
       count(*) FILTER (WHERE held AND safety_stopped) AS held_by_guards,
       count(*) FILTER (WHERE NOT held AND guard_violated) AS refused_by_guards,
       count(*) FILTER (WHERE decision = 'approved') AS approved,
       count(*) FILTER (WHERE edited) AS edited,
       count(*) FILTER (WHERE decision = 'rejected') AS rejected,
       count(*) FILTER (WHERE state = 'expired') AS expired_in_review,
       count(*) FILTER (WHERE state = 'needs_review') AS waiting,
       sum(regenerations)::bigint AS regenerations,
       sum(guard_firings)::bigint AS guard_firings,
       count(*) FILTER (WHERE injections_suspected > 0) AS injection_suspected,
       round(count(*) FILTER (WHERE outcome = 'refused')::numeric / count(*), 4) AS refusal_rate,
       round(count(*) FILTER (WHERE outcome = 'escalated')::numeric / count(*), 4) AS escalation_rate,
       round(count(*) FILTER (WHERE held)::numeric / count(*), 4) AS review_rate,
       round(count(*) FILTER (WHERE decision = 'rejected')::numeric
             / nullif(count(*) FILTER (WHERE decision IS NOT NULL), 0), 4) AS rejection_rate,
       round(sum(regenerations)::numeric / count(*), 4) AS regeneration_rate
FROM outputs
GROUP BY kind, prompt_version, day;
COMMENT ON VIEW quality_signals IS 'Online quality per kind, prompt version and UTC day, from the jobs that produced an output (delivered, held, or decided in review): refusals, escalations, review holds (and those a guard caused), decisions, expiries in review, regenerations, and their rates. A regression shows here (and in the courier_output_outcomes, courier_review_* , courier_guard_firings and courier_regenerations metrics) without a new eval run. Outcomes of jobs whose outputs retention removed count as neither refused nor escalated.';
COMMENT ON COLUMN quality_signals.kind IS 'The job kind.';
COMMENT ON COLUMN quality_signals.prompt_version IS 'The prompt version the outputs were made with (none when unrecorded).';
COMMENT ON COLUMN quality_signals.refusal_rate IS 'refused / outputs, 0 to 1.';
COMMENT ON COLUMN quality_signals.escalation_rate IS 'escalated / outputs, 0 to 1.';
COMMENT ON COLUMN quality_signals.review_rate IS 'held_for_review / outputs, 0 to 1.';
COMMENT ON COLUMN quality_signals.day IS 'The UTC day the job finished (or was held).';
COMMENT ON COLUMN quality_signals.outputs IS 'Jobs that produced an output: succeeded, waiting in review, or held and then decided or expired.';
COMMENT ON COLUMN quality_signals.refused IS 'Outputs whose outcome is refused (the model declined).';
COMMENT ON COLUMN quality_signals.escalated IS 'Outputs whose outcome is escalated (handed to a person).';
COMMENT ON COLUMN quality_signals.held_for_review IS 'Outputs held for review (the job has a needs_review event), for any reason.';
COMMENT ON COLUMN quality_signals.held_by_guards IS 'Held outputs the safety checks stopped (injection_suspected, or guard_violation: a guard still broken after the stricter regeneration), whatever the kind''s policy said.';
COMMENT ON COLUMN quality_signals.refused_by_guards IS 'Outputs of kinds without review whose answer still broke a guard and was replaced by the kind''s refusal (not held).';
COMMENT ON COLUMN quality_signals.guard_firings IS 'Output guard violations of first answers (those in the jobs'' guard_fired events, each followed by a stricter regeneration); what still broke afterwards is a guard_violation in jobs.review_reasons.';
COMMENT ON COLUMN quality_signals.injection_suspected IS 'Outputs whose input the injection detector flagged (an injection_suspected event): the suspect text was quarantined.';
COMMENT ON COLUMN quality_signals.approved IS 'Held outputs a reviewer approved (edited ones included).';
COMMENT ON COLUMN quality_signals.edited IS 'Held outputs approved with the reviewer''s own version.';
COMMENT ON COLUMN quality_signals.rejected IS 'Held outputs a reviewer rejected.';
COMMENT ON COLUMN quality_signals.expired_in_review IS 'Held outputs no one decided before the review deadline.';
COMMENT ON COLUMN quality_signals.waiting IS 'Outputs waiting in review now.';
COMMENT ON COLUMN quality_signals.regenerations IS 'Stricter regenerations after a guard fired (job events of type guard_fired: one per regeneration).';
COMMENT ON COLUMN quality_signals.rejection_rate IS 'rejected / decided; NULL when none was decided.';
COMMENT ON COLUMN quality_signals.regeneration_rate IS 'regenerations / outputs.';

-- The read-only auditor (migrations/0004_operations.sql creates the role) reads
-- these views and no table. Views run with their owner's rights, so it sees only
-- the columns the views expose. Dropping a view drops its grants: grant again here.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'courier_auditor') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO courier_auditor', current_schema());
        GRANT SELECT ON job_timeline, job_history, job_cost_daily, job_latency, stuck_jobs, dead_letters,
                        webhook_deliveries, webhook_delivery_health, llm_cost_monthly,
                        llm_cost_per_1000_jobs, prompt_versions, review_decisions, quality_signals
            TO courier_auditor;
    END IF;
END
$$;
