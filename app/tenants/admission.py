"""Admission: the one step every job a client asks for passes before it is written.

A submission (``POST /v1/jobs``) and a replay (``POST /v1/jobs/{id}/replay``) each
make a job that workers run and the tenant pays for, so both are admitted here,
by the same checks in the same order: the tenant's monthly model budget
(:mod:`app.tenants.budgets`; a read, so checked first) and its rate limit
(:mod:`app.tenants.rate_limit`; takes a token). A request whose
Idempotency-Key already made its job is a retry: it is answered, never charged.

``courier backfill`` is not admitted on a tenant's behalf: it is an operator's
run across tenants on its own low-priority queue, and a tenant's limit would
stall it halfway while it spent the tokens the tenant's live traffic needs.
"""

from __future__ import annotations

import logging
from typing import Literal

from app.keys.service import Principal
from app.tenants.budgets import BudgetService
from app.tenants.rate_limit import RateLimited, RateLimiter

log = logging.getLogger("courier.admission")


class Admission:
    def __init__(
        self, rate_limiter: RateLimiter | None = None, budgets: BudgetService | None = None
    ) -> None:
        self.rate_limiter = rate_limiter
        self.budgets = budgets

    async def admit(
        self,
        principal: Principal,
        *,
        kind: str,
        idempotency_key: str,
        action: Literal["submit", "replay"],
    ) -> None:
        """Let one more job of ``kind`` in for the principal's tenant, or raise why not
        (:class:`~app.tenants.budgets.BudgetExhausted`,
        :class:`~app.tenants.rate_limit.RateLimited`). Call it after the request was
        validated (a refused request costs nothing) and before the intake transaction."""
        if self.budgets is not None:
            await self.budgets.admit(principal.tenant_id, idempotency_key)
        if self.rate_limiter is None:
            return
        try:
            await self.rate_limiter.take(principal.tenant_id, idempotency_key)
        except RateLimited:
            log.info(
                "job refused by the tenant's rate limit",
                extra={
                    "event": "job_rate_limited",
                    "tenant_id": str(principal.tenant_id),
                    "kind": kind,
                    "action": action,
                },
            )
            raise
