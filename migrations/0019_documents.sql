-- 0019 documents, their chunks and embeddings, under row level security.
--
-- A tenant's reference documents (help-center articles, CRM notes, product
-- documents) ground the model's answers. Each carries acl_groups: a principal sees a
-- document only if it is of the principal's tenant and the groups overlap. That rule
-- is enforced here, by FORCED row level security that reads the principal from
-- transaction-local settings (courier.tenant_id, courier.user_id, courier.groups, set
-- by session_act_for in sql/session.sql), so the runtime role, which cannot bypass
-- RLS, never sees another tenant's rows or a document outside its groups, and a DBA
-- reproduces in psql exactly what a user may see (docs/retrieval-dba.md).
--
-- Chunks and embeddings copy the tenant and the groups of their document (kept in
-- step by a trigger), so search filters on the row it reads, with no join, and an
-- ACL change applies at once without re-embedding.

-- The principal of the current transaction; NULL settings match nothing.
CREATE FUNCTION courier_acting_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('courier.tenant_id', true), '')::uuid
$$;
COMMENT ON FUNCTION courier_acting_tenant() IS
    'The tenant the current transaction acts for (courier.tenant_id), or NULL.';

CREATE FUNCTION courier_acting_groups() RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(current_setting('courier.groups', true), '')::text[], '{}')
$$;
COMMENT ON FUNCTION courier_acting_groups() IS
    'The ACL groups the current transaction acts with (courier.groups, a text array literal), or none.';

-- Ingestion and embedding act for a whole tenant (every group): an API key with the
-- admin role managing the tenant's documents, or the embedding worker.
CREATE FUNCTION courier_acting_tenant_wide() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('courier.scope', true), '') = 'tenant'
$$;
COMMENT ON FUNCTION courier_acting_tenant_wide() IS
    'Whether the current transaction acts for its whole tenant (courier.scope = tenant): documents of every group.';

CREATE TABLE documents (
    id            uuid PRIMARY KEY DEFAULT courier_uuid_v7(),
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    source        text NOT NULL DEFAULT 'api',
    external_id   text,
    title         text NOT NULL,
    url           text,
    body          text NOT NULL,
    metadata      jsonb NOT NULL DEFAULT '{}',
    acl_groups    text[] NOT NULL,
    content_hash  text NOT NULL,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT documents_title_length CHECK (char_length(title) BETWEEN 1 AND 500),
    CONSTRAINT documents_source_length CHECK (char_length(source) BETWEEN 1 AND 100),
    CONSTRAINT documents_external_id_length CHECK (char_length(external_id) BETWEEN 1 AND 500),
    CONSTRAINT documents_acl_groups_not_null CHECK (array_position(acl_groups, NULL) IS NULL),
    CONSTRAINT documents_metadata_object CHECK (jsonb_typeof(metadata) = 'object')
);
COMMENT ON TABLE documents IS
    'Reference documents of a tenant that ground answers; seen only by principals of the tenant whose groups overlap acl_groups (row level security).';
COMMENT ON COLUMN documents.content_hash IS 'SHA-256 hex of title and body: the same content again changes nothing.';
COMMENT ON COLUMN documents.version IS 'Bumped on every change of content or ACL; model cache keys name it, so a changed document never serves an old answer.';
-- Idempotent ingestion: one document per (tenant, source, external id); without an
-- external id, the content itself is the key.
CREATE UNIQUE INDEX documents_external_id_unique ON documents (tenant_id, source, external_id)
    WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX documents_content_unique ON documents (tenant_id, source, content_hash)
    WHERE external_id IS NULL;
CREATE INDEX documents_tenant_created ON documents (tenant_id, id);

CREATE TABLE chunks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id  uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    tenant_id    uuid NOT NULL,
    acl_groups   text[] NOT NULL,
    ordinal      integer NOT NULL,
    body         text NOT NULL,
    -- english: stems and stop words for natural questions; error codes and product
    -- names stay whole tokens.
    tsv          tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
    CONSTRAINT chunks_document_ordinal_unique UNIQUE (document_id, ordinal)
);
COMMENT ON TABLE chunks IS
    'Overlapping passages of a document, with its tenant and ACL groups copied (a trigger keeps them in step), so search filters without a join.';
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
CREATE INDEX chunks_acl_groups ON chunks USING gin (acl_groups);
CREATE INDEX chunks_tenant ON chunks (tenant_id);

-- Every model's embeddings side by side: a change of model fills its own rows in the
-- background while search keeps using the active model's (no gap).
CREATE TABLE embedding_models (
    model         text PRIMARY KEY,
    dimensions    integer NOT NULL,
    state         text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    activated_at  timestamptz,
    CONSTRAINT embedding_models_state CHECK (state IN ('building', 'active', 'retired')),
    CONSTRAINT embedding_models_dimensions CHECK (dimensions = 384)
);
COMMENT ON TABLE embedding_models IS
    'Embedding models: the active one serves search; a building one is being filled for every chunk and becomes active when none is missing.';
CREATE UNIQUE INDEX embedding_models_one_active ON embedding_models (state) WHERE state = 'active';

CREATE TABLE chunk_embeddings (
    chunk_id    bigint NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
    model       text NOT NULL REFERENCES embedding_models (model),
    tenant_id   uuid NOT NULL,
    acl_groups  text[] NOT NULL,
    -- 384 dimensions for every model: the offline embedder's, and what OpenAI's v3
    -- models are asked for (`dimensions`). Another size is a new column and index.
    embedding   vector(384) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chunk_id, model)
);
COMMENT ON TABLE chunk_embeddings IS
    'One embedding per chunk and model (the model and its dimension recorded with it), with the chunk''s tenant and groups for filtering.';
CREATE INDEX chunk_embeddings_hnsw ON chunk_embeddings USING hnsw (embedding vector_cosine_ops);
CREATE INDEX chunk_embeddings_acl_groups ON chunk_embeddings USING gin (acl_groups);
CREATE INDEX chunk_embeddings_tenant_model ON chunk_embeddings (tenant_id, model);

-- Chunks and embeddings follow their document's tenant and groups.
CREATE FUNCTION courier_chunks_follow_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE chunks SET acl_groups = NEW.acl_groups WHERE document_id = NEW.id;
    UPDATE chunk_embeddings e SET acl_groups = NEW.acl_groups
    FROM chunks c WHERE c.document_id = NEW.id AND e.chunk_id = c.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER documents_acl_follow AFTER UPDATE OF acl_groups ON documents
    FOR EACH ROW WHEN (NEW.acl_groups IS DISTINCT FROM OLD.acl_groups)
    EXECUTE FUNCTION courier_chunks_follow_document();

-- A chunk or embedding never claims another tenant or other groups than its
-- document's: copied from the parent, whatever the insert said.
CREATE FUNCTION courier_chunk_copy_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT d.tenant_id, d.acl_groups INTO NEW.tenant_id, NEW.acl_groups
    FROM documents d WHERE d.id = NEW.document_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER chunks_copy_document BEFORE INSERT ON chunks
    FOR EACH ROW EXECUTE FUNCTION courier_chunk_copy_document();

CREATE FUNCTION courier_embedding_copy_chunk() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT c.tenant_id, c.acl_groups INTO NEW.tenant_id, NEW.acl_groups
    FROM chunks c WHERE c.id = NEW.chunk_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER chunk_embeddings_copy_chunk BEFORE INSERT ON chunk_embeddings
    FOR EACH ROW EXECUTE FUNCTION courier_embedding_copy_chunk();

-- Row level security, forced so that even the owner is subject to it. A row is
-- visible when it is of the acting tenant and, unless the transaction acts tenant
-- wide, its groups overlap the acting groups. Writes need the tenant to match.
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
ALTER TABLE chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE chunks FORCE ROW LEVEL SECURITY;
ALTER TABLE chunk_embeddings ENABLE ROW LEVEL SECURITY;
ALTER TABLE chunk_embeddings FORCE ROW LEVEL SECURITY;

CREATE POLICY documents_reader ON documents
    USING (tenant_id = courier_acting_tenant()
           AND (acl_groups && courier_acting_groups() OR courier_acting_tenant_wide()))
    WITH CHECK (tenant_id = courier_acting_tenant());
CREATE POLICY chunks_reader ON chunks
    USING (tenant_id = courier_acting_tenant()
           AND (acl_groups && courier_acting_groups() OR courier_acting_tenant_wide()))
    WITH CHECK (tenant_id = courier_acting_tenant());
CREATE POLICY chunk_embeddings_reader ON chunk_embeddings
    USING (tenant_id = courier_acting_tenant()
           AND (acl_groups && courier_acting_groups() OR courier_acting_tenant_wide()))
    WITH CHECK (tenant_id = courier_acting_tenant());
