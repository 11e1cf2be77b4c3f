-- Provider pauses: a model provider that answered 429 is not called by any worker
-- process before paused_until (app/llm/pauses.py).

-- name: provider_pause_extend :one
-- Pause a provider for `seconds` from now, or keep its pause if that already lasts
-- longer (concurrent 429s never shorten a pause); returns how long it now lasts.
INSERT INTO provider_pauses AS p (provider, paused_until, reason)
VALUES (%(provider)s::text, clock_timestamp() + make_interval(secs => %(seconds)s::double precision),
        %(reason)s::text)
ON CONFLICT (provider) DO UPDATE
SET paused_until = greatest(p.paused_until, excluded.paused_until),
    reason = CASE WHEN excluded.paused_until > p.paused_until THEN excluded.reason ELSE p.reason END,
    updated_at = clock_timestamp()
RETURNING extract(epoch FROM paused_until - clock_timestamp())::double precision AS remaining_seconds;

-- name: provider_pause_list :many
-- Every provider paused now, with the seconds until it may be called again.
SELECT provider, extract(epoch FROM paused_until - clock_timestamp())::double precision AS remaining_seconds
FROM provider_pauses
WHERE paused_until > clock_timestamp();

-- name: provider_pause_remaining :optional
-- Seconds until a provider may be called again; no row when it is not paused.
SELECT extract(epoch FROM paused_until - clock_timestamp())::double precision AS remaining_seconds
FROM provider_pauses
WHERE provider = %(provider)s::text AND paused_until > clock_timestamp();
