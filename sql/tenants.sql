-- Tenants: organisations using Courier.

-- name: tenant_ensure :one
-- Find the tenant with this slug, creating it if it does not exist yet (the no-op
-- update makes RETURNING give the row in both cases, also under concurrency).
INSERT INTO tenants (slug) VALUES (%(slug)s::text)
ON CONFLICT ON CONSTRAINT tenants_slug_unique DO UPDATE SET slug = EXCLUDED.slug
RETURNING id, slug;
