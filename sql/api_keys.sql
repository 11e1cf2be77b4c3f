-- API keys: bearer credentials, stored only as SHA-256 hashes. A key's roles and
-- groups are its own, fixed when it is made (migrations/0009_key_rights_and_replay_origin.sql).

-- name: api_key_authenticate :one
-- The principal behind a live key, with that key's roles and groups, looked up by
-- the key's hash through the one function the runtime role may read api_keys with
-- (it cannot list the hashes).
SELECT principal_id, tenant_id, external_id, acl_groups, roles, key_id
FROM courier_api_key_principal_v2(%(key_hash)s::bytea);

-- name: api_key_insert :one
-- Record a new key for a principal, with its own roles and groups.
INSERT INTO api_keys (key_id, key_hash, tenant_id, principal_id, acl_groups, roles)
VALUES (%(key_id)s::text, %(key_hash)s::bytea, %(tenant_id)s::uuid, %(principal_id)s::uuid,
        %(acl_groups)s::text[], %(roles)s::text[])
RETURNING id, key_id, acl_groups, roles, created_at;

-- name: api_key_is_live :one
-- Whether the key with this hash exists and is not revoked.
SELECT EXISTS (SELECT 1 FROM courier_api_key_principal_v2(%(key_hash)s::bytea)) AS live;

-- name: api_key_live_list :many
-- Which of these key_ids belong to live keys, with their tenant (stream links and
-- open streams end with their key).
SELECT key_id, tenant_id FROM courier_api_keys_live_v1(%(key_ids)s::text[]);

-- name: api_key_revoke :one
-- Revoke a key by its public key_id; revoking twice keeps the first time
-- (already_revoked tells the two apart: now() is this transaction's start).
UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
WHERE key_id = %(key_id)s::text
RETURNING key_id, revoked_at, revoked_at < now() AS already_revoked;
