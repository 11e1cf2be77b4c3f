-- Session context: whom a transaction acts for, read by row level security policies.

-- name: session_act_for :exec
-- Name the principal of the current transaction (tenant, user and ACL groups as a
-- text array literal) in transaction-local settings; they end with the transaction.
SELECT set_config('courier.tenant_id', %(tenant_id)s::uuid::text, true),
       set_config('courier.user_id', %(user_id)s::uuid::text, true),
       set_config('courier.groups', %(groups)s::text[]::text, true);

-- name: session_act_for_search :exec
-- session_act_for and session_search_tuning in one statement: a search's transaction
-- names its reader and its path's planner settings in one round trip.
SELECT set_config('courier.tenant_id', %(tenant_id)s::uuid::text, true),
       set_config('courier.user_id', %(user_id)s::uuid::text, true),
       set_config('courier.groups', %(groups)s::text[]::text, true),
       set_config('hnsw.iterative_scan', 'relaxed_order', true),
       set_config('hnsw.ef_search', %(ef_search)s::int::text, true),
       set_config('hnsw.max_scan_tuples', %(max_scan_tuples)s::int::text, true),
       set_config('enable_sort', CASE WHEN %(exact)s::boolean THEN 'on' ELSE 'off' END, true),
       set_config('max_parallel_workers_per_gather', '0', true),
       set_config('plan_cache_mode', 'force_custom_plan', true);

-- name: session_act_for_tenant :exec
-- Act for a whole tenant (every ACL group) for the rest of the transaction: document
-- management by an admin key, and the embedding worker. Transaction-local, like
-- session_act_for.
SELECT set_config('courier.tenant_id', %(tenant_id)s::uuid::text, true),
       set_config('courier.scope', 'tenant', true);

-- name: session_role :one
-- Whom this session acts as (after SET ROLE), whom it connected as, and whether
-- row level security can apply to it (not to superusers, nor to BYPASSRLS roles).
SELECT current_user AS role, session_user AS connected_as, r.rolsuper AS superuser,
       r.rolbypassrls AS bypass_rls
FROM pg_roles r
WHERE r.rolname = current_user;

-- name: session_search_tuning :exec
-- The planner settings of a search's path (chunk_search_path). Exact: none needed.
-- HNSW: scans go on (iterative, relaxed order; the query re-sorts) until enough rows
-- pass the row level security filter, up to max_scan_tuples; and bitmap scans and
-- sorts are off, because the planner cannot estimate how many rows the policy keeps
-- (its overlap is not leakproof, so statistics are not used for it) and would
-- otherwise sort the "few" rows it guesses instead of walking the HNSW index
-- (bench/retrieval.py measured these; docs/retrieval-dba.md). No parallel workers: the
-- planner gathers the exact path's shortlist in parallel, and a search then took 20-25
-- ms instead of 14-16 (p50-p95, 27,400 visible, bench data, a 2-core machine at load
-- 1.4); searches run side by side anyway. Plans are made for each search: a plan
-- cached under one path's settings must not serve the other path.
SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true),
       set_config('hnsw.ef_search', %(ef_search)s::int::text, true),
       set_config('hnsw.max_scan_tuples', %(max_scan_tuples)s::int::text, true),
       set_config('enable_sort', CASE WHEN %(exact)s::boolean THEN 'on' ELSE 'off' END, true),
       set_config('max_parallel_workers_per_gather', '0', true),
       set_config('plan_cache_mode', 'force_custom_plan', true);
