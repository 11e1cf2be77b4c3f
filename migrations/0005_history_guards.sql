-- 0005 history guards: the audit trail cannot be wiped or forged from psql.
--
-- Row triggers (0001) already refuse UPDATE and DELETE of job_events and DELETE of
-- jobs; TRUNCATE bypasses row triggers, so it gets a statement trigger of its own.
-- A job event can only be the one the jobs trigger announced: its seq must be the
-- job's last_event_seq, which only an UPDATE of the job row advances.

CREATE FUNCTION courier_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% keeps the job history: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_ARGV[0];
END
$$;

CREATE TRIGGER jobs_no_truncate BEFORE TRUNCATE ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION courier_refuse_truncate('jobs_history_kept');
CREATE TRIGGER job_events_no_truncate BEFORE TRUNCATE ON job_events
    FOR EACH STATEMENT EXECUTE FUNCTION courier_refuse_truncate('job_events_append_only');

CREATE FUNCTION courier_job_events_check_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT last_event_seq FROM jobs WHERE id = NEW.job_id) THEN
        RAISE EXCEPTION 'job % : event % is not the next event of the job (events are written by the jobs trigger)',
            NEW.job_id, NEW.seq
            USING ERRCODE = 'check_violation', CONSTRAINT = 'job_events_seq_gapless';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER job_events_seq_gapless BEFORE INSERT ON job_events
    FOR EACH ROW EXECUTE FUNCTION courier_job_events_check_seq();
