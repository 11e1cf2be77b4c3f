-- 0034 a compact code of every embedding, for search to shortlist what it then ranks exactly.
--
-- The exact path of search (up to exact_limit visible embeddings) computed the cosine
-- distance of every visible embedding: at 27,400 of them (bench/retrieval.py, a reader
-- of half of a 55,000-chunk tenant) 12,800 heap pages of 1.6 KB rows, ~30 ms, and no
-- faster as the superuser. HNSW does not reach recall 0.95 on such data at any speed
-- worth having (docs/retrieval-dba.md). What pays: a narrow table of 192-byte codes
-- (2,100 pages for the same rows), ranked by Hamming distance (pgvector's `<~>`, a
-- popcount), then the best `rerank` of them (1,000 by default) ranked again by their
-- true cosine distance, read from chunk_embeddings under its own policy. A reader who
-- sees at most `rerank` embeddings gets exactly the exact search's answer.
--
-- The code: 4 bits a dimension, 1100 positive, 0110 zero, 0011 negative; a query's
-- 1100 positive, 0011 negative, 0000 zero (courier_query_code). Their Hamming distance
-- is then a constant minus twice the sum, over the query's nonzero dimensions, of
-- sign(query) * sign(embedding): a ternary dot product. Plain sign bits (pgvector's
-- binary_quantize) rank the sparse offline embeddings far worse (recall@10 0.03 among
-- the best 40, 0.29 among the best 1,000), because a zero and a negative look alike.

CREATE FUNCTION courier_embedding_code(v vector) RETURNS bit(1536)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT string_agg(CASE WHEN t.x > 0 THEN '1100' WHEN t.x < 0 THEN '0011' ELSE '0110' END,
                      '' ORDER BY t.i)::varbit::bit(1536)
    FROM unnest(v::real[]) WITH ORDINALITY AS t (x, i)
$$;
COMMENT ON FUNCTION courier_embedding_code(vector) IS
    'An embedding''s search code: 4 bits a dimension (1100 positive, 0110 zero, 0011 negative); see courier_query_code.';

CREATE FUNCTION courier_query_code(v vector) RETURNS bit(1536)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT string_agg(CASE WHEN t.x > 0 THEN '1100' WHEN t.x < 0 THEN '0011' ELSE '0000' END,
                      '' ORDER BY t.i)::varbit::bit(1536)
    FROM unnest(v::real[]) WITH ORDINALITY AS t (x, i)
$$;
COMMENT ON FUNCTION courier_query_code(vector) IS
    'A query embedding''s code: its Hamming distance to an embedding''s code (courier_embedding_code) orders by the sign agreement on the query''s nonzero dimensions.';

-- One row per embedding, with its tenant and groups: search shortlists from here
-- under the same policy as chunk_embeddings, then reads the shortlisted embeddings
-- from chunk_embeddings under that table's policy. Written only by the triggers below.
CREATE TABLE chunk_embedding_codes (
    chunk_id    bigint NOT NULL,
    model       text NOT NULL,
    tenant_id   uuid NOT NULL,
    acl_groups  text[] NOT NULL,
    code        bit(1536) NOT NULL,
    PRIMARY KEY (chunk_id, model),
    FOREIGN KEY (chunk_id, model) REFERENCES chunk_embeddings (chunk_id, model) ON DELETE CASCADE
);
COMMENT ON TABLE chunk_embedding_codes IS
    'A compact code of each embedding (courier_embedding_code) with its tenant and groups, kept by triggers on chunk_embeddings: the shortlist of exact-path search.';
CREATE INDEX chunk_embedding_codes_acl_keys ON chunk_embedding_codes
    USING gin (tenant_id, courier_acl_keys(acl_groups));

ALTER TABLE chunk_embedding_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE chunk_embedding_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY chunk_embedding_codes_reader ON chunk_embedding_codes
    USING (tenant_id = courier_acting_tenant()
           AND courier_acl_keys(acl_groups) && courier_acting_acl_keys())
    WITH CHECK (tenant_id = courier_acting_tenant());

-- The codes follow their embeddings: written with the embedding (insert), its groups
-- (an ACL change reaches chunk_embeddings through chunks) and gone with it (cascade).
-- SECURITY DEFINER so that the runtime role needs no write privilege on the codes. Row
-- level security is forced, so a schema owner that is no superuser sees and writes only
-- the acting tenant's codes, and a statement made without one (a DBA's UPDATE) would
-- touch none: the function acts tenant-wide for each tenant the statement wrote, then
-- gives the caller its own settings back. The codes it writes are those of rows the
-- statement already wrote to chunk_embeddings under that table's own policy.
CREATE FUNCTION courier_chunk_embedding_code() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    v_tenant     uuid;
    v_was_tenant text := coalesce(current_setting('courier.tenant_id', true), '');
    v_was_scope  text := coalesce(current_setting('courier.scope', true), '');
BEGIN
    FOR v_tenant IN SELECT DISTINCT n.tenant_id FROM new_rows n LOOP
        PERFORM set_config('courier.tenant_id', v_tenant::text, true),
                set_config('courier.scope', 'tenant', true);
        IF TG_OP = 'INSERT' THEN
            INSERT INTO chunk_embedding_codes (chunk_id, model, tenant_id, acl_groups, code)
            SELECT n.chunk_id, n.model, n.tenant_id, n.acl_groups,
                   courier_embedding_code(n.embedding)
            FROM new_rows n
            WHERE n.tenant_id = v_tenant;
        ELSE
            UPDATE chunk_embedding_codes c
            SET tenant_id = n.tenant_id, acl_groups = n.acl_groups,
                code = courier_embedding_code(n.embedding)
            FROM new_rows n
            WHERE c.chunk_id = n.chunk_id AND c.model = n.model AND n.tenant_id = v_tenant;
        END IF;
    END LOOP;
    PERFORM set_config('courier.tenant_id', v_was_tenant, true),
            set_config('courier.scope', v_was_scope, true);
    RETURN NULL;
END
$$;
-- SECURITY DEFINER: never resolve names through the caller's search_path.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION courier_chunk_embedding_code() SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE ALL ON FUNCTION courier_chunk_embedding_code() FROM PUBLIC;
CREATE TRIGGER chunk_embeddings_code_insert AFTER INSERT ON chunk_embeddings
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION courier_chunk_embedding_code();
CREATE TRIGGER chunk_embeddings_code_update AFTER UPDATE ON chunk_embeddings
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION courier_chunk_embedding_code();

-- The embeddings already there, tenant by tenant and tenant-wide: under forced row
-- level security a migrator that is no superuser would otherwise read none of them.
DO $$
DECLARE
    v_tenant uuid;
BEGIN
    FOR v_tenant IN SELECT t.id FROM tenants t LOOP
        PERFORM set_config('courier.tenant_id', v_tenant::text, true),
                set_config('courier.scope', 'tenant', true);
        INSERT INTO chunk_embedding_codes (chunk_id, model, tenant_id, acl_groups, code)
        SELECT e.chunk_id, e.model, e.tenant_id, e.acl_groups, courier_embedding_code(e.embedding)
        FROM chunk_embeddings e
        WHERE e.tenant_id = v_tenant;
    END LOOP;
    PERFORM set_config('courier.tenant_id', '', true), set_config('courier.scope', '', true);
END
$$;

-- The search path needs how many embeddings the reader may see, not only whether at
-- most p_exact_limit: a few are scanned exactly, more shortlisted by code first
-- (app/retrieval/service.py SearchTuning.shortlist_above). As in 0027 otherwise.
DROP FUNCTION courier_search_scope(uuid, uuid, text[], bigint);
CREATE FUNCTION courier_search_scope(
    p_tenant_id uuid, p_user_id uuid, p_groups text[], p_exact_limit bigint
) RETURNS TABLE (model text, searchable boolean, vectors boolean, exact boolean,
                 embeddings bigint)
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
        SELECT coalesce(sum(n.embeddings), 0)::bigint AS embeddings
        FROM chunk_acl_counts n
        WHERE n.model = (SELECT a.model FROM active a)
          AND n.acl_key = ANY (courier_acting_acl_keys())
    )
    SELECT (SELECT a.model FROM active a),
           c.embeddings > 0 OR EXISTS (SELECT 1 FROM chunks),
           c.embeddings > 0,
           c.embeddings <= p_exact_limit,
           c.embeddings
    FROM counted c;
END
$$;
COMMENT ON FUNCTION courier_search_scope(uuid, uuid, text[], bigint) IS
    'Acting for the reader (transaction-local), under row level security: the active embedding model, whether any chunk is visible, whether any embedding may be, whether search takes the exact path (at most p_exact_limit embeddings) and how many embeddings it may see at most.';
