-- 0029 a chunk's (and an embedding's) tenant and groups change only with its document's.
--
-- 0019 copies them from the parent on insert and follows a document's ACL change, but
-- a direct `UPDATE chunks SET acl_groups = ...` by the runtime role succeeded: a chunk
-- could be found by groups its document does not grant. An update must now leave them
-- equal to the parent's (the follow trigger, which sets exactly those, still passes).
CREATE FUNCTION courier_chunk_acl_is_document_acl() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    parent documents%ROWTYPE;
BEGIN
    SELECT * INTO parent FROM documents d WHERE d.id = NEW.document_id;
    IF NOT FOUND OR NEW.tenant_id IS DISTINCT FROM parent.tenant_id
       OR NEW.acl_groups IS DISTINCT FROM parent.acl_groups THEN
        RAISE EXCEPTION 'a chunk''s tenant and groups are its document''s: change the document'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chunks_acl_is_document_acl';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER chunks_acl_is_document_acl BEFORE UPDATE OF tenant_id, acl_groups ON chunks
    FOR EACH ROW EXECUTE FUNCTION courier_chunk_acl_is_document_acl();

CREATE FUNCTION courier_embedding_acl_is_chunk_acl() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    parent chunks%ROWTYPE;
BEGIN
    SELECT * INTO parent FROM chunks c WHERE c.id = NEW.chunk_id;
    IF NOT FOUND OR NEW.tenant_id IS DISTINCT FROM parent.tenant_id
       OR NEW.acl_groups IS DISTINCT FROM parent.acl_groups THEN
        RAISE EXCEPTION 'an embedding''s tenant and groups are its chunk''s: change the document'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chunk_embeddings_acl_is_chunk_acl';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER chunk_embeddings_acl_is_chunk_acl
    BEFORE UPDATE OF tenant_id, acl_groups ON chunk_embeddings
    FOR EACH ROW EXECUTE FUNCTION courier_embedding_acl_is_chunk_acl();
