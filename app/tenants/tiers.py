"""Tenant tiers: a tenant's commercial tier, set by an operator
(``courier tenants set-tier``) and read by routing when a job's execution starts
(``job_lease_take`` returns it with the lease): a premium or enterprise tenant's jobs
start on the large model whatever their kind's default (app/llm/routing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args
from uuid import UUID

from app.db import Database
from app.errors import CourierError

TenantTier = Literal["standard", "premium", "enterprise"]
TENANT_TIERS: tuple[str, ...] = get_args(TenantTier)
"""Every tier, as the ``tenants_tier_known`` constraint allows them; new tenants are standard."""


class InvalidTenantTier(CourierError):
    """The tenant's tier cannot be set."""


@dataclass(frozen=True)
class TenantTierSet:
    tenant_id: UUID
    slug: str
    tier: TenantTier


class TenantTiers:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(self, tenant: str, tier: str) -> TenantTierSet:
        """Set the tier of the tenant with slug ``tenant`` (an operator's action: ``db``
        must act as the schema owner). Jobs whose execution starts afterwards are
        routed by it; running ones keep the tier they started with."""
        if tier not in TENANT_TIERS:
            raise InvalidTenantTier(f"tier: one of {', '.join(TENANT_TIERS)}, not {tier!r}")
        row = await self.db.fetch_optional("tenant_tier_set", slug=tenant, tier=tier)
        if row is None:
            raise InvalidTenantTier(f"no tenant {tenant!r}")
        return TenantTierSet(row["id"], row["slug"], row["tier"])
