-- Web console sessions (migrations/0023_console_sessions.sql): only the SHA-256 of
-- each session token is stored; the API key is looked up with the session on every
-- request, so a revoked key ends its sessions at once.

-- name: console_session_delete :exec
-- Sign-out: the session ends now.
DELETE FROM console_sessions WHERE token_hash = %(token_hash)s::bytea;

-- name: console_session_delete_expired :exec
-- Forget sessions that have ended (run at each sign-in; an expired session is
-- refused by console_session_principal anyway).
DELETE FROM console_sessions WHERE expires_at <= coalesce(%(now)s::timestamptz, now());

-- name: console_session_live_list :many
-- Which of these sessions (by token hash) are live still: the open streams of the
-- others end (checked when the LISTEN connection comes back, since a sign-out
-- notified while it was down is lost).
SELECT encode(token_hash, 'hex') AS session
FROM console_sessions
WHERE token_hash = ANY(%(token_hashes)s::bytea[])
  AND expires_at > now();

-- name: console_session_open :optional
-- Sign-in: a session for the live API key with this hash, ending after ttl_seconds;
-- no row for an unknown or revoked key.
SELECT key_id, expires_at
FROM courier_console_session_open_v1(%(key_hash)s::bytea, %(token_hash)s::bytea,
                                     make_interval(secs => %(ttl_seconds)s::float8));

-- name: console_session_principal :optional
-- The principal of a live session whose key is live (with that key's roles and
-- groups), or no row: unknown, expired, signed out, or its key revoked.
SELECT principal_id, tenant_id, external_id, acl_groups, roles, key_id, expires_at
FROM courier_console_session_principal_v1(%(token_hash)s::bytea);
