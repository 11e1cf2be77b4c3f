-- Documents: a tenant's reference texts. Every query runs under row level security
-- (migrations/0019_documents.sql): a transaction sees only the documents of the
-- principal it acts for (sql/session.sql), so none of them filters by groups itself.

-- name: document_acl_set :optional
-- Replace a document's ACL groups, bumping its version (model cache keys name it); the
-- chunks and embeddings follow by trigger, nothing is re-embedded. The same groups (as a
-- set) change nothing, not even the version. No row: not visible.
UPDATE documents
SET acl_groups = %(acl_groups)s::text[],
    -- The right-hand sides read the row as it was.
    version = CASE WHEN acl_groups @> %(acl_groups)s::text[] AND acl_groups <@ %(acl_groups)s::text[]
                   THEN version ELSE version + 1 END,
    updated_at = CASE WHEN acl_groups @> %(acl_groups)s::text[] AND acl_groups <@ %(acl_groups)s::text[]
                      THEN updated_at ELSE now() END
WHERE id = %(id)s::uuid
RETURNING id, tenant_id, source, external_id, title, url, metadata, acl_groups, content_hash,
          version, created_at, updated_at,
          (SELECT count(*) FROM chunks c WHERE c.document_id = documents.id) AS chunk_count;

-- name: document_delete :optional
-- Delete a document; its chunks and embeddings go with it (cascade), so it is gone
-- from search when the transaction commits. No row: not visible.
DELETE FROM documents WHERE id = %(id)s::uuid RETURNING id;

-- name: document_find_for_update :optional
-- The document an ingestion replaces, locked: by (source, external id) when it has
-- one, else by its content hash.
SELECT id, title, url, metadata, acl_groups, content_hash, version
FROM documents
WHERE tenant_id = %(tenant_id)s::uuid AND source = %(source)s::text
  AND (CASE WHEN %(external_id)s::text IS NOT NULL
            THEN external_id = %(external_id)s::text
            ELSE external_id IS NULL AND content_hash = %(content_hash)s::text END)
FOR UPDATE;

-- name: document_get :one
-- One document with its body and chunk count.
SELECT id, tenant_id, source, external_id, title, url, body, metadata, acl_groups, content_hash,
       version, created_at, updated_at,
       (SELECT count(*) FROM chunks c WHERE c.document_id = documents.id) AS chunk_count
FROM documents
WHERE id = %(id)s::uuid;

-- name: document_insert :one
-- A new document (its chunks are inserted after it, in the same transaction).
INSERT INTO documents (tenant_id, source, external_id, title, url, body, metadata, acl_groups,
                       content_hash)
VALUES (%(tenant_id)s::uuid, %(source)s::text, %(external_id)s::text, %(title)s::text,
        %(url)s::text, %(body)s::text, %(metadata)s::jsonb, %(acl_groups)s::text[],
        %(content_hash)s::text)
RETURNING id, version;

-- name: document_list :many
-- A page of documents, oldest first, after the cursor (a document id), optionally of
-- one source; without bodies.
SELECT id, tenant_id, source, external_id, title, url, metadata, acl_groups, content_hash,
       version, created_at, updated_at,
       (SELECT count(*) FROM chunks c WHERE c.document_id = documents.id) AS chunk_count
FROM documents
WHERE (%(after)s::uuid IS NULL OR id > %(after)s::uuid)
  AND (%(source)s::text IS NULL OR source = %(source)s::text)
ORDER BY id
LIMIT %(limit)s::int;

-- name: document_update :one
-- Replace a document's content, ACL and descriptive fields, bumping its version.
UPDATE documents
SET title = %(title)s::text, url = %(url)s::text, body = %(body)s::text,
    metadata = %(metadata)s::jsonb, acl_groups = %(acl_groups)s::text[],
    content_hash = %(content_hash)s::text, version = version + 1, updated_at = now()
WHERE id = %(id)s::uuid
RETURNING id, version;

-- name: document_visible_many :many
-- Of these documents, the ones the acting principal may see now, with what a citation
-- shows of them: resolving citations for a reader.
SELECT id, title, url, version
FROM documents
WHERE id = ANY(%(ids)s::uuid[]);
