-- 0011 llm ledger: what every model call cost, the answers a retry reuses, a
-- tenant-safe exact-match cache, and monthly budgets that hold under concurrency.
--
-- A call's life (app/llm/ledger.py): reserve its worst-case cost (one statement,
-- courier_budget_reserve_v1, that refuses a reservation the budget cannot cover),
-- call the provider without holding a connection, then settle in one transaction:
-- the llm_calls row, the real cost replacing the reservation, the job's totals
-- (while it is open), the step's checkpoint and the cache entry.

-- Append-only: one row per model call, including calls of an execution that lost
-- its lease (they were paid for) and cache hits (at zero cost).
CREATE TABLE llm_calls (
    id                   uuid PRIMARY KEY DEFAULT courier_uuid_v7(),
    job_id               uuid NOT NULL REFERENCES jobs (id),
    tenant_id            uuid NOT NULL REFERENCES tenants (id),
    attempt              integer NOT NULL,
    step                 text NOT NULL,
    kind                 text NOT NULL,
    model                text NOT NULL,
    prompt_version       text NOT NULL,
    prompt_hash          text NOT NULL,
    input_tokens         integer NOT NULL DEFAULT 0,
    cached_input_tokens  integer NOT NULL DEFAULT 0,
    output_tokens        integer NOT NULL DEFAULT 0,
    reasoning_tokens     integer NOT NULL DEFAULT 0,
    cost_usd             numeric(18, 10) NOT NULL DEFAULT 0,
    latency_ms           double precision NOT NULL DEFAULT 0,
    outcome              text NOT NULL,
    reservation_id       uuid,
    created_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT llm_calls_reservation_unique UNIQUE (reservation_id),
    CONSTRAINT llm_calls_attempt_positive CHECK (attempt >= 1),
    CONSTRAINT llm_calls_step_format CHECK (length(step) BETWEEN 1 AND 200),
    CONSTRAINT llm_calls_prompt_hash_format CHECK (prompt_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT llm_calls_tokens_non_negative CHECK (
        input_tokens >= 0 AND cached_input_tokens >= 0 AND output_tokens >= 0 AND reasoning_tokens >= 0
    ),
    CONSTRAINT llm_calls_cached_within_input CHECK (cached_input_tokens <= input_tokens),
    CONSTRAINT llm_calls_reasoning_within_output CHECK (reasoning_tokens <= output_tokens),
    CONSTRAINT llm_calls_cost_non_negative CHECK (cost_usd >= 0),
    CONSTRAINT llm_calls_latency_non_negative CHECK (latency_ms >= 0),
    CONSTRAINT llm_calls_outcome_known CHECK (
        outcome IN ('ok', 'refused', 'invalid_output', 'provider_error', 'timeout', 'cache_hit')
    ),
    CONSTRAINT llm_calls_cache_hit_is_free CHECK (outcome <> 'cache_hit' OR cost_usd = 0)
);
COMMENT ON TABLE llm_calls IS 'One row per model call (append-only): job, attempt, step, model, tokens by type, cost, latency, outcome, prompt version and a hash of the prompt, never the prompt. Calls of an execution that lost its lease count too.';
COMMENT ON COLUMN llm_calls.attempt IS 'The job execution (jobs.attempt) that made the call.';
COMMENT ON COLUMN llm_calls.step IS 'The step of the job the call served (e.g. generate, generate.repair); (job_id, step) names its checkpoint.';
COMMENT ON COLUMN llm_calls.model IS 'The model asked (e.g. gpt-4.1-mini), or extractive.';
COMMENT ON COLUMN llm_calls.prompt_hash IS 'SHA-256 (hex) of the redacted prompt messages; the prompt itself is never stored.';
COMMENT ON COLUMN llm_calls.input_tokens IS 'Prompt tokens, including cached_input_tokens.';
COMMENT ON COLUMN llm_calls.cached_input_tokens IS 'Of input_tokens, those served from the provider''s prompt cache (priced at the cached-input price).';
COMMENT ON COLUMN llm_calls.output_tokens IS 'Completion tokens, including reasoning_tokens.';
COMMENT ON COLUMN llm_calls.reasoning_tokens IS 'Of output_tokens, those spent on reasoning (priced as output).';
COMMENT ON COLUMN llm_calls.cost_usd IS 'What the call cost in US dollars, from the price table in settings at the time of the call; 0 for cache hits and extractive.';
COMMENT ON COLUMN llm_calls.latency_ms IS 'Milliseconds from the request to the answer or the failure; 0 for cache hits.';
COMMENT ON COLUMN llm_calls.outcome IS 'ok, refused, invalid_output, provider_error, timeout, or cache_hit (answered from llm_cache, no provider call).';
COMMENT ON COLUMN llm_calls.reservation_id IS 'The budget reservation the call settled (budget_reservations.id); NULL for cache hits.';
CREATE INDEX llm_calls_job ON llm_calls (job_id);
CREATE INDEX llm_calls_tenant_recent ON llm_calls (tenant_id, created_at);

CREATE TRIGGER llm_calls_append_only BEFORE UPDATE OR DELETE ON llm_calls
    FOR EACH ROW EXECUTE FUNCTION courier_refuse_change('llm_calls_append_only');
CREATE TRIGGER llm_calls_no_truncate BEFORE TRUNCATE ON llm_calls
    FOR EACH STATEMENT EXECUTE FUNCTION courier_refuse_truncate('llm_calls_append_only');

-- A step's committed answer: a retried or taken-over execution reads it instead of
-- calling the model again. The first committed answer of a step stays.
CREATE TABLE llm_checkpoints (
    job_id      uuid NOT NULL REFERENCES jobs (id),
    step        text NOT NULL,
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    attempt     integer NOT NULL,
    model       text NOT NULL,
    answer      jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (job_id, step),
    CONSTRAINT llm_checkpoints_answer_object CHECK (jsonb_typeof(answer) = 'object')
);
COMMENT ON TABLE llm_checkpoints IS 'The committed model answer of each step of a job: later attempts of the job reuse it instead of paying for the call again.';
COMMENT ON COLUMN llm_checkpoints.attempt IS 'The execution whose call (or cache hit) produced the answer.';
COMMENT ON COLUMN llm_checkpoints.model IS 'The model that answered.';
COMMENT ON COLUMN llm_checkpoints.answer IS 'The answer as the step runner stored it (a JSON object).';

-- Exact-match cache. The primary key leads with the tenant, so an entry is only
-- ever found by its own tenant; the key itself also covers kind, normalised input,
-- prompt version, model, the requester's ACL groups and the sources used
-- (app/llm/cache_key.py).
CREATE TABLE llm_cache (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    cache_key   text NOT NULL,
    model       text NOT NULL,
    answer      jsonb NOT NULL,
    job_id      uuid NOT NULL REFERENCES jobs (id),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, cache_key),
    CONSTRAINT llm_cache_key_format CHECK (cache_key ~ '^[0-9a-f]{64}$'),
    CONSTRAINT llm_cache_answer_object CHECK (jsonb_typeof(answer) = 'object'),
    CONSTRAINT llm_cache_expires_after_creation CHECK (expires_at > created_at)
);
COMMENT ON TABLE llm_cache IS 'Exact-match answers per tenant and cache key (tenant, kind, normalised input, prompt version, model, ACL groups, sources), until expires_at (COURIER_CACHE_TTL_SECONDS).';
COMMENT ON COLUMN llm_cache.cache_key IS 'SHA-256 (hex) of the canonical JSON of everything the answer depends on (app/llm/cache_key.py).';
COMMENT ON COLUMN llm_cache.job_id IS 'The job whose call produced the answer.';
COMMENT ON COLUMN llm_cache.expires_at IS 'After this the entry is not served; a new answer for the key replaces it.';
CREATE INDEX llm_cache_expiry ON llm_cache (expires_at);

-- Budgets: set by an operator (`courier budget set`); the runtime only reads them.
CREATE TABLE tenant_budgets (
    tenant_id    uuid PRIMARY KEY REFERENCES tenants (id),
    monthly_usd  numeric(14, 2) NOT NULL,
    when_over    text NOT NULL DEFAULT 'refuse',
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT tenant_budgets_monthly_non_negative CHECK (monthly_usd >= 0),
    CONSTRAINT tenant_budgets_when_over_known CHECK (when_over IN ('refuse', 'small'))
);
COMMENT ON TABLE tenant_budgets IS 'Per-tenant monthly model budget in US dollars (UTC calendar months); a tenant without a row has no limit.';
COMMENT ON COLUMN tenant_budgets.when_over IS 'refuse: intake answers 429 and calls that do not fit are refused; small: a call that does not fit is routed to the small model tier instead, if that fits.';

-- One row per tenant and month: what was spent and what in-flight calls reserved.
-- Every reservation and settlement locks this row first, so concurrent
-- reservations of a tenant are serialised and cannot overshoot its budget.
CREATE TABLE tenant_budget_months (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    month         date NOT NULL,
    spent_usd     numeric(18, 10) NOT NULL DEFAULT 0,
    reserved_usd  numeric(18, 10) NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, month),
    CONSTRAINT tenant_budget_months_first_day CHECK (extract(day FROM month) = 1),
    CONSTRAINT tenant_budget_months_spent_non_negative CHECK (spent_usd >= 0),
    CONSTRAINT tenant_budget_months_reserved_non_negative CHECK (reserved_usd >= 0)
);
COMMENT ON TABLE tenant_budget_months IS 'Model spend of a tenant per UTC month, and the worst-case cost reserved by its calls in flight.';
COMMENT ON COLUMN tenant_budget_months.month IS 'First day of the UTC month.';
COMMENT ON COLUMN tenant_budget_months.spent_usd IS 'Real cost of the calls settled against this month.';
COMMENT ON COLUMN tenant_budget_months.reserved_usd IS 'Sum of the open reservations of this month (budget_reservations not yet settled or released).';

CREATE TABLE budget_reservations (
    id            uuid PRIMARY KEY DEFAULT courier_uuid_v7(),
    tenant_id     uuid NOT NULL,
    month         date NOT NULL,
    job_id        uuid NOT NULL REFERENCES jobs (id),
    attempt       integer NOT NULL,
    step          text NOT NULL,
    model         text NOT NULL,
    amount_usd    numeric(18, 10) NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    settled_at    timestamptz,
    cost_usd      numeric(18, 10),
    released_at   timestamptz,
    FOREIGN KEY (tenant_id, month) REFERENCES tenant_budget_months (tenant_id, month),
    CONSTRAINT budget_reservations_amount_non_negative CHECK (amount_usd >= 0),
    CONSTRAINT budget_reservations_settled_has_cost CHECK ((settled_at IS NULL) = (cost_usd IS NULL))
);
COMMENT ON TABLE budget_reservations IS 'The worst-case cost of each model call, reserved against its tenant''s month before the call and settled with the real cost after it.';
COMMENT ON COLUMN budget_reservations.amount_usd IS 'Worst case: the estimated input tokens at the input price plus the output-token cap at the output price.';
COMMENT ON COLUMN budget_reservations.settled_at IS 'When the call''s real cost replaced the reservation; NULL while in flight.';
COMMENT ON COLUMN budget_reservations.cost_usd IS 'The real cost the settlement charged; NULL until settled.';
COMMENT ON COLUMN budget_reservations.released_at IS 'When an unsettled reservation older than the stale limit stopped counting (its execution died); a late settlement still charges the real cost.';
CREATE INDEX budget_reservations_open ON budget_reservations (tenant_id, month, created_at)
    WHERE settled_at IS NULL AND released_at IS NULL;

-- Reserves a call's worst case against the tenant's current month, or refuses.
-- Locks the month row, so reservations of one tenant are serialised: spent +
-- reserved never exceeds the budget because of reservations. A zero-cost call
-- (extractive) cannot overshoot and is always allowed. Reservations older than
-- p_stale_after that were never settled (a worker died mid-call) are released
-- first, so a crash cannot hold a tenant's budget forever.
CREATE FUNCTION courier_budget_reserve_v1(
    p_tenant_id uuid, p_job_id uuid, p_attempt integer, p_step text, p_model text,
    p_amount numeric, p_now timestamptz, p_stale_after interval
) RETURNS TABLE (
    reservation_id uuid, allowed boolean, when_over text, budget_usd numeric, spent_usd numeric,
    reserved_usd numeric, month date, retry_after_seconds double precision
)
LANGUAGE plpgsql AS $$
DECLARE
    v_month     date := date_trunc('month', p_now AT TIME ZONE 'UTC')::date;
    v_budget    numeric;
    v_when_over text;
    v_spent     numeric;
    v_reserved  numeric;
    v_released  numeric;
    v_id        uuid;
    v_retry     double precision;
BEGIN
    SELECT b.monthly_usd, b.when_over INTO v_budget, v_when_over
    FROM tenant_budgets b WHERE b.tenant_id = p_tenant_id;
    v_retry := extract(epoch FROM ((v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC') - p_now);

    INSERT INTO tenant_budget_months (tenant_id, month) VALUES (p_tenant_id, v_month)
    ON CONFLICT DO NOTHING;
    SELECT m.spent_usd, m.reserved_usd INTO v_spent, v_reserved
    FROM tenant_budget_months m WHERE m.tenant_id = p_tenant_id AND m.month = v_month
    FOR UPDATE;

    WITH stale AS (
        UPDATE budget_reservations r SET released_at = p_now
        WHERE r.tenant_id = p_tenant_id AND r.month = v_month
          AND r.settled_at IS NULL AND r.released_at IS NULL
          AND r.created_at < p_now - p_stale_after
        RETURNING r.amount_usd
    )
    SELECT coalesce(sum(s.amount_usd), 0) INTO v_released FROM stale s;
    v_reserved := greatest(v_reserved - v_released, 0);

    IF v_budget IS NOT NULL AND p_amount > 0 AND v_spent + v_reserved + p_amount > v_budget THEN
        IF v_released > 0 THEN
            UPDATE tenant_budget_months m SET reserved_usd = v_reserved
            WHERE m.tenant_id = p_tenant_id AND m.month = v_month;
        END IF;
        RETURN QUERY SELECT NULL::uuid, false, v_when_over, v_budget, v_spent, v_reserved, v_month, v_retry;
        RETURN;
    END IF;

    INSERT INTO budget_reservations (tenant_id, month, job_id, attempt, step, model, amount_usd, created_at)
    VALUES (p_tenant_id, v_month, p_job_id, p_attempt, p_step, p_model, p_amount, p_now)
    RETURNING id INTO v_id;
    UPDATE tenant_budget_months m SET reserved_usd = v_reserved + p_amount
    WHERE m.tenant_id = p_tenant_id AND m.month = v_month;
    RETURN QUERY SELECT v_id, true, v_when_over, v_budget, v_spent, v_reserved + p_amount, v_month, v_retry;
END
$$;
COMMENT ON FUNCTION courier_budget_reserve_v1(uuid, uuid, integer, text, text, numeric, timestamptz, interval) IS
    'Reserve a model call''s worst-case cost against its tenant''s UTC month (allowed, with the reservation id), '
    'or refuse when spent + reserved + amount would exceed the tenant''s budget.';

-- Replaces a reservation with the call's real cost; false when it was settled
-- already (a repeated settlement changes nothing). Locks the month row before the
-- reservation, in the same order as courier_budget_reserve_v1, so the two never deadlock.
CREATE FUNCTION courier_budget_settle_v1(p_reservation_id uuid, p_cost numeric, p_now timestamptz)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_tenant   uuid;
    v_month    date;
    v_amount   numeric;
    v_released boolean;
BEGIN
    SELECT r.tenant_id, r.month INTO v_tenant, v_month FROM budget_reservations r WHERE r.id = p_reservation_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no budget reservation %', p_reservation_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    PERFORM 1 FROM tenant_budget_months m WHERE m.tenant_id = v_tenant AND m.month = v_month FOR UPDATE;

    UPDATE budget_reservations r SET settled_at = p_now, cost_usd = p_cost
    WHERE r.id = p_reservation_id AND r.settled_at IS NULL
    RETURNING r.amount_usd, r.released_at IS NOT NULL INTO v_amount, v_released;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE tenant_budget_months m
    SET spent_usd = m.spent_usd + p_cost,
        reserved_usd = greatest(m.reserved_usd - CASE WHEN v_released THEN 0 ELSE v_amount END, 0)
    WHERE m.tenant_id = v_tenant AND m.month = v_month;
    RETURN true;
END
$$;
COMMENT ON FUNCTION courier_budget_settle_v1(uuid, numeric, timestamptz) IS
    'Settle a budget reservation with the call''s real cost (charged to the reservation''s month); false when already settled.';

-- Intake admission: a tenant with a budget and nothing left of it this month
-- submits no new job. A retry of a request that already made its job is answered.
CREATE FUNCTION courier_budget_admit_v1(p_tenant_id uuid, p_idempotency_key text, p_now timestamptz)
RETURNS TABLE (allowed boolean, budget_usd numeric, spent_usd numeric, reserved_usd numeric, retry_after_seconds double precision)
LANGUAGE sql STABLE AS $$
    WITH clock AS (SELECT date_trunc('month', p_now AT TIME ZONE 'UTC')::date AS month)
    SELECT b.monthly_usd IS NULL
           OR coalesce(m.spent_usd, 0) + coalesce(m.reserved_usd, 0) < b.monthly_usd
           OR EXISTS (SELECT 1 FROM jobs j WHERE j.tenant_id = p_tenant_id AND j.idempotency_key = p_idempotency_key),
           b.monthly_usd, coalesce(m.spent_usd, 0), coalesce(m.reserved_usd, 0),
           extract(epoch FROM ((clock.month + interval '1 month')::timestamp AT TIME ZONE 'UTC') - p_now)::double precision
    FROM clock
    LEFT JOIN tenant_budgets b ON b.tenant_id = p_tenant_id
    LEFT JOIN tenant_budget_months m ON m.tenant_id = p_tenant_id AND m.month = clock.month
$$;
COMMENT ON FUNCTION courier_budget_admit_v1(uuid, text, timestamptz) IS
    'Whether intake may accept a new job of a tenant: no budget, budget left this month, or a retry of a request that already made its job.';

-- The job's totals are those of the calls settled while it was open: the jobs
-- trigger keeps a finished job unchanged, so a call that settles afterwards (an
-- execution that lost its lease, a cancelled job) is in llm_calls only.
COMMENT ON COLUMN jobs.input_tokens IS 'Model input tokens of the calls settled while the job was open, all attempts; llm_calls has every call.';
COMMENT ON COLUMN jobs.output_tokens IS 'Model output tokens of the calls settled while the job was open, all attempts; llm_calls has every call.';
COMMENT ON COLUMN jobs.cost_usd IS 'Model cost in US dollars of the calls settled while the job was open, all attempts; llm_calls has every call, also those settled after the job finished.';
