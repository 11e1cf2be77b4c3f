-- Keys of this installation (migrations/0033_prompt_hash_key.sql).

-- name: installation_key :one
-- The key of this name, e.g. prompt_hash (the HMAC key of llm_calls.prompt_hash).
SELECT key FROM installation_keys WHERE name = %(name)s::text;
