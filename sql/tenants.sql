-- Tenants: organisations using Courier.

-- name: tenant_ensure :one
-- Find the tenant with this slug, creating it if it does not exist yet (the no-op
-- update makes RETURNING give the row in both cases, also under concurrency).
INSERT INTO tenants (slug) VALUES (%(slug)s::text)
ON CONFLICT ON CONSTRAINT tenants_slug_unique DO UPDATE SET slug = EXCLUDED.slug
RETURNING id, slug;

-- name: tenant_limits_set :one
-- Set a tenant's rate limit and retention overrides; NULL keeps the current value.
UPDATE tenants
SET rate_limit_per_second = coalesce(%(rate_limit_per_second)s::double precision, rate_limit_per_second),
    rate_limit_burst = coalesce(%(rate_limit_burst)s::integer, rate_limit_burst),
    retention_days = coalesce(%(retention_days)s::integer, retention_days)
WHERE slug = %(slug)s::text
RETURNING id, slug, rate_limit_per_second, rate_limit_burst, retention_days;

-- name: tenant_list_ids :many
-- Every tenant's id, for background passes that visit each tenant in turn (the
-- embedding of a new model); never on a request's path.
SELECT id FROM tenants ORDER BY id;

-- name: tenant_rate_limit_take :one
-- Take one submission token from the tenant's bucket, unless this Idempotency-Key
-- already made a job (a retry: no token); see courier_rate_limit_take_v2.
SELECT retried, allowed, retry_after_seconds, tokens_left
FROM courier_rate_limit_take_v2(
    %(tenant_id)s::uuid, %(idempotency_key)s::text, %(default_rate)s::double precision,
    %(default_burst)s::integer, coalesce(%(now)s::timestamptz, clock_timestamp())
);

-- name: tenant_tier_set :optional
-- Set the commercial tier of the tenant with this slug (an operator's action); no
-- row when there is no such tenant. tenants_tier_known refuses an unknown tier.
UPDATE tenants SET tier = %(tier)s::text WHERE slug = %(slug)s::text
RETURNING id, slug, tier;
