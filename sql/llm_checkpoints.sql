-- Checkpoints: the committed model answer of each step of a job.

-- name: llm_checkpoint_get :optional
-- The answer committed in any attempt by the first of these steps of the job (in the
-- order given) that has one; no row when none did.
SELECT c.answer, c.model, c.attempt
FROM unnest(%(steps)s::text[]) WITH ORDINALITY AS s (step, position)
JOIN llm_checkpoints c ON c.job_id = %(job_id)s::uuid AND c.step = s.step
ORDER BY s.position
LIMIT 1;

-- name: llm_checkpoint_purge :exec
-- Retention: drop the checkpoints of jobs whose input and result were just purged
-- (an answer is the user's data, and a finished job is never executed again).
DELETE FROM llm_checkpoints WHERE job_id = ANY(%(job_ids)s::uuid[]);

-- name: llm_checkpoint_put :exec
-- Commit a step's answer. The first committed answer stays: a later one (say, of an
-- execution that lost its lease and settled late) changes nothing.
INSERT INTO llm_checkpoints (job_id, step, tenant_id, attempt, model, answer)
VALUES (%(job_id)s::uuid, %(step)s::text, %(tenant_id)s::uuid, %(attempt)s::integer,
        %(model)s::text, %(answer)s::jsonb)
ON CONFLICT (job_id, step) DO NOTHING;

-- name: llm_step_recall :one
-- What a step may reuse before calling a model, in one round trip: the answer
-- committed in any attempt by the first of these steps of the job (as
-- llm_checkpoint_get), and the tenant's live cache entry under cache_key (as
-- llm_cache_get; NULL cache_key: the cache is off). Each NULL when there is none.
SELECT
    (SELECT c.answer
     FROM unnest(%(steps)s::text[]) WITH ORDINALITY AS s (step, position)
     JOIN llm_checkpoints c ON c.job_id = %(job_id)s::uuid AND c.step = s.step
     ORDER BY s.position
     LIMIT 1) AS checkpoint,
    (SELECT c.answer
     FROM llm_cache c
     JOIN jobs j ON j.id = c.job_id
     WHERE %(cache_key)s::text IS NOT NULL
       AND c.tenant_id = %(tenant_id)s::uuid
       AND c.cache_key = %(cache_key)s::text
       AND c.expires_at > clock_timestamp()
       AND j.state NOT IN ('needs_review', 'failed')) AS cached;
