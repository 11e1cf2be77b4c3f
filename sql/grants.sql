-- Privileges of courier_runtime, the role API, workers and relays run as
-- (migrations/0007_runtime_role.sql creates it). Replayed by every `courier
-- migrate` after procrastinate's schema, so a table added since is granted too;
-- grants are idempotent. Everything not named here is refused, in particular:
-- api_keys (authentication goes through courier_api_key_principal_v2, stream links
-- through courier_api_keys_live_v1), the migration ledger, DDL, TRUNCATE, and
-- DELETE on Courier's own tables (but for model answers kept for reuse, which are
-- not history: cache entries are evicted and expire, checkpoints go with their
-- job's purged input and result).

DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO courier_runtime', current_schema());
    -- Not even temporary tables: PUBLIC may create them by default.
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;

-- Read-only: who is asking, what may happen to a job, the shared secrets, which
-- migrations are applied (processes refuse to start on a schema they do not match),
-- the budgets and prompt policies an operator set (`courier budget set`,
-- `courier prompts pin|split`) and the stream link secrets (rotating them is an
-- operator's action).
GRANT SELECT ON tenants, principals, job_state_transitions, courier_secrets, courier_migrations,
    tenant_budgets, prompt_policies, stream_token_secrets
    TO courier_runtime;
-- Start-up checks compare the queue schema with the installed procrastinate (app/migrate.py).
GRANT SELECT ON courier_procrastinate_migrations TO courier_runtime;

-- The job history is append-only (triggers refuse UPDATE and DELETE of events);
-- jobs are inserted by intake and moved through their lifecycle, never deleted.
GRANT SELECT, INSERT, UPDATE ON jobs, outbox, outbox_destinations, webhook_endpoints, callback_secrets,
    tenant_rate_buckets
    TO courier_runtime;
GRANT SELECT, INSERT ON job_events, outbox_attempts TO courier_runtime;
-- What a job retrieved withholds its result from readers: recorded, never changed.
GRANT SELECT, INSERT ON job_sources TO courier_runtime;

-- Model calls are paid for: the runtime records them and can neither read nor
-- change the ledger (triggers refuse UPDATE and DELETE for everyone). Checkpoints
-- are written once and purged with their job's input; budgets move by reservation
-- and settlement; the cache is replaced when an entry expires, evicted, and purged.
GRANT INSERT ON llm_calls TO courier_runtime;
GRANT SELECT, INSERT, DELETE ON llm_checkpoints TO courier_runtime;
GRANT SELECT, INSERT, UPDATE ON tenant_budget_months, budget_reservations TO courier_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON llm_cache TO courier_runtime;

-- procrastinate's queue: the worker inserts, takes, finishes and deletes its rows.
GRANT SELECT, INSERT, UPDATE, DELETE
    ON procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers
    TO courier_runtime;
DO $$
DECLARE
    seq record;
BEGIN
    FOR seq IN
        SELECT c.relname FROM pg_class c
        WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace
          AND c.relname LIKE 'procrastinate\_%'
    LOOP
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO courier_runtime', seq.relname);
    END LOOP;
END
$$;

-- The model layer: a 429 pauses a provider for every process (app/llm/pauses.py).
GRANT SELECT, INSERT, UPDATE ON provider_pauses TO courier_runtime;

-- Retrieval: documents are managed (and deleted) through the API; row level security
-- (forced) decides which rows a transaction sees. Embedding models are global.
GRANT SELECT, INSERT, UPDATE, DELETE ON documents, chunks, chunk_embeddings TO courier_runtime;
GRANT SELECT, INSERT, UPDATE ON embedding_models TO courier_runtime;
-- Written by triggers as the owner; read by search (its own groups' counts only).
GRANT SELECT ON chunk_acl_counts TO courier_runtime;
-- Written by triggers as the owner (the acting tenant's rows); read by search.
GRANT SELECT ON chunk_embedding_codes TO courier_runtime;

-- Human review: decisions are recorded once; retention clears their outputs (a
-- trigger refuses any other change, and DELETE).
GRANT SELECT, INSERT, UPDATE ON reviews TO courier_runtime;

-- Web console sessions: opened and resolved through SECURITY DEFINER functions
-- (migrations/0023), deleted by sign-out and when they expire (SELECT: DELETE needs
-- it for its WHERE; the table holds only hashes of random tokens). No UPDATE: a
-- session never changes.
GRANT SELECT, DELETE ON console_sessions TO courier_runtime;
