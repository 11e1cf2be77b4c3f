-- Principals: the users a tenant's API keys act for. What a user may do is on each
-- of their keys (api_keys.roles, api_keys.acl_groups), not here.

-- name: principal_ensure :one
-- Find or create the principal of a tenant; an existing one is left as it is (the
-- no-op update makes RETURNING give the row in both cases, also under concurrency).
INSERT INTO principals (tenant_id, external_id)
VALUES (%(tenant_id)s::uuid, %(external_id)s::text)
ON CONFLICT ON CONSTRAINT principals_external_id_unique DO UPDATE
SET external_id = EXCLUDED.external_id
RETURNING id, tenant_id, external_id;
