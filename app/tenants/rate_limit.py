"""Per-tenant rate limits on job submissions, kept in PostgreSQL.

A token bucket per tenant (``tenant_rate_buckets``, taken by
``courier_rate_limit_take_v1``): every API process shares it, so the limit holds
however many processes serve a tenant. Intake takes its token inside its one
statement, last, just before the commit (``courier_job_submit_v1``,
:mod:`app.tenants.admission`); :class:`RateLimiter` takes one on its own.
"""

from __future__ import annotations

import math
from datetime import datetime
from uuid import UUID

from app.db import Database
from app.errors import RateLimitedError
from app.settings import RateLimitSettings


class RateLimited(RateLimitedError):
    """Too many job submissions for this tenant; retry after the Retry-After seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"this tenant's submission rate limit is exhausted; retry in {retry_after} s",
            retry_after=retry_after,
        )


class RateLimiter:
    def __init__(self, db: Database, defaults: RateLimitSettings) -> None:
        self.db = db
        self.defaults = defaults

    async def take(
        self, tenant_id: UUID, idempotency_key: str, *, now: datetime | None = None
    ) -> None:
        """Spend one submission of the tenant's budget, unless the Idempotency-Key
        already made a job (a retry is answered, not charged); :class:`RateLimited`
        when none is left."""
        row = await self.db.fetch_one(
            "tenant_rate_limit_take",
            tenant_id=tenant_id,
            idempotency_key=idempotency_key,
            default_rate=self.defaults.per_second,
            default_burst=self.defaults.burst,
            now=now,
        )
        if not row["allowed"]:
            raise RateLimited(max(1, math.ceil(row["retry_after_seconds"])))
