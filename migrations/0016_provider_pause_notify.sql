-- 0016 every change of a provider pause is announced on courier_provider_pauses.
--
-- Worker processes keep the pauses in memory while they LISTEN on the channel
-- (app/llm/pauses.py) instead of reading provider_pauses before every model call:
-- a 429 written by one process reaches the others as the notification of its
-- commit. The payload is the provider; a listener re-reads its row. A DBA's
-- INSERT, UPDATE or DELETE is announced the same way.
CREATE FUNCTION courier_provider_pause_announce() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('courier_provider_pauses', coalesce(NEW.provider, OLD.provider));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION courier_provider_pause_announce() IS
    'NOTIFY courier_provider_pauses with the provider whose pause changed (workers keep pauses in memory while they listen).';

CREATE TRIGGER provider_pauses_announce AFTER INSERT OR UPDATE OR DELETE ON provider_pauses
    FOR EACH ROW EXECUTE FUNCTION courier_provider_pause_announce();
