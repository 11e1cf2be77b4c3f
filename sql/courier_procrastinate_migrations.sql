-- courier_procrastinate_migrations: which of procrastinate's migration files this
-- database has applied (procrastinate records none itself).

-- name: courier_procrastinate_migration_insert :exec
-- Record an applied procrastinate migration file (nothing when already recorded).
INSERT INTO courier_procrastinate_migrations (name)
SELECT unnest(%(names)s::text[])
ON CONFLICT (name) DO NOTHING;

-- name: courier_procrastinate_migration_list :many
-- Every recorded procrastinate migration file, in the order they apply.
SELECT name, applied_at FROM courier_procrastinate_migrations ORDER BY name;
