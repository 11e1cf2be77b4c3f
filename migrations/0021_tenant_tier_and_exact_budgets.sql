-- 0021 a tenant's commercial tier, and budgets kept to the precision of the ledger.
--
-- Routing reads the tier when a job's execution starts (job_lease_take): a premium
-- or enterprise tenant's jobs start on the large model whatever their kind's
-- default (app/llm/routing.py). An operator sets it (`courier tenants set-tier`);
-- every tenant starts on standard.
ALTER TABLE tenants ADD COLUMN tier text NOT NULL DEFAULT 'standard',
    ADD CONSTRAINT tenants_tier_known CHECK (tier IN ('standard', 'premium', 'enterprise'));
COMMENT ON COLUMN tenants.tier IS 'Commercial tier (standard, premium, enterprise), set by an operator with `courier tenants set-tier`; premium and enterprise tenants'' jobs start on the large model tier.';

-- A budget was kept in whole cents (numeric(14, 2)) while spend and reservations
-- are kept to 10 decimals: a budget of $0.004 became $0.00 and refused every call.
-- Same range (below $1e12), the ledger's scale.
ALTER TABLE tenant_budgets ALTER COLUMN monthly_usd TYPE numeric(22, 10);
