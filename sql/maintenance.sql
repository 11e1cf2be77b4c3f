-- Maintenance: what the background duties (expiry sweeper, stalled-job rescuer) need
-- besides job queries.

-- name: maintenance_lock_try :one
-- Take the transaction-scoped advisory lock of one duty, without waiting: true when
-- this pass may run. Released at commit, or when the holder's connection dies, so a
-- killed worker cannot keep the duty from running.
SELECT pg_try_advisory_xact_lock(hashtext(%(duty)s::text)) AS locked;

-- name: maintenance_server_uptime :one
-- Seconds since PostgreSQL started: right after a restart no worker has had a
-- chance to beat its heartbeat, so stale heartbeats do not mean dead workers.
SELECT extract(epoch FROM now() - pg_postmaster_start_time())::double precision AS seconds;
