-- The procrastinate queue (procrastinate_jobs): read-only views of it for metrics.

-- name: queue_depth_list :many
-- Queue entries waiting (todo) or running (doing), per queue.
SELECT queue_name AS queue, status::text AS status, count(*) AS entries
FROM procrastinate_jobs
WHERE status IN ('todo', 'doing')
GROUP BY queue_name, status;
