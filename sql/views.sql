-- DBA views: replayed by `courier migrate` after the numbered migrations, in one
-- transaction (app/migrate.py). Each view is documented with COMMENT ON VIEW and
-- COMMENT ON COLUMN so `\dv+` and `\d+ <view>` in psql explain it.
--
-- Views only read tables; drop and recreate them here freely (grants included).

DROP VIEW IF EXISTS job_timeline;
CREATE VIEW job_timeline AS
SELECT e.job_id, e.seq, j.tenant_id, t.slug AS tenant, j.kind, e.type, e.state, e.attempt,
       e.data, e.actor, e.created_at
FROM job_events e
JOIN jobs j ON j.id = e.job_id
JOIN tenants t ON t.id = j.tenant_id;
COMMENT ON VIEW job_timeline IS 'Every event of every job, oldest first per job: the audit trail with tenant and kind.';
COMMENT ON COLUMN job_timeline.seq IS 'Gapless per job, starting at 1 (the queued event).';
COMMENT ON COLUMN job_timeline.type IS 'The state entered, or a note type.';
COMMENT ON COLUMN job_timeline.actor IS 'principal:<id>, worker:<host:pid>, or the database user who typed the change.';
