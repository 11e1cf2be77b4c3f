-- 0027 a search first asks, in one statement, whether the reader can see anything.
--
-- A grounded kind searches the requester's documents before its model call; for a
-- tenant without documents (or a reader whose groups reach none) that search was six
-- round trips to find nothing: the active model, BEGIN, the principal, the path,
-- the tuning, the search, COMMIT, and the query's embedding computed meanwhile.
-- courier_search_scope answers first, in one autocommitted statement: it names the
-- principal (transaction-local, as sql/session.sql session_act_for does, so the
-- settings end with the statement) and then reads, under row level security as the
-- caller (SECURITY INVOKER: the policies of 0025 decide, this function filters
-- nothing), whether any chunk is visible, whether any embedding of the active model
-- may be (chunk_acl_counts, an upper bound: 0 means none), and the search path.
-- Statements of a PL/pgSQL function run in order, so the reads see the principal.
CREATE FUNCTION courier_search_scope(
    p_tenant_id uuid, p_user_id uuid, p_groups text[], p_exact_limit bigint
) RETURNS TABLE (model text, searchable boolean, vectors boolean, exact boolean)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
    PERFORM set_config('courier.tenant_id', p_tenant_id::text, true),
            set_config('courier.user_id', p_user_id::text, true),
            set_config('courier.groups', p_groups::text, true),
            set_config('courier.scope', '', true);
    RETURN QUERY
    WITH active AS (
        SELECT m.model FROM embedding_models m WHERE m.state = 'active'
    ), counted AS (
        SELECT coalesce(sum(n.embeddings), 0) AS embeddings
        FROM chunk_acl_counts n
        WHERE n.model = (SELECT a.model FROM active a)
          AND n.acl_key = ANY (courier_acting_acl_keys())
    )
    SELECT (SELECT a.model FROM active a),
           c.embeddings > 0 OR EXISTS (SELECT 1 FROM chunks),
           c.embeddings > 0,
           c.embeddings <= p_exact_limit
    FROM counted c;
END
$$;
COMMENT ON FUNCTION courier_search_scope(uuid, uuid, text[], bigint) IS
    'Acting for the reader (transaction-local), under row level security: the active embedding model, whether any chunk is visible, whether any embedding may be, and whether search scans exactly (at most p_exact_limit embeddings).';
