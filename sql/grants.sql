-- Privileges of courier_runtime, the role API, workers and relays run as
-- (migrations/0007_runtime_role.sql creates it). Replayed by every `courier
-- migrate` after procrastinate's schema, so a table added since is granted too;
-- grants are idempotent. Everything not named here is refused, in particular:
-- api_keys (authentication goes through courier_api_key_principal_v1), the
-- migration ledger, DDL, TRUNCATE, and DELETE on Courier's own tables.

DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO courier_runtime', current_schema());
END
$$;

-- Read-only: who is asking, what may happen to a job, the shared secrets.
GRANT SELECT ON tenants, principals, job_state_transitions, courier_secrets TO courier_runtime;

-- The job history is append-only (triggers refuse UPDATE and DELETE of events);
-- jobs are inserted by intake and moved through their lifecycle, never deleted.
GRANT SELECT, INSERT, UPDATE ON jobs, outbox, outbox_destinations, webhook_endpoints, callback_secrets,
    tenant_rate_buckets
    TO courier_runtime;
GRANT SELECT, INSERT ON job_events, outbox_attempts TO courier_runtime;

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
