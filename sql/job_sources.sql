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
