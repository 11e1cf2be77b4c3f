-- Prompt policies: a tenant's kind pinned to a prompt version or split between two.

-- name: prompt_policy_clear :optional
-- Remove the policy of a kind of the tenant with this slug (an operator's action): its
-- jobs run the kind's current version again. No row when there was none.
DELETE FROM prompt_policies p
USING tenants t
WHERE t.slug = %(slug)s::text AND p.tenant_id = t.id AND p.kind = %(kind)s::text
RETURNING p.tenant_id, p.kind, p.version, p.split_version, p.split_percent;

-- name: prompt_policy_get :optional
-- The tenant's policy for a kind; no row: the kind's current version.
SELECT tenant_id, kind, version, split_version, split_percent
FROM prompt_policies
WHERE tenant_id = %(tenant_id)s::uuid AND kind = %(kind)s::text;

-- name: prompt_policy_list :many
-- Every policy of the tenant, by kind.
SELECT tenant_id, kind, version, split_version, split_percent
FROM prompt_policies
WHERE tenant_id = %(tenant_id)s::uuid
ORDER BY kind;

-- name: prompt_policy_set :optional
-- Pin (split_version NULL) or split a kind of the tenant with this slug (an operator's
-- action), replacing its policy. No row when there is no such tenant.
INSERT INTO prompt_policies (tenant_id, kind, version, split_version, split_percent)
SELECT t.id, %(kind)s::text, %(version)s::text, %(split_version)s::text, %(split_percent)s::smallint
FROM tenants t WHERE t.slug = %(slug)s::text
ON CONFLICT (tenant_id, kind) DO UPDATE
SET version = EXCLUDED.version,
    split_version = EXCLUDED.split_version,
    split_percent = EXCLUDED.split_percent,
    updated_at = clock_timestamp()
RETURNING tenant_id, kind, version, split_version, split_percent;
