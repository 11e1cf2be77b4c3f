-- 0006 rate limit retries: a retry of a request that already made its job takes
-- no token. courier_rate_limit_take_v2 sits beside v1 (style: old and new code can
-- run side by side during a deploy).

CREATE FUNCTION courier_rate_limit_take_v2(
    p_tenant_id uuid, p_idempotency_key text, p_default_rate double precision, p_default_burst integer,
    p_now timestamptz
) RETURNS TABLE (retried boolean, allowed boolean, retry_after_seconds double precision, tokens_left double precision)
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM jobs j WHERE j.tenant_id = p_tenant_id AND j.idempotency_key = p_idempotency_key) THEN
        RETURN QUERY SELECT true, true, 0::double precision, NULL::double precision;
        RETURN;
    END IF;
    RETURN QUERY
        SELECT false, t.allowed, t.retry_after_seconds, t.tokens_left
        FROM courier_rate_limit_take_v1(p_tenant_id, p_default_rate, p_default_burst, p_now) t;
END
$$;
COMMENT ON FUNCTION courier_rate_limit_take_v2(uuid, text, double precision, integer, timestamptz) IS
    'Token bucket for intake: a request whose Idempotency-Key already made a job is a retry (retried, no token); '
    'otherwise take one token (allowed) or say how long until one is available.';
