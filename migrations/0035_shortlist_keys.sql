-- 0035 a cheaper shortlist: one ACL key per tenant and group, the acting principal read
-- once per statement, and a query code that weighs the query's heavier dimensions.
--
-- At 50 % selectivity (27,400 visible embeddings of a 55,000-chunk tenant, the bench's
-- data) 0034's shortlist took ~18 ms: the ACL index 3 ms (the tenant's 55,000 entries
-- intersected with the group's 27,400), the codes 8.5 ms, their top 1,000 2.5 ms and
-- the 1,000 lookups 4 ms, half of which was the policy re-reading the acting principal
-- (settings parsed into an array) on every looked-up row. Measured as the runtime role
-- (docs/retrieval-dba.md, "The shortlist, second pass"):
--
-- * A key that names the tenant and the group together is one posting list of the
--   group's rows in that tenant: 1.9 ms instead of 3 ms for the same 27,400 rows.
-- * The acting principal read through scalar subqueries is computed once per statement
--   (an InitPlan) instead of once per row; the shortlist's lookups join with
--   `LATERAL ... OFFSET 0`, so the planner cannot turn them into a hash of every
--   visible embedding (the trap 0034 recorded).
-- * Ranking the codes by two Hamming distances, the query's code and the code of its
--   heavier dimensions (courier_query_heavy_code), doubles those dimensions' weight: a
--   shortlist of 700 then keeps as many of the true top 10 as 1,000 did (recall@10 0.974
--   against 0.973 over 300 fresh queries), and 300 fewer lookups cost less than the
--   second distance.
--
-- Row level security stays the only ACL filter and decides the same rows: a row's keys
-- are its groups and '' (courier_acl_keys), each prefixed with its tenant; the reader's
-- are its groups, or '' tenant wide (courier_acting_acl_keys), prefixed with the acting
-- tenant. A tenant id is a fixed-width uuid, so no tenant's key can spell another's.

-- The keys of courier_acl_keys spelt out: an index expression is evaluated with a search
-- path of pg_catalog alone (PostgreSQL 17), where Courier's functions are not found.
CREATE FUNCTION courier_tenant_acl_keys(p_tenant_id uuid, p_acl_groups text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg(p_tenant_id::text || '/' || k.key)
    FROM unnest(p_acl_groups || ''::text) AS k (key)
$$;
COMMENT ON FUNCTION courier_tenant_acl_keys(uuid, text[]) IS
    'A row''s ACL keys (courier_acl_keys), each prefixed with its tenant: one index entry per tenant and group.';

-- NULL (no key) without an acting tenant or groups: such a transaction reads no row.
CREATE FUNCTION courier_acting_tenant_acl_keys() RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT array_agg(courier_acting_tenant()::text || '/' || k.key)
    FROM unnest(courier_acting_acl_keys()) AS k (key)
$$;
COMMENT ON FUNCTION courier_acting_tenant_acl_keys() IS
    'The keys the acting transaction reads (courier_acting_acl_keys), each prefixed with the acting tenant.';

DROP INDEX chunk_embedding_codes_acl_keys;
CREATE INDEX chunk_embedding_codes_tenant_acl_keys ON chunk_embedding_codes
    USING gin (courier_tenant_acl_keys(tenant_id, acl_groups));
ALTER POLICY chunk_embedding_codes_reader ON chunk_embedding_codes
    USING (tenant_id = (SELECT courier_acting_tenant())
           AND courier_tenant_acl_keys(tenant_id, acl_groups)
               && (SELECT courier_acting_tenant_acl_keys()));

-- The same rule as 0025, the acting principal read once per statement.
ALTER POLICY chunk_embeddings_reader ON chunk_embeddings
    USING (tenant_id = (SELECT courier_acting_tenant())
           AND courier_acl_keys(acl_groups) && (SELECT courier_acting_acl_keys()));

-- 1100 (positive) or 0011 (negative) where the query's magnitude is at least 1.5 times
-- its smallest nonzero one, 0000 elsewhere: added to courier_query_code's distance, it
-- counts those dimensions' sign agreement twice.
CREATE FUNCTION courier_query_heavy_code(v vector) RETURNS bit(1536)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH t AS (SELECT x, i FROM unnest(v::real[]) WITH ORDINALITY AS u (x, i)),
         floor AS (SELECT 1.5 * min(abs(x)) AS heavy FROM t WHERE x <> 0)
    SELECT string_agg(CASE WHEN abs(t.x) < f.heavy OR f.heavy IS NULL THEN '0000'
                           WHEN t.x > 0 THEN '1100' ELSE '0011' END,
                      '' ORDER BY t.i)::varbit::bit(1536)
    FROM t, floor f
$$;
COMMENT ON FUNCTION courier_query_heavy_code(vector) IS
    'The code of a query embedding''s heavier dimensions (at least 1.5 times its smallest nonzero magnitude): its Hamming distance, added to courier_query_code''s, weighs them twice.';
