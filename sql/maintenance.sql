-- Maintenance: what the background duties (expiry sweeper, stalled-job rescuer) need
-- besides job queries.

-- name: maintenance_lock_try :one
-- Take the transaction-scoped advisory lock of one duty, without waiting: true when
-- this pass may run. Released at commit, or when the holder's connection dies, so a
-- killed worker cannot keep the duty from running.
SELECT pg_try_advisory_xact_lock(hashtext(%(duty)s::text)) AS locked;
