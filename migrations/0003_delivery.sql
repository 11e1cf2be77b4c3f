-- 0003 delivery: webhook endpoints, the transactional outbox and its delivery attempts,
-- a commit-ordered position on job events for the tenant-wide stream, and the
-- secret that signs stream links.
--
-- Outbox rows are written by a trigger on job_events, so every event that must be
-- pushed gets its rows in the same transaction as the event itself: no code path
-- can change a job without its deliveries being recorded.

CREATE TABLE courier_secrets (
    name        text PRIMARY KEY,
    value       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT courier_secrets_long_enough CHECK (length(value) >= 32)
);
COMMENT ON TABLE courier_secrets IS 'Secrets every API process shares, generated once (e.g. stream_token signs the short-lived event stream links).';

-- 32 random bytes from two random UUIDs (244 random bits; pgcrypto is not required).
INSERT INTO courier_secrets (name, value)
VALUES ('stream_token', uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));

CREATE FUNCTION courier_webhook_secret() RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT 'whsec_' || encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()), 'base64')
$$;
COMMENT ON FUNCTION courier_webhook_secret() IS 'A new Standard Webhooks signing secret: whsec_ + base64 of 32 random bytes.';

-- Commit order for the tenant-wide stream: a reader only returns events whose
-- transaction is older than every transaction still running (pg_snapshot_xmin),
-- ordered by (xid, position), so a slow transaction's event is never skipped.
ALTER TABLE job_events
    ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ADD COLUMN position bigint GENERATED ALWAYS AS IDENTITY;
COMMENT ON COLUMN job_events.xid IS 'Transaction that wrote the event; with position, the cursor of the tenant-wide stream.';
COMMENT ON COLUMN job_events.position IS 'Insertion order across all jobs (not commit order: see xid).';
CREATE INDEX job_events_tenant_stream ON job_events (tenant_id, xid, position);

CREATE TABLE webhook_endpoints (
    id                          uuid PRIMARY KEY DEFAULT courier_uuid_v7(),
    tenant_id                   uuid NOT NULL REFERENCES tenants (id),
    url                         text NOT NULL,
    description                 text NOT NULL DEFAULT '',
    event_types                 text[],
    include_result              boolean NOT NULL DEFAULT false,
    secret                      text NOT NULL DEFAULT courier_webhook_secret(),
    previous_secret             text,
    previous_secret_expires_at  timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    disabled_at                 timestamptz,
    disabled_reason             text,
    deleted_at                  timestamptz,
    CONSTRAINT webhook_endpoints_url_format CHECK (url ~ '^https?://' AND length(url) <= 2000),
    CONSTRAINT webhook_endpoints_secret_format CHECK (secret LIKE 'whsec\_%'),
    CONSTRAINT webhook_endpoints_event_types_known CHECK (
        event_types IS NULL OR event_types <@ ARRAY[
            'job.queued', 'job.running', 'job.needs_review', 'job.succeeded',
            'job.failed', 'job.cancelled', 'job.expired']::text[]),
    CONSTRAINT webhook_endpoints_previous_secret_expires CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL)),
    CONSTRAINT webhook_endpoints_disabled_has_reason CHECK ((disabled_at IS NULL) = (disabled_reason IS NULL))
);
COMMENT ON TABLE webhook_endpoints IS 'A tenant''s webhook destinations; each gets every subscribed job event, signed with its own whsec_ secret.';
COMMENT ON COLUMN webhook_endpoints.event_types IS 'Subscribed event types (job.succeeded, ...); NULL means all.';
COMMENT ON COLUMN webhook_endpoints.include_result IS 'Send the job result (or error) in the payload instead of a thin notification.';
COMMENT ON COLUMN webhook_endpoints.previous_secret IS 'After a rotation the old secret also signs until previous_secret_expires_at.';
COMMENT ON COLUMN webhook_endpoints.disabled_at IS 'Set when the receiver answered 410 Gone; nothing more is sent.';
CREATE INDEX webhook_endpoints_tenant_live ON webhook_endpoints (tenant_id) WHERE disabled_at IS NULL AND deleted_at IS NULL;

CREATE TABLE callback_secrets (
    tenant_id                   uuid PRIMARY KEY REFERENCES tenants (id),
    secret                      text NOT NULL DEFAULT courier_webhook_secret(),
    previous_secret             text,
    previous_secret_expires_at  timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT callback_secrets_previous_secret_expires CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
);
COMMENT ON TABLE callback_secrets IS 'The secret that signs webhooks sent to jobs'' callback_url, one per tenant.';

CREATE TYPE outbox_status AS ENUM ('pending', 'delivered', 'failed', 'cancelled');

CREATE TABLE outbox (
    id               bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    event_id         text NOT NULL,
    event_type       text NOT NULL,
    job_id           uuid REFERENCES jobs (id),
    seq              integer,
    endpoint_id      uuid REFERENCES webhook_endpoints (id),
    status           outbox_status NOT NULL DEFAULT 'pending',
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    claim            uuid,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    delivered_at     timestamptz,
    last_error       text,
    CONSTRAINT outbox_one_row_per_destination UNIQUE NULLS NOT DISTINCT (event_id, endpoint_id),
    CONSTRAINT outbox_job_event CHECK ((job_id IS NULL) = (seq IS NULL)),
    CONSTRAINT outbox_has_destination CHECK (endpoint_id IS NOT NULL OR job_id IS NOT NULL),
    CONSTRAINT outbox_delivered_iff_delivered_at CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    CONSTRAINT outbox_pending_is_claimable CHECK (status = 'pending' OR claim IS NULL)
);
COMMENT ON TABLE outbox IS 'One row per (event, push destination), written in the transaction of the event; the relay claims pending rows with FOR UPDATE SKIP LOCKED.';
COMMENT ON COLUMN outbox.event_id IS 'The webhook-id header: one per event, the same on every retry so receivers can drop duplicates.';
COMMENT ON COLUMN outbox.endpoint_id IS 'The tenant webhook endpoint; NULL means the job''s callback_url.';
COMMENT ON COLUMN outbox.next_attempt_at IS 'When the row may be (re)tried; while claimed, when the claim lapses.';
COMMENT ON COLUMN outbox.claim IS 'Token of the relay delivering the row; its result is recorded only under that token.';
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_job ON outbox (job_id, seq);
CREATE INDEX outbox_endpoint_recent ON outbox (endpoint_id, id DESC);

CREATE TABLE outbox_attempts (
    outbox_id    bigint NOT NULL REFERENCES outbox (id),
    attempt      integer NOT NULL,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    started_at   timestamptz NOT NULL,
    latency_ms   integer NOT NULL,
    status_code  integer,
    outcome      text NOT NULL,
    error        text,
    PRIMARY KEY (outbox_id, attempt),
    CONSTRAINT outbox_attempts_outcome_known CHECK (outcome IN ('delivered', 'retry', 'failed', 'gone', 'refused'))
);
COMMENT ON TABLE outbox_attempts IS 'Every delivery attempt: HTTP status (NULL when no answer), latency, outcome and error.';
COMMENT ON COLUMN outbox_attempts.outcome IS 'delivered (2xx), retry (will try again), failed (gave up), gone (410: endpoint disabled), refused (destination not allowed, will retry).';

-- One outbox row per destination of a job event: the job's callback_url, and every
-- live endpoint of the tenant subscribed to the event type. Notifies the relay at commit.
CREATE FUNCTION courier_job_events_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    event_type text := 'job.' || NEW.type;
    event_id text := 'evt_' || replace(NEW.job_id::text, '-', '') || '_' || NEW.seq;
    written integer;
BEGIN
    INSERT INTO outbox (tenant_id, event_id, event_type, job_id, seq, endpoint_id)
    SELECT NEW.tenant_id, event_id, event_type, NEW.job_id, NEW.seq, NULL
    FROM jobs j
    WHERE j.id = NEW.job_id AND j.callback_url IS NOT NULL
    UNION ALL
    SELECT NEW.tenant_id, event_id, event_type, NEW.job_id, NEW.seq, e.id
    FROM webhook_endpoints e
    WHERE e.tenant_id = NEW.tenant_id
      AND e.disabled_at IS NULL AND e.deleted_at IS NULL
      AND (e.event_types IS NULL OR event_type = ANY (e.event_types));
    GET DIAGNOSTICS written = ROW_COUNT;
    IF written > 0 THEN
        -- Identical payloads fold into one notification per transaction.
        PERFORM pg_notify('courier_outbox', '');
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER job_events_outbox AFTER INSERT ON job_events
    FOR EACH ROW EXECUTE FUNCTION courier_job_events_outbox();

CREATE VIEW webhook_deliveries AS
SELECT o.id AS outbox_id, o.tenant_id, o.event_id, o.event_type, o.job_id, o.seq,
       o.endpoint_id, coalesce(e.url, j.callback_url) AS url,
       o.status, o.attempts, o.next_attempt_at, o.delivered_at, o.last_error,
       a.attempt, a.started_at, a.latency_ms, a.status_code, a.outcome, a.error
FROM outbox o
LEFT JOIN webhook_endpoints e ON e.id = o.endpoint_id
LEFT JOIN jobs j ON j.id = o.job_id
LEFT JOIN outbox_attempts a ON a.outbox_id = o.id;
COMMENT ON VIEW webhook_deliveries IS 'Every webhook delivery and each of its attempts (one row per attempt; attempt NULL while none was made).';
