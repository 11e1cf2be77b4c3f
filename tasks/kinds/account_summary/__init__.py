"""``account_summary``: summarize an account from its e-mails and CRM notes given in the
input (until retrieval chooses them): key facts, open issues and the sentiment, each
naming the sources it rests on, quoted word for word. Small tier (a routine summary);
a legal threat, a breach or a cancellation in the sources moves the job to the large
tier. Offline the extractive provider quotes the sources' own sentences."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from app.review.policy import ReviewPolicy
from tasks.kinds.account_summary.handler import (
    PROMPTS,
    UNSURE,
    compose_summary,
    figure_confidence,
    refuse,
    summarize_account,
)
from tasks.kinds.account_summary.models import (
    AccountEmail,
    AccountSummary,
    AccountSummaryInput,
    Citation,
    CrmNote,
    Point,
    is_high_risk,
)
from tasks.kinds.account_summary.rules import RULES

KIND = Kind(
    name="account_summary",
    input_model=AccountSummaryInput,
    output_model=AccountSummary,
    handler=summarize_account,
    default_deadline=timedelta(minutes=10),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",  # a routine summary
    high_risk=is_high_risk,
    # Two figures for one quantity and nothing to tell which is current: a person checks
    # before the summary is read as stating either.
    review=ReviewPolicy(confidence=figure_confidence, min_confidence=UNSURE + 0.1),
)

__all__ = [
    "KIND",
    "PROMPTS",
    "RULES",
    "AccountEmail",
    "AccountSummary",
    "AccountSummaryInput",
    "Citation",
    "CrmNote",
    "Point",
    "compose_summary",
    "refuse",
    "summarize_account",
]
