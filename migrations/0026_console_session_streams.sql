-- 0026 a console session's live stream ends with the session: signing out (the row is
-- deleted) tells every API process at once, on the LISTEN connection it already holds,
-- as revoking a key does (0012); an expiring session's stream ends at its expires_at
-- by a timer in the process (app/delivery/sse.py), which needs no notification.
--
-- The payload is the hex SHA-256 of the session token (the row's key): it names the
-- session without being usable as one (the cookie holds the token, not its hash).

CREATE FUNCTION courier_console_sessions_notify_ended() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('courier_console_sessions_ended', encode(OLD.token_hash, 'hex'));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION courier_console_sessions_notify_ended() IS
    'Notifies courier_console_sessions_ended with the hex SHA-256 of a console session token when its session row is deleted (sign-out, cleanup): API processes end its live streams.';
CREATE TRIGGER console_sessions_notify_ended
    AFTER DELETE ON console_sessions
    FOR EACH ROW EXECUTE FUNCTION courier_console_sessions_notify_ended();
