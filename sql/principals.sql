-- Principals: the users a tenant's API keys act for.

-- name: principal_ensure :one
-- Find or create the principal of a tenant; groups and roles are replaced when given.
INSERT INTO principals (tenant_id, external_id, acl_groups, roles)
VALUES (%(tenant_id)s::uuid, %(external_id)s::text,
        coalesce(%(acl_groups)s::text[], '{}'), coalesce(%(roles)s::text[], '{}'))
ON CONFLICT ON CONSTRAINT principals_external_id_unique DO UPDATE
SET acl_groups = coalesce(%(acl_groups)s::text[], principals.acl_groups),
    roles = coalesce(%(roles)s::text[], principals.roles)
RETURNING id, tenant_id, external_id, acl_groups, roles;
