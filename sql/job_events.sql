-- Job events: the append-only history of each job (rows are written by the jobs trigger).
--
-- The tenant-wide stream reads in commit-safe order: only events whose transaction
-- is older than every transaction still running (its xid below the commit horizon,
-- pg_snapshot_xmin), ordered by (xid, position). A cursor (xid, position) therefore
-- never passes an event that has yet to commit; the price is that one long
-- transaction that wrote something, anywhere in the cluster, holds every tenant
-- stream back until it ends (docs/event-streams.md).

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
-- A page of the tenant-wide stream: at most scan_limit of the tenant's events after the
-- cursor below the commit horizon, in commit-safe order. Returns those that pass the
-- optional filters (matched) and, matched or not, the last one examined, so the cursor
-- moves past every row looked at and a filter that rarely matches never reads the same
-- history twice. examined counts the rows looked at (= scan_limit: read on).
-- The events are walked one index step at a time (each step an ordered LIMIT 1 on
-- job_events_tenant_stream), so a page reads scan_limit rows at most whatever the
-- planner believes about the table: a plain ORDER BY ... LIMIT may be planned as a
-- bitmap scan and a sort of every event after the cursor when statistics are stale.
WITH RECURSIVE horizon AS MATERIALIZED (
    SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin
), examined AS (
    SELECT 0 AS n, NULL::uuid AS job_id, NULL::integer AS seq, NULL::text AS type,
           NULL::job_state AS state, NULL::integer AS attempt, NULL::jsonb AS data,
           NULL::timestamptz AS created_at,
           %(after_xid)s::xid8 AS xid, %(after_position)s::bigint AS position
    UNION ALL
    SELECT w.n + 1, e.job_id, e.seq, e.type, e.state, e.attempt, e.data, e.created_at,
           e.xid, e.position
    FROM examined w
    CROSS JOIN LATERAL (
        SELECT e.job_id, e.seq, e.type, e.state, e.attempt, e.data, e.created_at, e.xid,
               e.position
        FROM job_events e
        WHERE e.tenant_id = %(tenant_id)s::uuid
          AND (e.xid, e.position) > (w.xid, w.position)
          AND e.xid < (SELECT h.xmin FROM horizon h)
        ORDER BY e.xid, e.position
        LIMIT 1
    ) e
    WHERE w.n < %(scan_limit)s::integer
)
SELECT e.job_id, e.seq, e.type, e.state, e.attempt, e.data, e.created_at, j.kind,
       e.xid::text AS xid, e.position, j.id IS NOT NULL AS matched,
       (SELECT max(x.n) FROM examined x) AS examined
FROM examined e
-- One primary key lookup per examined row that passes the state filter (LIMIT keeps
-- it a nested loop: a join over every job of the tenant would not be bounded).
LEFT JOIN LATERAL (
    SELECT j.id, j.kind FROM jobs j
    WHERE j.id = e.job_id
      AND (%(state)s::job_state IS NULL OR e.state = %(state)s::job_state)
      AND (%(kind)s::text IS NULL OR j.kind = %(kind)s::text)
    LIMIT 1
) j ON true
WHERE e.n > 0
  AND (j.id IS NOT NULL OR e.n = (SELECT max(x.n) FROM examined x))
ORDER BY e.n;

-- name: job_event_stream_horizon :one
-- The commit horizon: events of transactions below it may be streamed.
SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin;

-- name: job_event_stream_next :optional
-- The tenant's first committed event after the cursor, whatever its transaction's age,
-- with the commit horizon: when its xid is not below the horizon it waits for an older
-- transaction, and waited_seconds says for how long. No row: nothing after the cursor.
WITH horizon AS MATERIALIZED (
    SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin
)
SELECT e.xid::text AS xid, h.xmin::text AS horizon, e.xid >= h.xmin AS held_back,
       extract(epoch FROM clock_timestamp() - e.created_at)::double precision AS waited_seconds
FROM horizon h,
     LATERAL (SELECT n.xid, n.created_at FROM job_events n
              WHERE n.tenant_id = %(tenant_id)s::uuid
                AND (n.xid, n.position) > (%(after_xid)s::xid8, %(after_position)s::bigint)
              ORDER BY n.xid, n.position
              LIMIT 1) e;

-- name: job_event_stream_start :one
-- The cursor of "from now on" for the tenant-wide stream (the commit horizon), and the
-- next transaction id to be assigned: a cursor past it was never sent.
SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xid,
       pg_snapshot_xmax(pg_current_snapshot())::text AS next_xid;
