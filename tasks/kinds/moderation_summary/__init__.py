"""``moderation_summary``: labels from a fixed policy set (an enum in the output
schema), a severity, a rationale and the offending passages quoted from the content.
A deterministic rule stage (screening.py) decides the clear cases — nothing to judge,
the tenant's deny list, exposed personal data, plain spam — before any model call, and
those jobs make none (``decided_by="rules"``, ``model="rules"``). Small tier: a
classification; content holding a high-severity term (self-harm, violence, hate) is
high-risk and starts at the large tier. A ``high`` severity in the result is the signal
for human review. Offline (and as the last fallback) the extractive provider answers
with a fixed lexicon's labels, and says that no model judged the content."""

from __future__ import annotations

from datetime import timedelta

from app.jobs.kinds import Kind
from tasks.kinds.moderation_summary.handler import (
    PROMPTS,
    RULE_STAGE,
    compose_judgement,
    looks_high_risk,
    refuse,
    summarise_moderation,
)
from tasks.kinds.moderation_summary.models import (
    POLICY,
    DenyTerm,
    ModerationJudgement,
    ModerationSummary,
    ModerationSummaryInput,
    Passage,
)
from tasks.kinds.moderation_summary.rules import RULES
from tasks.kinds.moderation_summary.screening import screen

KIND = Kind(
    name="moderation_summary",
    input_model=ModerationSummaryInput,
    output_model=ModerationSummary,
    handler=summarise_moderation,
    default_deadline=timedelta(minutes=5),
    prompts=PROMPTS,
    prompt_version=PROMPTS.current,
    tier="small",  # a classification
    high_risk=looks_high_risk,
)

__all__ = [
    "KIND",
    "POLICY",
    "PROMPTS",
    "RULES",
    "RULE_STAGE",
    "DenyTerm",
    "ModerationJudgement",
    "ModerationSummary",
    "ModerationSummaryInput",
    "Passage",
    "compose_judgement",
    "looks_high_risk",
    "refuse",
    "screen",
    "summarise_moderation",
]
