-- 0008 procrastinate migrations: procrastinate ships its schema changes as SQL
-- files (procrastinate/sql/migrations) and leaves it to its users to record
-- which ones a database has. Courier records them here: `courier migrate` applies
-- the files the installed procrastinate has and the database lacks, and the API
-- and workers refuse to start against a queue schema they do not match
-- (app/migrate.py). Rows are written by `courier migrate` only.

CREATE TABLE courier_procrastinate_migrations (
    name        text PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE courier_procrastinate_migrations IS
    'Which files of procrastinate''s sql/migrations this database has applied (procrastinate records none itself); written by `courier migrate`.';
COMMENT ON COLUMN courier_procrastinate_migrations.name IS
    'File name, e.g. 03.04.00_01_pre_add_retry_failed_job_procedure.sql: the procrastinate version, a serial number, pre (safe before the code upgrade) or post (after it; unmarked old files are post).';
