-- The procrastinate queue (procrastinate_jobs): views of it for metrics, and what
-- the stalled-job rescuer does to the entries of dead workers.

-- name: queue_depth_list :many
-- Queue entries waiting (todo) or running (doing), per queue.
SELECT queue_name AS queue, status::text AS status, count(*) AS entries
FROM procrastinate_jobs
WHERE status IN ('todo', 'doing')
GROUP BY queue_name, status;

-- name: queue_entry_fail_stalled :optional
-- Close the running entry of a worker that stopped beating (procrastinate's own
-- finish function, marking it failed), so that nothing its execution does later
-- (a zombie finishing or aborting it) can touch the entry that replaces it. No
-- row when it is no longer running (its worker finished it meanwhile).
SELECT procrastinate_finish_job_v1(stalled.id, 'failed', false), stalled.id
FROM (
    SELECT id FROM procrastinate_jobs
    WHERE id = %(queue_job_id)s::bigint AND status = 'doing'
    FOR UPDATE
) AS stalled;
