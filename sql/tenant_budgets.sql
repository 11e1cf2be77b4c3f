-- Tenant budgets: a monthly model budget per tenant, and what was spent against it.

-- name: tenant_budget_set :optional
-- Set the monthly budget of the tenant with this slug (an operator's action);
-- when_over NULL keeps the current choice (refuse for a new budget). No row when
-- there is no such tenant.
INSERT INTO tenant_budgets (tenant_id, monthly_usd, when_over)
SELECT t.id, %(monthly_usd)s::numeric, coalesce(%(when_over)s::text, 'refuse')
FROM tenants t WHERE t.slug = %(slug)s::text
ON CONFLICT (tenant_id) DO UPDATE
SET monthly_usd = EXCLUDED.monthly_usd,
    when_over = coalesce(%(when_over)s::text, tenant_budgets.when_over),
    updated_at = clock_timestamp()
RETURNING tenant_id, monthly_usd, when_over;

-- name: tenant_budget_usage :one
-- A tenant's budget and its spend and reservations in the UTC month of `now`.
WITH clock AS (
    SELECT date_trunc('month', coalesce(%(now)s::timestamptz, clock_timestamp()) AT TIME ZONE 'UTC')::date AS month
)
SELECT clock.month, b.monthly_usd AS budget_usd, b.when_over,
       coalesce(m.spent_usd, 0) AS spent_usd, coalesce(m.reserved_usd, 0) AS reserved_usd
FROM clock
LEFT JOIN tenant_budgets b ON b.tenant_id = %(tenant_id)s::uuid
LEFT JOIN tenant_budget_months m ON m.tenant_id = %(tenant_id)s::uuid AND m.month = clock.month;
