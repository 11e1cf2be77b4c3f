"""The console's costs and health page (``GET /console/costs``): what the signed-in
key's tenant spends and how its jobs fare, from the same tables as the DBA views.

For the last 24 hours and the last 30 days: model usage per kind and model (calls,
jobs, cost, cost per 1,000 jobs, provider latency p50/p95) and jobs per kind (cost
per 1,000 completed jobs, run latency); then the month's budget and spend, queue
depth, stuck jobs (the rescuer's notion), dead letters, failing webhook destinations
and prompt versions side by side. Every figure is the viewer's tenant's only: each
query in sql/console_costs.sql filters on the tenant in SQL, and the model ledger is
read through a function that takes the tenant (migrations/0024).

Charts are laid out by app/console/charts.py and drawn as inline SVG, each with a
text alternative and a table of the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar import Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from app.console.charts import Chart, Number, bar_chart
from app.console.pages import render
from app.console.session import Viewer
from app.db import Database
from app.money import micro_usd, usd
from app.tenants.budgets import BudgetService, BudgetUsage

LIST_LIMIT = 50
WEBHOOK_WINDOW = timedelta(hours=24)
"""As webhook_delivery_health's default window."""
HEALTH_WINDOW = timedelta(days=30)
"""Dead letters and prompt versions: over the longer window."""


@dataclass(frozen=True)
class Window:
    key: str
    title: str
    span: timedelta


WINDOWS = (
    Window("24h", "Last 24 hours", timedelta(hours=24)),
    Window("30d", "Last 30 days", timedelta(days=30)),
)


@dataclass(frozen=True)
class WindowFigures:
    window: Window
    models: list[dict[str, Any]]
    kinds: list[dict[str, Any]]
    charts: list[Chart]


@dataclass(frozen=True)
class CostsPage:
    windows: list[WindowFigures]
    budget: BudgetUsage
    budget_chart: Chart | None
    queue: list[dict[str, Any]]
    queue_chart: Chart | None
    stuck: list[dict[str, Any]]
    dead_letters: list[dict[str, Any]]
    webhooks: list[dict[str, Any]]
    prompt_versions: list[dict[str, Any]]
    prompt_chart: Chart | None
    stalled_after: timedelta
    orphan_grace: timedelta


def money(amount: Number | None) -> str:
    """Dollars as the ledger keeps them, to the micro-dollar (rounded up: a spend is
    never shown as less than it was; $0.000002, not $0.0000)."""
    return "—" if amount is None else usd(micro_usd(Decimal(amount)))


def millis(value: Number | None) -> str:
    if value is None:
        return "—"
    return f"{float(value):.0f} ms" if value < 1000 else f"{float(value) / 1000:.2f} s"


def percent(share: Number | None) -> str:
    return "—" if share is None else f"{float(share) * 100:.1f}%"


def count(value: Number | None) -> str:
    return "—" if value is None else f"{int(value):,}"


class ConsoleCosts:
    """Reads one tenant's costs and health (the tenant is every query's parameter)."""

    def __init__(self, db: Database, *, stalled_after: float, orphan_grace: float) -> None:
        self.db = db
        self.stalled_after = timedelta(seconds=stalled_after)
        self.orphan_grace = timedelta(seconds=orphan_grace)

    async def page(self, tenant_id: UUID) -> CostsPage:
        windows = [await self._window(tenant_id, w) for w in WINDOWS]
        budget = await BudgetService(self.db).usage(tenant_id)
        queue = await self.db.fetch_all("console_cost_queue_depth", tenant_id=tenant_id)
        versions = await self.db.fetch_all(
            "console_cost_prompt_versions", tenant_id=tenant_id, now=None, window=HEALTH_WINDOW
        )
        return CostsPage(
            windows=windows,
            budget=budget,
            budget_chart=_budget_chart(budget),
            queue=queue,
            queue_chart=_queue_chart(queue),
            stuck=await self.db.fetch_all(
                "console_cost_stuck_jobs",
                tenant_id=tenant_id,
                now=None,
                stalled_after=self.stalled_after,
                orphan_grace=self.orphan_grace,
                limit=LIST_LIMIT,
            ),
            dead_letters=await self.db.fetch_all(
                "console_cost_dead_letters",
                tenant_id=tenant_id,
                now=None,
                window=HEALTH_WINDOW,
                limit=LIST_LIMIT,
            ),
            webhooks=await self.db.fetch_all(
                "console_cost_webhook_failing",
                tenant_id=tenant_id,
                now=None,
                window=WEBHOOK_WINDOW,
                limit=LIST_LIMIT,
            ),
            prompt_versions=versions,
            prompt_chart=_prompt_chart(versions),
            stalled_after=self.stalled_after,
            orphan_grace=self.orphan_grace,
        )

    async def _window(self, tenant_id: UUID, window: Window) -> WindowFigures:
        models = await self.db.fetch_all(
            "console_cost_model_usage", tenant_id=tenant_id, now=None, window=window.span
        )
        kinds = await self.db.fetch_all(
            "console_cost_job_kinds", tenant_id=tenant_id, now=None, window=window.span
        )
        return WindowFigures(window, models, kinds, _model_charts(window, models))


def _label(row: dict[str, Any]) -> str:
    return f"{row['kind']} · {row['model']}"


def _model_charts(window: Window, models: list[dict[str, Any]]) -> list[Chart]:
    if not models:
        return []
    span = window.title.lower()
    return [
        bar_chart(
            f"Model cost per kind and model, {span}",
            [(_label(r), [r["cost_usd"]]) for r in models],
            series=("cost",),
            text=money,
        ),
        bar_chart(
            f"Model cost per 1,000 jobs, {span}",
            [(_label(r), [r["cost_per_1000_jobs_usd"]]) for r in models],
            series=("per 1,000 jobs",),
            text=money,
        ),
        bar_chart(
            f"Model call latency, {span}",
            [(_label(r), [r["latency_p50_ms"], r["latency_p95_ms"]]) for r in models],
            series=("p50", "p95"),
            text=millis,
        ),
    ]


def _budget_chart(budget: BudgetUsage) -> Chart | None:
    if budget.budget_usd is None:
        return None
    return bar_chart(
        f"Budget use, {budget.month:%B %Y}",
        [
            ("Spent", [budget.spent_usd]),
            ("Reserved by calls in flight", [budget.reserved_usd]),
            ("Monthly budget", [budget.budget_usd]),
        ],
        series=("amount",),
        text=money,
        scale_max=max(budget.budget_usd, budget.spent_usd + budget.reserved_usd),
    )


def _queue_chart(queue: list[dict[str, Any]]) -> Chart | None:
    if not queue:
        return None
    return bar_chart(
        "Open jobs per state",
        [(r["state"], [r["jobs"]]) for r in queue],
        series=("jobs",),
        text=count,
    )


def _prompt_chart(versions: list[dict[str, Any]]) -> Chart | None:
    if not versions:
        return None
    return bar_chart(
        "Prompt versions: success, refusal and review rejection rates, last 30 days",
        [
            (
                f"{r['kind']} · {r['prompt_version']}",
                [r["success_rate"], r["refusal_rate"], r["review_rejection_rate"]],
            )
            for r in versions
        ],
        series=("success", "refusal", "review rejection"),
        text=percent,
        scale_max=1,
    )


def provide_costs(state: State) -> ConsoleCosts:
    worker = state.settings.worker
    # The rescuer's own thresholds, so "stuck" here is what it acts on.
    return ConsoleCosts(
        state.services.db,
        stalled_after=worker.stalled_after_seconds,
        orphan_grace=worker.orphan_grace_seconds,
    )


@get("/costs", dependencies={"cost_reads": Provide(provide_costs, sync_to_thread=False)})
async def costs(
    viewer: NamedDependency[Viewer], cost_reads: NamedDependency[ConsoleCosts]
) -> Response[str]:
    page = await cost_reads.page(viewer.principal.tenant_id)
    return render(
        "costs.html",
        viewer=viewer,
        nav="costs",
        page=page,
        money=money,
        millis=millis,
        percent=percent,
        count=count,
    )
