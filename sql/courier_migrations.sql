-- courier_migrations: which files of migrations/ this database has applied.

-- name: courier_migration_ensure_table :exec
-- Create the bookkeeping table on a new database.
CREATE TABLE IF NOT EXISTS courier_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- name: courier_migration_insert :exec
-- Record an applied migration file and the SHA-256 of its text.
INSERT INTO courier_migrations (version, name, checksum)
VALUES (%(version)s::integer, %(name)s::text, %(checksum)s::text);

-- name: courier_migration_list :many
-- Every applied migration, oldest first.
SELECT version, name, checksum, applied_at FROM courier_migrations ORDER BY version;

-- name: courier_migration_lock :exec
-- Serialise migrators: a session advisory lock held while migrating.
SELECT pg_advisory_lock(hashtext('courier_migrations'));

-- name: courier_migration_procrastinate_installed :one
-- Whether procrastinate's schema is present.
SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS installed;

-- name: courier_migration_table_exists :one
-- Whether this database was ever migrated.
SELECT to_regclass('courier_migrations') IS NOT NULL AS exists;

-- name: courier_migration_unlock :exec
-- Release the migrators' advisory lock.
SELECT pg_advisory_unlock(hashtext('courier_migrations'));
