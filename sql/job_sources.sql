-- The documents each job's steps retrieved (migrations/0028_job_sources.sql): the
-- worker records them before a model sees their text; every channel that delivers a
-- result withholds it from a reader who cannot read each of them now.

-- name: job_source_documents :many
-- The distinct documents a job retrieved, whatever their version (a reader must be
-- able to read the document now). The caller has scoped the job to its tenant.
SELECT DISTINCT document_id
FROM job_sources
WHERE job_id = %(job_id)s::uuid
ORDER BY document_id;

-- name: job_source_record_many :exec
-- Record what one retrieval gave a job; again (a retried attempt) changes nothing.
INSERT INTO job_sources (job_id, document_id, document_version)
SELECT %(job_id)s::uuid, d.document_id, d.document_version
FROM unnest(%(document_ids)s::uuid[], %(document_versions)s::integer[])
     AS d (document_id, document_version)
ON CONFLICT DO NOTHING;

-- name: job_reader_documents :many
-- For a page of jobs shown to the acting principal (session_act_for): every document
-- the jobs' results cite (cited_ids, distinct) or their steps retrieved, whether the
-- reader may see it now (row level security on documents decides), what a citation
-- shows of it, and which of the jobs retrieved it. One statement for the whole page,
-- where resolving each job's citations and checking its retrieved documents took up
-- to three. The caller has scoped the jobs to the reader's tenant.
WITH retrieved AS (
    SELECT document_id, array_agg(DISTINCT job_id) AS job_ids
    FROM job_sources
    WHERE job_id = ANY(%(job_ids)s::uuid[])
    GROUP BY document_id
), wanted AS (
    SELECT coalesce(r.document_id, c.id) AS id,
           coalesce(r.job_ids, '{}'::uuid[]) AS retrieved_by
    FROM retrieved r
    FULL JOIN unnest(%(cited_ids)s::uuid[]) AS c (id) ON c.id = r.document_id
)
SELECT w.id, w.retrieved_by, d.id IS NOT NULL AS visible, d.title, d.url
FROM wanted w
LEFT JOIN documents d ON d.id = w.id;
