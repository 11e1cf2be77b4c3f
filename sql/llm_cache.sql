-- Exact-match cache of model answers, per tenant and cache key (app/llm/cache_key.py).

-- name: llm_cache_evict :exec
-- Drop a tenant's entry for a key (e.g. an answer a guard or a reviewer refused).
DELETE FROM llm_cache
WHERE tenant_id = %(tenant_id)s::uuid AND cache_key = %(cache_key)s::text;

-- name: llm_cache_get :optional
-- A tenant's live entry for a key; no row when there is none or it expired. The
-- tenant is part of the lookup: an entry is never served to another tenant.
SELECT answer, model, expires_at
FROM llm_cache
WHERE tenant_id = %(tenant_id)s::uuid
  AND cache_key = %(cache_key)s::text
  AND expires_at > coalesce(%(now)s::timestamptz, clock_timestamp());

-- name: llm_cache_purge_expired :exec
-- Retention: delete up to `limit` expired entries (the expiry index finds them).
DELETE FROM llm_cache
WHERE ctid IN (
    SELECT ctid FROM llm_cache
    WHERE expires_at <= coalesce(%(now)s::timestamptz, clock_timestamp())
    LIMIT %(limit)s::integer
    FOR UPDATE SKIP LOCKED
);
