"""Per-tenant monthly model budgets, in US dollars per UTC calendar month.

An operator sets a tenant's budget (``courier budget set``) and what happens when it
is spent: ``refuse`` (intake answers 429 and calls that do not fit are refused) or
``small`` (a call that does not fit is routed to the small model tier, if that
fits). The budget holds under concurrency by reservation: every model call first
reserves its worst-case cost in one statement that locks the tenant's month row
(``courier_budget_reserve_v1``; :meth:`app.llm.ledger.PostgresCallLedger.reserve`)
and settles the real cost after the call, so spent + reserved stays within the
budget however many calls start at once. Intake admits a tenant's new jobs while
anything is left (``courier_budget_admit_v1``, inside intake's one statement:
:mod:`app.tenants.admission`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from app.db import Database
from app.errors import CourierError, RateLimitedError
from app.money import LEDGER_UNIT, usd, usd_amount

WhenOver = Literal["refuse", "small"]


class BudgetExhausted(RateLimitedError):
    """This tenant's monthly model budget is spent; retry after the Retry-After seconds."""

    def __init__(self, budget_usd: Decimal, spent_usd: Decimal, retry_after: int) -> None:
        super().__init__(
            f"this tenant's monthly model budget of {usd(budget_usd)} is spent "
            f"({usd(spent_usd)} spent or reserved); new jobs are accepted again next month "
            "or when an operator raises the budget",
            retry_after=retry_after,
        )
        self.budget_usd = budget_usd

    def extra(self) -> dict[str, str]:
        return {"budget_usd": f"{usd_amount(self.budget_usd):f}"}


class InvalidBudget(CourierError):
    """The budget is invalid."""


@dataclass(frozen=True)
class BudgetUsage:
    """A tenant's month: what was spent, what calls in flight reserved, and the budget."""

    month: date
    spent_usd: Decimal
    reserved_usd: Decimal
    budget_usd: Decimal | None
    when_over: WhenOver | None

    @property
    def remaining_usd(self) -> Decimal | None:
        if self.budget_usd is None:
            return None
        return max(self.budget_usd - self.spent_usd - self.reserved_usd, Decimal(0))


@dataclass(frozen=True)
class Budget:
    tenant_id: UUID
    monthly_usd: Decimal
    when_over: WhenOver


class BudgetService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def usage(self, tenant_id: UUID, *, now: datetime | None = None) -> BudgetUsage:
        """The tenant's spend, reservations and budget in the UTC month of ``now``."""
        row = await self.db.fetch_one("tenant_budget_usage", tenant_id=tenant_id, now=now)
        return BudgetUsage(
            month=row["month"],
            spent_usd=row["spent_usd"],
            reserved_usd=row["reserved_usd"],
            budget_usd=row["budget_usd"],
            when_over=row["when_over"],
        )

    async def set(
        self, tenant: str, monthly_usd: Decimal, when_over: WhenOver | None = None
    ) -> Budget:
        """Set the monthly budget of the tenant with slug ``tenant`` (an operator's
        action: ``db`` must act as the schema owner); ``when_over`` None keeps the
        tenant's choice (``refuse`` for a first budget)."""
        if not monthly_usd.is_finite() or monthly_usd < 0:
            raise InvalidBudget(
                f"the monthly budget must be 0 or more US dollars, not {monthly_usd}"
            )
        if monthly_usd >= Decimal("1e12"):
            raise InvalidBudget("the monthly budget must be less than 1,000,000,000,000 US dollars")
        if monthly_usd != monthly_usd.quantize(LEDGER_UNIT):
            # The ledger's unit: a budget is kept as precisely as what is charged to it.
            raise InvalidBudget(
                f"the monthly budget has more than 10 decimals: {monthly_usd} US dollars"
            )
        if when_over not in (None, "refuse", "small"):
            raise InvalidBudget(f"when over budget: refuse or small, not {when_over!r}")
        row = await self.db.fetch_optional(
            "tenant_budget_set",
            slug=tenant,
            monthly_usd=monthly_usd,
            when_over=when_over,
        )
        if row is None:
            raise InvalidBudget(f"no tenant {tenant!r}")
        return Budget(row["tenant_id"], usd_amount(row["monthly_usd"]), row["when_over"])
