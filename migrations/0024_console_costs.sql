-- 0024 web console costs page: one tenant's model usage, read by the runtime role.
--
-- The runtime role records model calls but cannot read the ledger (llm_calls,
-- sql/grants.sql), and the DBA views that sum it (llm_cost_monthly) show every
-- tenant. The console's costs page (app/console/costs.py) shows a signed-in key
-- its own tenant's figures only, so it reads them through this function: the tenant
-- is a parameter and the filter is in SQL, and only sums leave it (no prompt hash,
-- no per-call rows).

-- Model calls of one tenant since a moment, per kind and model: the figures of
-- llm_cost_monthly (calls, cache hits, failed calls, jobs, tokens, cost, latency)
-- over any window, with the median latency beside the 95th percentile.
CREATE FUNCTION courier_tenant_model_usage_v1(p_tenant_id uuid, p_since timestamptz)
RETURNS TABLE (kind text, model text, calls bigint, cache_hits bigint, failed_calls bigint,
               jobs bigint, input_tokens bigint, output_tokens bigint, cost_usd numeric,
               latency_p50_ms numeric, latency_p95_ms numeric)
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT c.kind, c.model,
           count(*),
           count(*) FILTER (WHERE c.outcome = 'cache_hit'),
           count(*) FILTER (WHERE c.outcome NOT IN ('ok', 'refused', 'cache_hit')),
           count(DISTINCT c.job_id),
           sum(c.input_tokens)::bigint,
           sum(c.output_tokens)::bigint,
           sum(c.cost_usd),
           -- Cache hits are not provider calls: their latency would flatter the model.
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY c.latency_ms)
                  FILTER (WHERE c.outcome <> 'cache_hit'))::numeric, 1),
           round((percentile_cont(0.95) WITHIN GROUP (ORDER BY c.latency_ms)
                  FILTER (WHERE c.outcome <> 'cache_hit'))::numeric, 1)
    FROM llm_calls c
    WHERE c.tenant_id = p_tenant_id AND c.created_at >= p_since
    GROUP BY c.kind, c.model
$$;
COMMENT ON FUNCTION courier_tenant_model_usage_v1(uuid, timestamptz) IS
    'One tenant''s model calls since p_since per kind and model: calls, cache hits, failed calls, distinct jobs, tokens, cost (US dollars) and provider-call latency p50/p95 (ms, cache hits left out); how the runtime role shows a tenant its costs in the console without reading llm_calls.';
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION courier_tenant_model_usage_v1(uuid, timestamptz) SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE ALL ON FUNCTION courier_tenant_model_usage_v1(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION courier_tenant_model_usage_v1(uuid, timestamptz) TO courier_runtime;
