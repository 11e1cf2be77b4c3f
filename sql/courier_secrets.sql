-- Shared secrets, generated once by a migration.

-- name: courier_secret_get :one
-- A shared secret by name.
SELECT value FROM courier_secrets WHERE name = %(name)s::text;
