-- The documents each job's steps retrieved (migrations/0028_job_sources.sql): the
-- worker records them before a model sees their text; every channel that delivers a
-- result withholds it from a reader who cannot read each of them now.

-- name: job_reader_documents :many
-- For a page of jobs shown to a reader, in one autocommitted statement acting for
-- the reader (courier_job_reader_documents, migrations/0032): every document the
-- jobs' results cite (cited_ids) or their steps retrieved, whether the reader may see
-- it now (row level security on documents decides), what a citation shows of it, and
-- which of the jobs retrieved it. The caller has scoped the jobs to the reader's tenant.
SELECT id, retrieved_by, visible, title, url
FROM courier_job_reader_documents(%(tenant_id)s::uuid, %(user_id)s::uuid, %(groups)s::text[],
                                  %(job_ids)s::uuid[], %(cited_ids)s::uuid[]);

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
