"""Admission: the one step every job a client asks for passes before it is written.

A submission (``POST /v1/jobs``) and a replay (``POST /v1/jobs/{id}/replay``) each
make a job that workers run and the tenant pays for, so both are admitted here,
by the same checks in the same order: the tenant's monthly model budget
(:mod:`app.tenants.budgets`; a read, so checked first) and its rate limit
(:mod:`app.tenants.rate_limit`; takes a token). A request whose
Idempotency-Key already made its job is a retry: it is answered, never charged.

Both checks run in the database, inside the one statement that writes the job
(``courier_job_submit_v1``, ``job_submit`` in sql/jobs.sql): the token is taken last,
just before the commit, so a refusal writes nothing and a tenant's bucket row is
locked only for the end of one statement. This module says which checks apply and
turns a refusal into its error.

``courier backfill`` is not admitted on a tenant's behalf: it is an operator's
run across tenants on its own low-priority queue, and a tenant's limit would
stall it halfway while it spent the tokens the tenant's live traffic needs.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Literal

from app.keys.service import Principal
from app.settings import RateLimitSettings
from app.tenants.budgets import BudgetExhausted
from app.tenants.rate_limit import RateLimited

log = logging.getLogger("courier.admission")

NOT_ADMITTED = {"budget": False, "rate_limit": False, "default_rate": None, "default_burst": None}
"""The terms of a job no tenant asks for (a backfill): no check applies."""


class Admission:
    def __init__(self, rate_limit: RateLimitSettings | None = None, budgets: bool = False) -> None:
        """``rate_limit``: the default bucket of a tenant without its own (None: no rate
        limit); ``budgets``: whether tenants' monthly budgets refuse new jobs."""
        self.rate_limit = rate_limit
        self.budgets = budgets

    def terms(self) -> dict[str, Any]:
        """The parameters of ``job_submit`` that say which checks it runs."""
        return {
            "budget": self.budgets,
            "rate_limit": self.rate_limit is not None,
            "default_rate": self.rate_limit.per_second if self.rate_limit else None,
            "default_burst": self.rate_limit.burst if self.rate_limit else None,
        }

    def check(
        self,
        principal: Principal,
        submitted: dict[str, Any],
        *,
        kind: str,
        action: Literal["submit", "replay"],
    ) -> None:
        """Raise why ``job_submit`` refused the job, if it did
        (:class:`~app.tenants.budgets.BudgetExhausted`,
        :class:`~app.tenants.rate_limit.RateLimited`)."""
        retry_after = max(1, math.ceil(submitted["retry_after_seconds"] or 0))
        if submitted["outcome"] == "over_budget":
            raise BudgetExhausted(submitted["budget_usd"], submitted["spent_usd"], retry_after)
        if submitted["outcome"] == "rate_limited":
            log.info(
                "job refused by the tenant's rate limit",
                extra={
                    "event": "job_rate_limited",
                    "tenant_id": str(principal.tenant_id),
                    "kind": kind,
                    "action": action,
                },
            )
            raise RateLimited(retry_after)
