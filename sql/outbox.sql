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
-- Claim due deliveries for one relay: rows locked by another relay are skipped,
-- and per job and destination only the oldest pending event is due, so a receiver
-- gets a job's events in order. The claim lapses after claim_for (a crashed relay's
-- rows become due again). Returns what a delivery needs.
WITH due AS (
    SELECT o.id
    FROM outbox o
    WHERE o.status = 'pending'
      AND o.next_attempt_at <= clock_timestamp()
      AND NOT EXISTS (
          SELECT 1 FROM outbox earlier
          WHERE earlier.job_id = o.job_id
            AND earlier.endpoint_id IS NOT DISTINCT FROM o.endpoint_id
            AND earlier.seq < o.seq
            AND earlier.status = 'pending')
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
       c.attempts, c.created_at,
       coalesce(e.url, j.callback_url) AS url,
       (c.endpoint_id IS NULL OR (e.disabled_at IS NULL AND e.deleted_at IS NULL)) AS destination_live,
       coalesce(e.include_result, false) AS include_result,
       coalesce(e.secret, s.secret) AS secret,
       CASE WHEN coalesce(e.previous_secret_expires_at, s.previous_secret_expires_at) > clock_timestamp()
            THEN coalesce(e.previous_secret, s.previous_secret) END AS previous_secret,
       j.kind,
       -- The job as it was at this event, not as it is now: a result is final (and
       -- reviewed) only once the job succeeded; the error is the one of this event.
       CASE WHEN ev.state = 'succeeded' THEN j.result END AS result,
       ev.data -> 'error' AS error,
       ev.state, ev.attempt AS job_attempt, ev.created_at AS event_created_at
FROM claimed c
LEFT JOIN webhook_endpoints e ON e.id = c.endpoint_id
LEFT JOIN callback_secrets s ON c.endpoint_id IS NULL AND s.tenant_id = c.tenant_id
LEFT JOIN jobs j ON j.id = c.job_id
LEFT JOIN job_events ev ON ev.job_id = c.job_id AND ev.seq = c.seq
ORDER BY c.next_attempt_at;

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

-- name: outbox_settle :one
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
