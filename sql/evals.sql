-- What `courier eval` reads back after its run (evals/runner.py), as the database's
-- owner: the jobs of the run, and everything stored about them outside their own
-- input and result (where planted PII must never appear).

-- name: eval_jobs :many
-- The run's jobs as they ended; a held job's output (held_result) stands as its
-- result, still held (the runner counts only a succeeded job's as delivered).
SELECT id, kind, state::text AS state, coalesce(result, held_result) AS result, error,
       review_reasons, model, prompt_version,
       input_tokens, output_tokens, cost_usd,
       extract(epoch FROM coalesce(finished_at, updated_at) - created_at)::double precision AS seconds
FROM jobs
WHERE id = ANY (%(job_ids)s::uuid[]);

-- name: eval_open_jobs :one
-- How many of the run's jobs are still queued or running.
SELECT count(*)::integer AS open
FROM jobs
WHERE id = ANY (%(job_ids)s::uuid[]) AND state IN ('queued', 'running');

-- name: eval_stored_text :many
-- Everything stored about the jobs beyond their input and result (held_result is the
-- result waiting for a reviewer), as text: events,
-- errors, model calls (prompt hashes included), outbox rows and attempts, review
-- reasons. Model answers kept for reuse (checkpoints, cache) are the result's own.
SELECT e.job_id, 'job_events' AS place, e.data::text AS text
FROM job_events e WHERE e.job_id = ANY (%(job_ids)s::uuid[])
UNION ALL
SELECT j.id, 'jobs.error', j.error::text
FROM jobs j WHERE j.id = ANY (%(job_ids)s::uuid[]) AND j.error IS NOT NULL
UNION ALL
SELECT j.id, 'jobs.review_reasons', j.review_reasons::text
FROM jobs j WHERE j.id = ANY (%(job_ids)s::uuid[]) AND j.review_reasons IS NOT NULL
UNION ALL
SELECT c.job_id, 'llm_calls', row_to_json(c)::text
FROM llm_calls c WHERE c.job_id = ANY (%(job_ids)s::uuid[])
UNION ALL
SELECT o.job_id, 'outbox', row_to_json(o)::text
FROM outbox o WHERE o.job_id = ANY (%(job_ids)s::uuid[])
UNION ALL
SELECT o.job_id, 'outbox_attempts', row_to_json(a)::text
FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id
WHERE o.job_id = ANY (%(job_ids)s::uuid[]);
