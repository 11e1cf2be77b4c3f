-- Session context: whom a transaction acts for, read by row level security policies.

-- name: session_act_for :exec
-- Name the principal of the current transaction (tenant, user and ACL groups as a
-- text array literal) in transaction-local settings; they end with the transaction.
SELECT set_config('courier.tenant_id', %(tenant_id)s::uuid::text, true),
       set_config('courier.user_id', %(user_id)s::uuid::text, true),
       set_config('courier.groups', %(groups)s::text[]::text, true);

-- name: session_role :one
-- Whom this session acts as (after SET ROLE), whom it connected as, and whether
-- row level security can apply to it (not to superusers, nor to BYPASSRLS roles).
SELECT current_user AS role, session_user AS connected_as, r.rolsuper AS superuser,
       r.rolbypassrls AS bypass_rls
FROM pg_roles r
WHERE r.rolname = current_user;
