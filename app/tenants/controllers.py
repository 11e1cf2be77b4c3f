"""HTTP endpoints about the calling tenant itself: its usage and budget."""

from __future__ import annotations

from decimal import ROUND_FLOOR

from litestar import Controller, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from app.keys.auth import authenticated, provide_principal
from app.keys.service import Principal
from app.money import micro_usd, usd_amount
from app.problems import problem_responses
from app.tenants.budgets import BudgetService
from app.tenants.schemas import Usage


def provide_budgets(state: State) -> BudgetService:
    return state.services.budgets


class UsageController(Controller):
    path = "/v1/usage"
    tags = ["usage"]
    security = [{"BearerAuth": []}]
    guards = [authenticated]
    dependencies = {
        "principal": Provide(provide_principal, sync_to_thread=False),
        "budgets": Provide(provide_budgets, sync_to_thread=False),
    }

    @get(
        "/",
        operation_id="GetUsage",
        summary="This month's model spend and budget",
        description=(
            "The calling tenant's model spend in the current UTC month, the worst-case cost "
            "reserved by calls in flight, and its monthly budget. When nothing of the budget is "
            "left, new jobs are refused with 429 (or, if the tenant chose it, run on the small "
            "model tier)."
        ),
        responses=problem_responses(401, 503),
    )
    async def read(
        self, principal: NamedDependency[Principal], budgets: NamedDependency[BudgetService]
    ) -> Usage:
        usage = await budgets.usage(principal.tenant_id)
        return Usage(
            month=f"{usage.month:%Y-%m}",
            spent_usd=micro_usd(usage.spent_usd),
            reserved_usd=micro_usd(usage.reserved_usd),
            budget_usd=None if usage.budget_usd is None else usd_amount(usage.budget_usd),
            # What is left is never shown as more than it is.
            remaining_usd=(
                None
                if usage.remaining_usd is None
                else micro_usd(usage.remaining_usd, rounding=ROUND_FLOOR)
            ),
            when_over=usage.when_over,
        )
