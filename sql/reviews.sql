-- Reviews: the queue of held outputs and the decisions on them (app/review/service.py).
-- A decision is one transaction: lock the held job (review_lock_held), record the
-- decision (review_insert), name it for the job's event (review_transaction_context),
-- end the job's review (review_end_job). The jobs trigger writes the event and its
-- outbox rows; a deferred trigger refuses a job leaving review without its row.

-- name: review_end_job :one
-- End a held job's review: approved -> succeeded with the delivered result (the
-- reviewer's edit, or the held output as it is); rejected -> failed with the error.
-- Either way the held output leaves the job (the reviews row keeps it).
UPDATE jobs
SET state = %(state)s::job_state,
    result = CASE WHEN %(state)s::job_state = 'succeeded'
                  THEN coalesce(%(result)s::jsonb, held_result) END,
    held_result = NULL,
    error = %(error)s::jsonb
WHERE id = %(job_id)s::uuid AND state = 'needs_review'
RETURNING id, state, version;

-- name: review_get :optional
-- One job of a tenant as a reviewer sees it: the held output, the input it was made
-- from (its sources), why it was held, and the decision once made. Only a job that
-- was held (is, or has a needs_review event): review_reasons alone may also explain
-- a refusal of a kind without review.
SELECT j.id, j.tenant_id, j.kind, j.state, j.input, j.held_result, j.review_reasons, j.error,
       j.model, j.prompt_version, j.created_at, j.finished_at, j.expires_at, j.version,
       r.id AS review_id, r.decision, r.edited, r.reason, r.original_output, r.edited_output,
       r.created_at AS decided_at, reviewer.external_id AS reviewer
FROM jobs j
LEFT JOIN reviews r ON r.job_id = j.id
LEFT JOIN principals reviewer ON reviewer.id = r.reviewer_id
WHERE j.id = %(job_id)s::uuid AND j.tenant_id = %(tenant_id)s::uuid
  AND (j.state = 'needs_review' OR r.id IS NOT NULL
       OR EXISTS (SELECT 1 FROM job_events e WHERE e.job_id = j.id AND e.state = 'needs_review'));

-- name: review_insert :one
-- Record a decision on a held job (reviews_one_decision_per_job: one per job).
INSERT INTO reviews (job_id, tenant_id, reviewer_id, reviewer_key_id, decision, edited, reason,
                     review_reasons, original_output, edited_output)
VALUES (%(job_id)s::uuid, %(tenant_id)s::uuid, %(reviewer_id)s::uuid, %(reviewer_key_id)s::text,
        %(decision)s::review_decision, %(edited_output)s::jsonb IS NOT NULL, %(reason)s::text,
        %(review_reasons)s::text::jsonb, %(original_output)s::jsonb, %(edited_output)s::jsonb)
RETURNING id, created_at;

-- name: review_list :many
-- A tenant's held jobs, oldest first (the review queue), optionally of one kind;
-- keyset pagination: pass the last id of the previous page as after_id.
SELECT id, kind, created_at, finished_at, updated_at, expires_at, review_reasons, model,
       prompt_version
FROM jobs
WHERE tenant_id = %(tenant_id)s::uuid
  AND state = 'needs_review'
  AND (%(kind)s::text IS NULL OR kind = %(kind)s::text)
  AND (%(after_id)s::uuid IS NULL OR id > %(after_id)s::uuid)
ORDER BY id
LIMIT %(limit)s::integer;

-- name: review_lock_held :optional
-- Lock a tenant's job waiting in review for a decision. A second reviewer deciding the
-- same job waits here for the first, then finds it no longer held: no row (409).
SELECT id, kind, input, held_result, review_reasons
FROM jobs
WHERE id = %(job_id)s::uuid AND tenant_id = %(tenant_id)s::uuid AND state = 'needs_review'
FOR UPDATE;

-- name: review_purge :exec
-- Retention: clear the outputs of the decisions on jobs whose input and result were purged.
UPDATE reviews
SET original_output = NULL, edited_output = NULL, purged_at = coalesce(%(now)s::timestamptz, now())
WHERE job_id = ANY (%(job_ids)s::uuid[]) AND purged_at IS NULL;

-- name: review_transaction_context :exec
-- Name the review that ends a job's review in the job's event (data.review).
SELECT set_config('courier.review', %(review)s::text, true);
