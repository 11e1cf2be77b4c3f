-- Chunks and their embeddings. Row level security (migrations/0019_documents.sql)
-- filters every query to the acting principal's tenant and groups: search below
-- filters nothing itself, and so cannot forget to.

-- name: chunk_delete_for_document :exec
-- Drop a document's chunks (and, by cascade, their embeddings) before new ones replace them.
DELETE FROM chunks WHERE document_id = %(document_id)s::uuid;

-- name: chunk_embedding_insert_many :exec
-- Store embeddings of one model; chunks replaced or deleted meanwhile are skipped,
-- and an embedding stored already (a retried job) is kept. Tenant and groups come
-- from the chunk (trigger).
INSERT INTO chunk_embeddings (chunk_id, model, tenant_id, acl_groups, embedding)
SELECT c.id, %(model)s::text, c.tenant_id, c.acl_groups, t.embedding::vector(384)
FROM unnest(%(chunk_ids)s::bigint[], %(embeddings)s::text[]) AS t(chunk_id, embedding)
JOIN chunks c ON c.id = t.chunk_id
ON CONFLICT (chunk_id, model) DO NOTHING;

-- name: chunk_embedding_purge_model :exec
-- Delete up to `limit` of the acting tenant's embeddings of a retired model (the
-- retention pruner, in batches: search never reads them again). Row level security
-- keeps the delete to that tenant; the count triggers keep chunk_acl_counts.
DELETE FROM chunk_embeddings
WHERE (chunk_id, model) IN (
    SELECT e.chunk_id, e.model FROM chunk_embeddings e
    JOIN embedding_models m ON m.model = e.model AND m.state = 'retired'
    WHERE e.model = %(model)s::text
    LIMIT %(limit)s::integer
    FOR UPDATE OF e SKIP LOCKED
);

-- name: chunk_embedding_remains :one
-- Whether the acting tenant still has an embedding of this model (locked ones too).
SELECT EXISTS (SELECT 1 FROM chunk_embeddings WHERE model = %(model)s::text) AS remains;

-- name: chunk_insert_many :exec
-- A document's chunks in order; tenant and groups are copied from the document (trigger).
INSERT INTO chunks (document_id, tenant_id, acl_groups, ordinal, body)
SELECT %(document_id)s::uuid, %(tenant_id)s::uuid, '{}', t.ordinal - 1, t.body
FROM unnest(%(bodies)s::text[]) WITH ORDINALITY AS t(body, ordinal);

-- name: chunk_search_exact :many
-- The k nearest chunks by cosine distance with no index (the "+ 0" keeps the HNSW
-- index out): the reference filtered search is measured against.
SELECT e.chunk_id, e.embedding <=> %(embedding)s::vector(384) AS distance
FROM chunk_embeddings e
WHERE e.model = %(model)s::text
ORDER BY (e.embedding <=> %(embedding)s::vector(384)) + 0, e.chunk_id
LIMIT %(k)s::int;

-- name: chunk_search_hybrid :many
-- Hybrid search: the nearest chunks by vector (chunk_search_vector's paths), the
-- best full-text matches (any of the query's words) and the chunks holding the
-- query's codes (below), fused by reciprocal rank (weight / (60 + rank)). NULL
-- embedding: full text only.
WITH nearest AS MATERIALIZED (
    (SELECT e.chunk_id, e.embedding <=> %(embedding)s::vector(384) AS distance
     FROM chunk_embeddings e
     WHERE %(embedding)s::vector(384) IS NOT NULL AND e.model = %(model)s::text
       AND %(exact)s::boolean AND %(rerank)s::int = 0
     ORDER BY (e.embedding <=> %(embedding)s::vector(384)) + 0, e.chunk_id
     LIMIT %(candidates)s::int)
    UNION ALL
    (SELECT e.chunk_id, e.distance
     FROM (SELECT c.chunk_id FROM chunk_embedding_codes c
           WHERE %(embedding)s::vector(384) IS NOT NULL AND c.model = %(model)s::text
             AND %(exact)s::boolean AND %(rerank)s::int > 0
           ORDER BY (c.code <~> courier_query_code(%(embedding)s::vector(384)))
                    + (c.code <~> courier_query_heavy_code(%(embedding)s::vector(384))),
                    c.chunk_id
           LIMIT %(rerank)s::int) s,
          -- One embedding per shortlisted chunk, by primary key (OFFSET 0: looked up
          -- for each, never a scan of every visible embedding joined to the list).
          LATERAL (SELECT e.chunk_id, e.embedding <=> %(embedding)s::vector(384) AS distance
                   FROM chunk_embeddings e
                   WHERE e.chunk_id = s.chunk_id AND e.model = %(model)s::text
                   OFFSET 0) e
     ORDER BY e.distance, e.chunk_id
     LIMIT %(candidates)s::int)
    UNION ALL
    (SELECT e.chunk_id, e.embedding <=> %(embedding)s::vector(384) AS distance
     FROM chunk_embeddings e
     WHERE %(embedding)s::vector(384) IS NOT NULL AND e.model = %(model)s::text
       AND NOT %(exact)s::boolean
     ORDER BY e.embedding <=> %(embedding)s::vector(384)
     LIMIT %(candidates)s::int)
), vector_ranked AS (
    SELECT chunk_id, row_number() OVER (ORDER BY distance, chunk_id) AS rank FROM nearest
), words AS (
    SELECT replace(plainto_tsquery('english', %(text)s::text)::text, '&', '|')::tsquery AS query
), codes AS (
    -- Codes the query names (letters and digits, perhaps joined by - or _: E-5555,
    -- ERR_42, SKU123), each as a phrase of its lexemes: the english parser splits
    -- E-5555 into 'e' and '-5555', which the any-word query above matches apart, and
    -- there long chunks of common words outrank the one chunk that holds the code.
    SELECT string_agg(DISTINCT '(' || p.query::text || ')', ' | ')::tsquery AS query
    FROM regexp_matches(%(text)s::text, '[[:alnum:]][[:alnum:]_-]*', 'g') AS t (token),
         LATERAL (SELECT phraseto_tsquery('english', t.token[1]) AS query) p
    WHERE t.token[1] ~ '[[:alpha:]]' AND t.token[1] ~ '[[:digit:]]' AND numnode(p.query) > 0
), probe AS MATERIALIZED (
    -- Either leg's query, to match each visible chunk once; NULL: no lexeme to match.
    SELECT nullif(coalesce(w.query, ''::tsquery) || coalesce(q.query, ''::tsquery),
                  ''::tsquery) AS query
    FROM words w, codes q
), matched AS MATERIALIZED (
    -- The one pass over the reader's chunks that both text legs rank from. `@@` is not
    -- leakproof, so under row level security it cannot use chunks_tsv: the rows come
    -- from the policy's own index (chunks_acl_keys, its overlap answered once, not per
    -- row) and each is matched here (docs/retrieval-dba.md, "The full-text side").
    SELECT c.id, c.tsv
    FROM chunks c, probe p
    WHERE p.query IS NOT NULL AND c.tsv @@ p.query
), text_ranked AS (
    SELECT m.id AS chunk_id,
           row_number() OVER (ORDER BY ts_rank_cd(m.tsv, w.query) DESC, m.id) AS rank
    FROM matched m, words w
    WHERE numnode(w.query) > 0 AND m.tsv @@ w.query
    ORDER BY ts_rank_cd(m.tsv, w.query) DESC, m.id
    LIMIT %(candidates)s::int
), code_ranked AS (
    SELECT m.id AS chunk_id,
           row_number() OVER (ORDER BY ts_rank_cd(m.tsv, q.query) DESC, m.id) AS rank
    FROM matched m, codes q
    WHERE q.query IS NOT NULL AND m.tsv @@ q.query
    ORDER BY ts_rank_cd(m.tsv, q.query) DESC, m.id
    LIMIT %(candidates)s::int
), fused AS (
    -- A chunk holding a code the reader typed is what was asked for: its leg weighs
    -- three, more than a chunk first in both other legs (2 / 61) gets, so shared
    -- common words and a near embedding never bury it.
    SELECT chunk_id, sum(weight / (60 + rank)) AS score
    FROM (SELECT chunk_id, rank, 1.0 AS weight FROM vector_ranked
          UNION ALL SELECT chunk_id, rank, 1.0 FROM text_ranked
          UNION ALL SELECT chunk_id, rank, 3.0 FROM code_ranked) ranked
    GROUP BY chunk_id
)
SELECT c.id AS chunk_id, c.document_id, d.version AS document_version, c.ordinal, c.body,
       d.title, d.url, f.score::float8 AS score
FROM fused f
JOIN chunks c ON c.id = f.chunk_id
JOIN documents d ON d.id = c.document_id
ORDER BY f.score DESC, c.id
LIMIT %(k)s::int;

-- name: chunk_search_path :one
-- Whether the reader may see at most exact_limit embeddings of the model (then search
-- takes the exact path), and how many at most: the sum of its groups' counts, an upper
-- bound, read under row level security from chunk_acl_counts (kept by triggers, so no
-- scan of the rows).
SELECT coalesce(sum(n.embeddings), 0) <= %(exact_limit)s::bigint AS exact,
       coalesce(sum(n.embeddings), 0)::bigint AS embeddings
FROM chunk_acl_counts n
WHERE n.model = %(model)s::text AND n.acl_key = ANY (courier_acting_acl_keys());

-- name: chunk_search_scope :one
-- Before a search, in one autocommitted statement acting for the reader (the settings
-- end with it): the active embedding model, whether the reader can see any chunk
-- (searchable: no, and there is nothing to search), whether any embedding may be
-- visible (vectors: no, and the query needs no embedding) and chunk_search_path's
-- answers (migrations/0027_search_scope.sql, 0034). Row level security decides each.
SELECT model, searchable, vectors, exact, embeddings
FROM courier_search_scope(%(tenant_id)s::uuid, %(user_id)s::uuid, %(groups)s::text[],
                          %(exact_limit)s::bigint);

-- name: chunk_search_vector :many
-- The k nearest chunks the reader may see, by the path chunk_search_path chose.
-- Exact (at most exact_limit visible): with `rerank` 0 (few visible) a scan of every
-- visible embedding, found through the ACL index the row level security policy is
-- answered by; otherwise a shortlist of the `rerank` visible embeddings whose codes
-- are nearest (chunk_embedding_codes, through its own ACL index and policy; the
-- query's heavier dimensions weigh twice: migrations/0034_chunk_embedding_codes.sql,
-- 0035_shortlist_keys.sql), ranked by their true distance. HNSW
-- (more visible): the index with an iterative scan (session_search_tuning), which
-- stops once k rows pass the policy. Paths not taken are never executed. Row level
-- security alone decides what is visible: the shortlisted embeddings are read under
-- chunk_embeddings' own policy.
WITH nearest AS MATERIALIZED (
    (SELECT e.chunk_id, e.embedding <=> %(embedding)s::vector(384) AS distance
     FROM chunk_embeddings e
     WHERE e.model = %(model)s::text AND %(exact)s::boolean AND %(rerank)s::int = 0
     ORDER BY (e.embedding <=> %(embedding)s::vector(384)) + 0, e.chunk_id
     LIMIT %(k)s::int)
    UNION ALL
    (SELECT e.chunk_id, e.distance
     FROM (SELECT c.chunk_id FROM chunk_embedding_codes c
           WHERE c.model = %(model)s::text AND %(exact)s::boolean AND %(rerank)s::int > 0
           ORDER BY (c.code <~> courier_query_code(%(embedding)s::vector(384)))
                    + (c.code <~> courier_query_heavy_code(%(embedding)s::vector(384))),
                    c.chunk_id
           LIMIT %(rerank)s::int) s,
          -- One embedding per shortlisted chunk, by primary key (OFFSET 0: looked up
          -- for each, never a scan of every visible embedding joined to the list).
          LATERAL (SELECT e.chunk_id, e.embedding <=> %(embedding)s::vector(384) AS distance
                   FROM chunk_embeddings e
                   WHERE e.chunk_id = s.chunk_id AND e.model = %(model)s::text
                   OFFSET 0) e
     ORDER BY e.distance, e.chunk_id
     LIMIT %(k)s::int)
    UNION ALL
    (SELECT e.chunk_id, e.embedding <=> %(embedding)s::vector(384) AS distance
     FROM chunk_embeddings e
     WHERE e.model = %(model)s::text AND NOT %(exact)s::boolean
     ORDER BY e.embedding <=> %(embedding)s::vector(384)
     LIMIT %(k)s::int)
)
SELECT chunk_id, distance FROM nearest ORDER BY distance, chunk_id;

-- name: chunk_text_visible_many :many
-- Of these chunks, the ones the acting principal may read now (row level security
-- filters), with their text: the passages a held output cites, beside it for its
-- reviewer (app/console/reads.py).
SELECT id, document_id, body
FROM chunks
WHERE id = ANY(%(ids)s::bigint[]);

-- name: chunk_unembedded :many
-- Chunks of the acting tenant (optionally of one document) that lack an embedding of
-- this model: the embedding worker's next batch.
SELECT c.id, c.body
FROM chunks c
WHERE (%(document_id)s::uuid IS NULL OR c.document_id = %(document_id)s::uuid)
  AND NOT EXISTS (
      SELECT 1 FROM chunk_embeddings e WHERE e.chunk_id = c.id AND e.model = %(model)s::text
  )
ORDER BY c.id
LIMIT %(limit)s::int;
