"""Step runners for tests that build a :class:`~tasks.execution.JobExecutor` themselves."""

from __future__ import annotations

from app.db import Database
from app.llm.steps import StepRunner
from app.llm.unrecorded import UnrecordedCallLedger


def offline_steps(db: Database) -> StepRunner:
    """Model steps with no network provider: the extractive provider answers, nothing
    is recorded."""
    return StepRunner(db, UnrecordedCallLedger())
