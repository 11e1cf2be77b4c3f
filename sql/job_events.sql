-- Job events: the append-only history of each job (rows are written by the jobs trigger).

-- name: job_event_list :many
-- A job's events after a sequence number, oldest first, for the tenant that owns it.
SELECT seq, type, state, attempt, data, created_at
FROM job_events
WHERE job_id = %(job_id)s::uuid
  AND tenant_id = %(tenant_id)s::uuid
  AND seq > coalesce(%(after_seq)s::integer, 0)
ORDER BY seq
LIMIT %(limit)s::integer;

-- name: job_event_note :one
-- Note something that happened inside a running execution (e.g. a model fallback)
-- in the job's history, if this lease still holds it; seq is NULL when fenced off.
SELECT courier_job_note_v1(%(job_id)s::uuid, %(lease)s::uuid, %(type)s::text, %(data)s::jsonb) AS seq;

-- name: job_event_stream_for_tenant :many
-- A tenant's events after a cursor, in commit-safe order, for the tenant-wide stream:
-- only events whose transaction is older than every running transaction, so an
-- event of a slower transaction never lands behind the cursor. Filters are optional.
SELECT e.job_id, e.seq, e.type, e.state, e.attempt, e.data, e.created_at, j.kind,
       e.xid::text AS xid, e.position
FROM job_events e
JOIN jobs j ON j.id = e.job_id
WHERE e.tenant_id = %(tenant_id)s::uuid
  AND (e.xid, e.position) > (%(after_xid)s::xid8, %(after_position)s::bigint)
  AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
  AND (%(kind)s::text IS NULL OR j.kind = %(kind)s::text)
  AND (%(state)s::job_state IS NULL OR e.state = %(state)s::job_state)
ORDER BY e.xid, e.position
LIMIT %(limit)s::integer;

-- name: job_event_stream_start :one
-- The cursor of "from now on" for the tenant-wide stream.
SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xid;

