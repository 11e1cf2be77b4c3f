"""Step runners for tests that build a :class:`~tasks.execution.JobExecutor` themselves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.db import Database
from app.llm.ledger import CallLedger, PostgresCallLedger
from app.llm.openai_provider import OpenAIProvider
from app.llm.routing import ModelTiers
from app.llm.steps import CacheScope, JobContext, StepRunner
from tests.support.ledger import TEST_PRICES

TIERS = ModelTiers(small="fake-small", large="fake-large")


def offline_steps(db: Database) -> StepRunner:
    """Model steps with no network provider: the extractive provider answers, each
    call recorded by the real ledger."""
    return StepRunner(db, PostgresCallLedger(db, TEST_PRICES, timedelta(hours=1)))


def fake_provider(fake_url: str, *, max_concurrent_calls: int = 512) -> OpenAIProvider:
    """The real provider, over the real SDK, against the fake server at ``fake_url``."""
    return OpenAIProvider.connect(
        api_key="test",
        base_url=fake_url + "/v1",
        timeout=30,
        max_concurrent_calls=max_concurrent_calls,
    )


def openai_steps(
    db: Database, provider: OpenAIProvider, ledger: CallLedger, **options: Any
) -> StepRunner:
    """Model steps on ``provider`` with the tiers ``fake-small`` / ``fake-large``."""
    return StepRunner(db, ledger, openai=provider, tiers=TIERS, **options)


def context_of(
    job: dict[str, Any],
    *,
    tier: str = "small",
    kind: str = "email_reply",
    cache: CacheScope | None = None,
) -> JobContext:
    """The execution context of a running job made by ``job_factory(state="running")``;
    its cache off unless ``cache`` is given."""
    return JobContext(
        job_id=job["id"],
        tenant_id=job["tenant_id"],
        attempt=job["attempt"],
        lease=job["lease"],
        kind=kind,
        prompt_version="email_reply/v2",
        tier=tier,  # type: ignore[arg-type]
        actor="worker:test",
        cache=cache,
    )
