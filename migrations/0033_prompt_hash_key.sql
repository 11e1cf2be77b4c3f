-- 0033 stored prompt hashes are keyed by a secret of this installation.
--
-- llm_calls.prompt_hash identifies a prompt without storing it. The prompt is redacted
-- before hashing, but the redactor knows shapes (addresses, numbers, ids), not names or
-- a diagnosis: with a plain SHA-256, whoever can read llm_calls and guess all of a
-- prompt but one such detail could test guesses against the hash. An HMAC under a key
-- only the runtime role reads (never the auditor) makes the hash worthless without it,
-- and keeps equal prompts equal within the installation (app/llm/messages.py).
CREATE TABLE installation_keys (
    name text PRIMARY KEY,
    key bytea NOT NULL CHECK (octet_length(key) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE installation_keys IS
    'Random keys of this installation (prompt_hash: the HMAC key of llm_calls.prompt_hash); read by courier_runtime only.';

-- gen_random_uuid() draws from the server's strong random source: two give 244 random bits.
INSERT INTO installation_keys (name, key)
VALUES ('prompt_hash', uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));

GRANT SELECT ON installation_keys TO courier_runtime;

COMMENT ON COLUMN llm_calls.prompt_hash IS
    'HMAC-SHA-256 (hex) of the redacted prompt messages under installation_keys.prompt_hash (calls before migration 0033: plain SHA-256); the prompt itself is never stored.';
