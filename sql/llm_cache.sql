-- Exact-match cache of model answers, per tenant and cache key (app/llm/cache_key.py).

-- name: llm_cache_evict :exec
-- Drop a tenant's entry for a key (e.g. an answer a guard or a reviewer refused).
DELETE FROM llm_cache
WHERE tenant_id = %(tenant_id)s::uuid AND cache_key = %(cache_key)s::text;

-- name: llm_cache_evict_job :exec
-- Drop a tenant's entries a job's calls made (its output was rejected in review).
DELETE FROM llm_cache
WHERE tenant_id = %(tenant_id)s::uuid AND job_id = %(job_id)s::uuid;

-- name: llm_cache_get :optional
-- A tenant's live entry for a key; no row when there is none or it expired. The
-- tenant is part of the lookup: an entry is never served to another tenant. Nor is
-- an answer whose job is held for review or failed (a reviewer rejected it, or it
-- never made a valid output): only what may reach a requester is reused.
SELECT c.answer, c.model, c.expires_at
FROM llm_cache c
JOIN jobs j ON j.id = c.job_id
WHERE c.tenant_id = %(tenant_id)s::uuid
  AND c.cache_key = %(cache_key)s::text
  AND c.expires_at > coalesce(%(now)s::timestamptz, clock_timestamp())
  AND j.state NOT IN ('needs_review', 'failed');

-- name: llm_cache_purge_expired :exec
-- Retention: delete up to `limit` expired entries (the expiry index finds them).
DELETE FROM llm_cache
WHERE ctid IN (
    SELECT ctid FROM llm_cache
    WHERE expires_at <= coalesce(%(now)s::timestamptz, clock_timestamp())
    LIMIT %(limit)s::integer
    FOR UPDATE SKIP LOCKED
);
