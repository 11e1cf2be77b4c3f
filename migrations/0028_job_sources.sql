-- 0028 which documents each job's steps retrieved.
--
-- The API withheld a result from a reader only when its citations named a document
-- the reader may not see; a model may use a retrieved chunk's text and cite another
-- source (or none), and that answer was shown to every reader of the tenant. The
-- worker now records each document (and version) a job retrieved before any model
-- sees its text, so every channel that delivers a result can withhold it from a
-- reader who cannot read each of them now (app/jobs/service.py ``_as_reader``, the
-- review view, the webhook payload).
CREATE TABLE job_sources (
    job_id            uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    -- No reference to documents: a deleted document still withholds what was
    -- written from it (no reader can be shown to reach it any more).
    document_id       uuid NOT NULL,
    document_version  integer NOT NULL,
    retrieved_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, document_id, document_version)
);
COMMENT ON TABLE job_sources IS
    'The documents (and versions) a job''s steps retrieved, recorded before the model saw them: a reader sees the job''s result only if it may read every one of them now.';

