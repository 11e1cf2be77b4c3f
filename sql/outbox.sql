-- Outbox: one row per (job event, push destination), written by the job_events
-- trigger (migrations/0002_delivery.sql) and delivered by the relay.

-- name: outbox_attempt_insert :exec
-- Record one delivery attempt.
INSERT INTO outbox_attempts (outbox_id, attempt, tenant_id, started_at, latency_ms, status_code, outcome, error)
VALUES (%(outbox_id)s::bigint, %(attempt)s::integer, %(tenant_id)s::uuid, %(started_at)s::timestamptz,
        %(latency_ms)s::integer, %(status_code)s::integer, %(outcome)s::text, %(error)s::text);

-- name: outbox_cancel_for_endpoint :exec
-- Stop every pending delivery to an endpoint (disabled or deleted); a relay holding
-- one of them finds its claim gone and records nothing.
UPDATE outbox SET status = 'cancelled', claim = NULL, last_error = %(reason)s::text
WHERE endpoint_id = %(endpoint_id)s::uuid AND status = 'pending';

-- name: outbox_claim :many
-- Claim due deliveries for one relay, oldest first: rows locked by another relay are
-- skipped. Only rows that may be taken are read: a row behind an earlier pending
-- event of its job is held (so a receiver gets a job's events in order), and rows
-- of a paused destination are not due until its pause ends, so the cost does not
-- grow with the rows waiting behind failing receivers. The claim lapses after
-- claim_for (a crashed relay's rows become due again). Returns what a delivery needs.
WITH due AS (
    SELECT o.id
    FROM outbox o
    WHERE o.status = 'pending'
      AND NOT o.held
      AND o.next_attempt_at <= coalesce(%(now)s::timestamptz, now())
    ORDER BY o.next_attempt_at
    LIMIT %(limit)s::integer
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE outbox o
    SET claim = gen_random_uuid(), next_attempt_at = clock_timestamp() + %(claim_for)s::interval
    FROM due
    WHERE o.id = due.id
    RETURNING o.*
)
SELECT c.id, c.claim, c.tenant_id, c.event_id, c.event_type, c.job_id, c.seq, c.endpoint_id,
       c.attempts, c.created_at, c.destination_id, d.failures AS destination_failures,
       coalesce(e.url, j.callback_url) AS url,
       (c.endpoint_id IS NULL OR (e.disabled_at IS NULL AND e.deleted_at IS NULL)) AS destination_live,
       coalesce(e.include_result, false) AS include_result,
       coalesce(e.secret, s.secret) AS secret,
       CASE WHEN coalesce(e.previous_secret_expires_at, s.previous_secret_expires_at) > clock_timestamp()
            THEN coalesce(e.previous_secret, s.previous_secret) END AS previous_secret,
       j.kind,
       -- The job as it was at this event, not as it is now: a result is final (and
       -- reviewed) only once the job succeeded; the error is the one of this event.
       -- A result grounded in documents goes to no tenant-wide endpoint: its readers'
       -- groups are unknown, and the documents' ACLs decide who may read it. Any string
       -- naming a chunk counts, wherever the kind cites it (citations[].source,
       -- fields[].source, key_facts[].sources[]), and so does any document the job
       -- retrieved (job_sources): an answer may use a chunk's text without citing it.
       CASE WHEN ev.state = 'succeeded'
                 AND NOT jsonb_path_exists(
                     j.result, '$.** ? (@.type() == "string" && @ starts with "doc:")')
                 AND NOT EXISTS (SELECT 1 FROM job_sources js WHERE js.job_id = j.id)
            THEN j.result END AS result,
       ev.data -> 'error' AS error,
       ev.state, ev.attempt AS job_attempt, ev.created_at AS event_created_at
FROM claimed c
JOIN outbox_destinations d ON d.id = c.destination_id
LEFT JOIN webhook_endpoints e ON e.id = c.endpoint_id
LEFT JOIN callback_secrets s ON c.endpoint_id IS NULL AND s.tenant_id = c.tenant_id
LEFT JOIN jobs j ON j.id = c.job_id
LEFT JOIN job_events ev ON ev.job_id = c.job_id AND ev.seq = c.seq
ORDER BY c.next_attempt_at;

-- name: outbox_destination_failing :one
-- A destination failed an attempt that started at started_at. Unless it is already
-- paused by a failure that came after this attempt started, this failure opens a
-- pause: the failed row is the probe, retried at probe_at, and the destination's
-- other rows wait until paused_until (after the probe has had its answer) -- those
-- already due are moved there now, new ones are written there. Returns when the
-- failed row is to be tried again: probe_at for the probe; paused_until for an
-- attempt that was under way when the pause opened (it waits like the rest, and
-- goes with them when the destination answers again).
WITH current AS (
    SELECT id, probe_at, paused_until,
           (paused_until IS NULL OR %(started_at)s::timestamptz >= probe_at) AS opens
    FROM outbox_destinations
    WHERE id = %(destination_id)s::bigint
    FOR NO KEY UPDATE
), paused AS (
    UPDATE outbox_destinations d
    SET failures = d.failures + 1,
        failing_since = coalesce(d.failing_since, clock_timestamp()),
        probe_at = %(probe_at)s::timestamptz,
        paused_until = %(paused_until)s::timestamptz
    FROM current c
    WHERE d.id = c.id AND c.opens
    RETURNING d.id, d.probe_at, d.paused_until
), state AS (
    SELECT p.id, true AS opened, p.probe_at, p.paused_until FROM paused p
    UNION ALL
    SELECT c.id, false, c.probe_at, c.paused_until FROM current c WHERE NOT c.opens
), waiting AS (
    -- Rows being claimed or delivered right now are left alone: they settle themselves.
    SELECT o.id
    FROM outbox o, state s
    WHERE o.destination_id = s.id
      AND o.status = 'pending'
      AND NOT o.held
      AND o.claim IS NULL
      AND o.next_attempt_at < s.paused_until
    FOR UPDATE OF o SKIP LOCKED
), held_back AS (
    UPDATE outbox o SET next_attempt_at = s.paused_until
    FROM waiting w, state s
    WHERE o.id = w.id
    RETURNING o.id
)
SELECT s.opened, s.paused_until,
       CASE WHEN s.opened THEN s.probe_at ELSE s.paused_until END AS next_attempt_at,
       (SELECT count(*) FROM held_back) AS held_back
FROM state s;

-- name: outbox_destination_recovered :exec
-- A destination answered: its pause ends, and its rows that were waiting for the
-- probe's answer are due at once (rows with a later retry time of their own keep it).
WITH previous AS (
    SELECT id, paused_until
    FROM outbox_destinations
    WHERE id = %(destination_id)s::bigint AND failures > 0
    FOR NO KEY UPDATE
), recovered AS (
    UPDATE outbox_destinations d
    SET failures = 0, failing_since = NULL, probe_at = NULL, paused_until = NULL
    FROM previous p
    WHERE d.id = p.id
    RETURNING d.id, p.paused_until
), waiting AS (
    -- Rows another transaction is changing are left to it (and never waited for).
    SELECT o.id
    FROM outbox o, recovered r
    WHERE o.destination_id = r.id
      AND o.status = 'pending'
      AND NOT o.held
      AND o.claim IS NULL
      AND o.next_attempt_at > clock_timestamp()
      AND o.next_attempt_at <= r.paused_until
    FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox o
SET next_attempt_at = clock_timestamp()
FROM waiting w
WHERE o.id = w.id;

-- name: outbox_list_for_endpoint :many
-- An endpoint's deliveries, newest first, each with its attempts.
SELECT o.id, o.event_id, o.event_type, o.job_id, o.seq, o.endpoint_id, o.status, o.attempts,
       o.next_attempt_at, o.created_at, o.delivered_at, o.last_error,
       coalesce((SELECT jsonb_agg(to_jsonb(a) - 'outbox_id' - 'tenant_id' ORDER BY a.attempt)
                 FROM outbox_attempts a WHERE a.outbox_id = o.id), '[]') AS attempt_log
FROM outbox o
WHERE o.endpoint_id = %(endpoint_id)s::uuid AND o.tenant_id = %(tenant_id)s::uuid
ORDER BY o.id DESC
LIMIT %(limit)s::integer;

-- name: outbox_list_for_job :many
-- A job's deliveries (callback_url and endpoints), oldest first, each with its attempts.
SELECT o.id, o.event_id, o.event_type, o.job_id, o.seq, o.endpoint_id, o.status, o.attempts,
       o.next_attempt_at, o.created_at, o.delivered_at, o.last_error,
       coalesce((SELECT jsonb_agg(to_jsonb(a) - 'outbox_id' - 'tenant_id' ORDER BY a.attempt)
                 FROM outbox_attempts a WHERE a.outbox_id = o.id), '[]') AS attempt_log
FROM outbox o
WHERE o.job_id = %(job_id)s::uuid AND o.tenant_id = %(tenant_id)s::uuid
ORDER BY o.seq, o.id
LIMIT %(limit)s::integer;

-- name: outbox_settle :optional
-- Record the end of a claimed delivery: delivered, retried later, failed for good
-- or cancelled. No row when the claim is no longer ours (lapsed and re-claimed, or
-- the endpoint was disabled meanwhile).
UPDATE outbox
SET status = %(status)s::outbox_status,
    attempts = attempts + CASE WHEN %(attempted)s::boolean THEN 1 ELSE 0 END,
    next_attempt_at = coalesce(%(next_attempt_at)s::timestamptz, next_attempt_at),
    claim = NULL,
    delivered_at = CASE WHEN %(status)s::outbox_status = 'delivered' THEN clock_timestamp() END,
    last_error = %(error)s::text
WHERE id = %(id)s::bigint AND claim = %(claim)s::uuid
RETURNING id, status;

-- name: outbox_test_insert :one
-- Queue a test event for one endpoint (POST /v1/webhooks/{id}/test); wakes the relay at commit.
WITH inserted AS (
    INSERT INTO outbox (tenant_id, event_id, event_type, endpoint_id)
    VALUES (%(tenant_id)s::uuid, 'evt_test_' || replace(gen_random_uuid()::text, '-', ''), 'webhook.test',
            %(endpoint_id)s::uuid)
    RETURNING id, event_id, event_type, status
)
SELECT inserted.*, pg_notify('courier_outbox', '') IS NULL AS notified FROM inserted;
