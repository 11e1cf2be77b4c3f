-- 0013 outbox destinations: one failing receiver does not slow delivery for everyone.
--
-- Before, the relay's claim walked every pending row due by its own retry time and
-- skipped those behind an earlier undelivered event of the same job: rows queued
-- behind a failing receiver were scanned again on every claim, and every one of a
-- failing receiver's rows was tried in turn before a healthy tenant's.
--
-- Now a claim only reads rows it can take:
-- * A row behind an earlier event of its job still pending for the same
--   destination is `held` (out of the claim's index) and released when that event
--   is settled, so a receiver still gets a job's events in order.
-- * Each destination (a tenant's URL: an endpoint, or a callback_url) has a state.
--   When it fails (timeout, connection error, 5xx, 429, refused), it is paused: one
--   row (the probe) is retried at the next backoff time, every other row of it
--   waits until the probe has had its answer; a success (also of a test send, which
--   is not held back) ends the pause. Rows of a paused destination are not due, so
--   they are not read by the claim either.

CREATE TABLE outbox_destinations (
    id             bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    url            text NOT NULL,
    url_hash       bytea NOT NULL,
    failures       integer NOT NULL DEFAULT 0,
    failing_since  timestamptz,
    probe_at       timestamptz,
    paused_until   timestamptz,
    CONSTRAINT outbox_destinations_one_per_url UNIQUE (tenant_id, url_hash),
    CONSTRAINT outbox_destinations_failing_since CHECK ((failures = 0) = (failing_since IS NULL)),
    CONSTRAINT outbox_destinations_paused_while_failing CHECK (
        (probe_at IS NULL) = (paused_until IS NULL) AND (paused_until IS NULL OR failures > 0))
);
COMMENT ON TABLE outbox_destinations IS 'Where webhooks go (a tenant''s URL: an endpoint or a job callback_url) and whether it is failing; a failing destination is paused so its backlog waits without slowing anyone else.';
COMMENT ON COLUMN outbox_destinations.url_hash IS 'SHA-256 of url: the unique key (a URL may be longer than an index entry).';
COMMENT ON COLUMN outbox_destinations.failures IS 'Pauses in a row (each a failed probe); 0 while the destination answers. Sets the backoff of the next probe.';
COMMENT ON COLUMN outbox_destinations.failing_since IS 'When the current run of failures began; NULL while healthy.';
COMMENT ON COLUMN outbox_destinations.probe_at IS 'While paused: when the failed row (the probe) is tried again.';
COMMENT ON COLUMN outbox_destinations.paused_until IS 'While paused: no other row of the destination is tried before this (the probe answers first).';

-- The destination of a (tenant, url), created on first use.
CREATE FUNCTION courier_outbox_destination_v1(p_tenant_id uuid, p_url text) RETURNS outbox_destinations
LANGUAGE plpgsql AS $$
DECLARE
    key bytea := sha256(convert_to(p_url, 'UTF8'));
    destination outbox_destinations;
BEGIN
    SELECT * INTO destination FROM outbox_destinations WHERE tenant_id = p_tenant_id AND url_hash = key;
    IF NOT FOUND THEN
        INSERT INTO outbox_destinations (tenant_id, url, url_hash) VALUES (p_tenant_id, p_url, key)
        ON CONFLICT ON CONSTRAINT outbox_destinations_one_per_url DO NOTHING
        RETURNING * INTO destination;
        IF NOT FOUND THEN  -- a concurrent transaction made it first
            SELECT * INTO destination FROM outbox_destinations
            WHERE tenant_id = p_tenant_id AND url_hash = key;
        END IF;
    END IF;
    RETURN destination;
END
$$;
COMMENT ON FUNCTION courier_outbox_destination_v1(uuid, text) IS 'The outbox destination of a tenant''s URL, created on first use.';

ALTER TABLE outbox
    ADD COLUMN destination_id bigint REFERENCES outbox_destinations (id),
    ADD COLUMN held boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN outbox.destination_id IS 'Where the row goes and whether that is failing (NULL only on rows settled before destinations existed).';
COMMENT ON COLUMN outbox.held IS 'Behind an earlier event of the same job still pending for the same destination: not claimable until that one is settled.';

-- Rows still to deliver get their destination and their place in line.
INSERT INTO outbox_destinations (tenant_id, url, url_hash)
SELECT DISTINCT o.tenant_id, coalesce(e.url, j.callback_url, ''),
       sha256(convert_to(coalesce(e.url, j.callback_url, ''), 'UTF8'))
FROM outbox o
LEFT JOIN webhook_endpoints e ON e.id = o.endpoint_id
LEFT JOIN jobs j ON j.id = o.job_id
WHERE o.status = 'pending';
WITH targets AS (
    SELECT o.id, d.id AS destination_id
    FROM outbox o
    LEFT JOIN webhook_endpoints e ON e.id = o.endpoint_id
    LEFT JOIN jobs j ON j.id = o.job_id
    JOIN outbox_destinations d
      ON d.tenant_id = o.tenant_id
     AND d.url_hash = sha256(convert_to(coalesce(e.url, j.callback_url, ''), 'UTF8'))
    WHERE o.status = 'pending'
)
UPDATE outbox o
SET destination_id = t.destination_id,
    held = o.job_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM outbox earlier
        WHERE earlier.job_id = o.job_id
          AND earlier.endpoint_id IS NOT DISTINCT FROM o.endpoint_id
          AND earlier.seq < o.seq
          AND earlier.status = 'pending')
FROM targets t
WHERE o.id = t.id;

ALTER TABLE outbox ADD CONSTRAINT outbox_pending_has_destination
    CHECK (status <> 'pending' OR destination_id IS NOT NULL);

-- What the claim reads: due rows that may be taken, oldest first, and nothing else.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending' AND NOT held;
-- A destination's rows that wait their turn, to hold them back while it is paused.
CREATE INDEX outbox_destination_waiting ON outbox (destination_id, next_attempt_at)
    WHERE status = 'pending' AND NOT held;

-- Every new row: its destination, its place behind the job's earlier events, and
-- (a job's event) no earlier than the end of its destination's pause.
CREATE FUNCTION courier_outbox_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    target text;
    destination outbox_destinations;
BEGIN
    IF NEW.endpoint_id IS NOT NULL THEN
        SELECT url INTO target FROM webhook_endpoints WHERE id = NEW.endpoint_id;
    ELSE
        SELECT callback_url INTO target FROM jobs WHERE id = NEW.job_id;
    END IF;
    destination := courier_outbox_destination_v1(NEW.tenant_id, coalesce(target, ''));
    NEW.destination_id := destination.id;
    -- A test send (no job) goes at once even to a paused destination: it is how a
    -- tenant checks a mended receiver, and its success ends the pause.
    IF NEW.job_id IS NOT NULL THEN
        NEW.next_attempt_at := greatest(NEW.next_attempt_at, destination.paused_until);
    END IF;
    NEW.held := NEW.job_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM outbox earlier
        WHERE earlier.job_id = NEW.job_id
          AND earlier.endpoint_id IS NOT DISTINCT FROM NEW.endpoint_id
          AND earlier.seq < NEW.seq
          AND earlier.status = 'pending');
    RETURN NEW;
END
$$;
CREATE TRIGGER outbox_before_insert BEFORE INSERT ON outbox
    FOR EACH ROW EXECUTE FUNCTION courier_outbox_before_insert();

-- When a job's row for a destination is settled (delivered, failed, cancelled), the
-- job's next event for that destination takes its place.
CREATE FUNCTION courier_outbox_release_next() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- A transaction changing the job may be writing its next event right now, held
    -- behind this row it saw pending: wait for it to commit (the job row is locked
    -- while it runs), so the next statement sees that row. A transaction that
    -- starts later sees this row settled and holds nothing behind it.
    PERFORM 1 FROM jobs WHERE id = NEW.job_id FOR SHARE;
    UPDATE outbox o
    SET held = false,
        next_attempt_at = greatest(o.next_attempt_at, d.paused_until)
    FROM outbox_destinations d
    WHERE o.id = (
            SELECT n.id FROM outbox n
            WHERE n.job_id = NEW.job_id
              AND n.endpoint_id IS NOT DISTINCT FROM NEW.endpoint_id
              AND n.status = 'pending'
              AND n.held
            ORDER BY n.seq
            LIMIT 1)
      AND d.id = o.destination_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_release_next AFTER UPDATE OF status ON outbox
    FOR EACH ROW
    WHEN (OLD.status = 'pending' AND NEW.status <> 'pending' AND NOT OLD.held AND OLD.job_id IS NOT NULL)
    EXECUTE FUNCTION courier_outbox_release_next();
