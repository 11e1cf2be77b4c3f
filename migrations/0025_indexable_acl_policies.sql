-- 0025 the ACL policies of documents, chunks and embeddings become indexable.
--
-- 0019's policy, `tenant_id = tenant AND (acl_groups && groups OR tenant wide)`, has an
-- OR whose second arm no index answers, so the planner never used the GIN index on
-- acl_groups: an exact search read the tenant's every embedding to keep 1 % of them
-- (bench/retrieval.py: ~120 ms whatever the reader's share). The same rule is now one
-- overlap an index answers: each row's groups plus the empty string (which no group
-- may be) against the reader's groups, or against the empty string alone when the
-- transaction acts tenant wide. Row level security stays the only ACL filter; search
-- (sql/chunks.sql) now picks an exact scan through this index when the reader sees
-- few chunks, which chunk_acl_counts (below) tells it.

-- The empty string stands for "every group" in the keys below, so no document may
-- carry it as a group (the API's group pattern never allowed it).
ALTER TABLE documents ADD CONSTRAINT documents_acl_groups_not_blank
    CHECK (array_position(acl_groups, '') IS NULL);

-- A row's ACL keys: its groups and '' (immutable, so an index can hold it).
CREATE FUNCTION courier_acl_keys(acl_groups text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT acl_groups || ''::text
$$;
COMMENT ON FUNCTION courier_acl_keys(text[]) IS
    'The ACL keys of a row: its groups and the empty string, which a tenant-wide transaction matches (courier_acting_acl_keys).';

-- The keys the acting transaction may read: its groups (an empty string among them
-- dropped, so a reader's groups never match every row), or '' alone tenant wide.
CREATE FUNCTION courier_acting_acl_keys() RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN courier_acting_tenant_wide() THEN '{""}'::text[]
                ELSE array_remove(courier_acting_groups(), '') END
$$;
COMMENT ON FUNCTION courier_acting_acl_keys() IS
    'ACL keys the current transaction reads: its groups, or every group (the empty string) when it acts tenant wide.';

-- Same rule as 0019: of the acting tenant, and groups overlapping or tenant wide.
ALTER POLICY documents_reader ON documents
    USING (tenant_id = courier_acting_tenant()
           AND courier_acl_keys(acl_groups) && courier_acting_acl_keys());
ALTER POLICY chunks_reader ON chunks
    USING (tenant_id = courier_acting_tenant()
           AND courier_acl_keys(acl_groups) && courier_acting_acl_keys());
ALTER POLICY chunk_embeddings_reader ON chunk_embeddings
    USING (tenant_id = courier_acting_tenant()
           AND courier_acl_keys(acl_groups) && courier_acting_acl_keys());

-- The indexes the policies' overlap is answered by, tenant first (btree_gin) so that
-- a group name common to many tenants does not read the others' rows.
CREATE EXTENSION IF NOT EXISTS btree_gin;
DROP INDEX chunks_acl_groups;
DROP INDEX chunk_embeddings_acl_groups;
CREATE INDEX chunks_acl_keys ON chunks USING gin (tenant_id, courier_acl_keys(acl_groups));
CREATE INDEX chunk_embeddings_acl_keys ON chunk_embeddings
    USING gin (tenant_id, courier_acl_keys(acl_groups));

-- How many embeddings of each model each ACL key of a tenant has (the '' key: all of
-- them), kept by the triggers below. Search reads it under row level security to
-- bound how many chunks the reader may see, before it searches: few, and an exact
-- scan through chunk_embeddings_acl_keys is both exact and fast; many, and the HNSW
-- index (iterative scan) is faster (sql/chunks.sql, docs/retrieval-dba.md).
CREATE TABLE chunk_acl_counts (
    tenant_id   uuid NOT NULL,
    model       text NOT NULL,
    acl_key     text NOT NULL,
    embeddings  bigint NOT NULL,
    PRIMARY KEY (tenant_id, model, acl_key)
);
COMMENT ON TABLE chunk_acl_counts IS
    'Embeddings per tenant, model and ACL key (a group, or '''' for all), kept by triggers on chunk_embeddings: search''s estimate of how many chunks a reader may see.';
-- A reader sees the counts of its own groups only (not which other groups exist).
-- Not forced: the triggers write as the owner, whatever the acting principal.
ALTER TABLE chunk_acl_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY chunk_acl_counts_reader ON chunk_acl_counts FOR SELECT
    USING (tenant_id = courier_acting_tenant() AND acl_key = ANY (courier_acting_acl_keys()));

-- One statement-level trigger per operation, aggregating its transition table: one
-- upsert per (tenant, model, key) a statement touches, in key order, so two writers
-- of a tenant wait on its '' row (first in that order) instead of deadlocking: the
-- embedding writes of one tenant and model commit one after the other.
CREATE FUNCTION courier_chunk_acl_count() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM chunk_acl_counts;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO chunk_acl_counts AS c (tenant_id, model, acl_key, embeddings)
        SELECT o.tenant_id, o.model, k.key, -count(*)
        FROM old_rows o, unnest(courier_acl_keys(o.acl_groups)) AS k(key)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, model, acl_key)
            DO UPDATE SET embeddings = c.embeddings + excluded.embeddings;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO chunk_acl_counts AS c (tenant_id, model, acl_key, embeddings)
        SELECT n.tenant_id, n.model, k.key, count(*)
        FROM new_rows n, unnest(courier_acl_keys(n.acl_groups)) AS k(key)
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, model, acl_key)
            DO UPDATE SET embeddings = c.embeddings + excluded.embeddings;
    END IF;
    RETURN NULL;
END
$$;
-- SECURITY DEFINER: never resolve names through the caller's search_path.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION courier_chunk_acl_count() SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE ALL ON FUNCTION courier_chunk_acl_count() FROM PUBLIC;
CREATE TRIGGER chunk_embeddings_count_insert AFTER INSERT ON chunk_embeddings
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION courier_chunk_acl_count();
CREATE TRIGGER chunk_embeddings_count_update AFTER UPDATE ON chunk_embeddings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION courier_chunk_acl_count();
CREATE TRIGGER chunk_embeddings_count_delete AFTER DELETE ON chunk_embeddings
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION courier_chunk_acl_count();
CREATE TRIGGER chunk_embeddings_count_truncate AFTER TRUNCATE ON chunk_embeddings
    FOR EACH STATEMENT EXECUTE FUNCTION courier_chunk_acl_count();

-- The embeddings already there.
INSERT INTO chunk_acl_counts (tenant_id, model, acl_key, embeddings)
SELECT e.tenant_id, e.model, k.key, count(*)
FROM chunk_embeddings e, unnest(courier_acl_keys(e.acl_groups)) AS k(key)
GROUP BY 1, 2, 3;
