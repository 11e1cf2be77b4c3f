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
