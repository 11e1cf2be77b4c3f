-- Secrets that sign event stream links (see migrations/0012_stream_links_follow_keys.sql).

-- name: stream_token_secret_list :many
-- The secrets that still verify links, newest first: the first one not retiring signs.
SELECT value, created_at, retires_at
FROM stream_token_secrets
WHERE retires_at IS NULL OR retires_at > clock_timestamp()
ORDER BY retires_at IS NOT NULL, created_at DESC, id DESC;

-- name: stream_token_secret_rotate :one
-- A new signing secret (32 random bytes); every secret still verifying retires after
-- the overlap (or earlier, if it was already due to), so links handed out until now
-- keep working that long. Returns when the previous secrets stop verifying (NULL: none).
WITH retiring AS (
    UPDATE stream_token_secrets
    SET retires_at = least(coalesce(retires_at, 'infinity'),
                           clock_timestamp() + %(overlap)s::interval)
    WHERE retires_at IS NULL OR retires_at > clock_timestamp()
    RETURNING retires_at
)
INSERT INTO stream_token_secrets (value)
VALUES (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()))
RETURNING created_at, (SELECT max(retires_at) FROM retiring) AS previous_retire_at;
