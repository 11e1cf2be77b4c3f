"""``moderation_summary``'s input (the content, its context, the tenant's allow and
deny lists) and output (labels from the fixed policy set, a severity, a rationale and
the offending passages quoted; which stage decided)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.safety.trust import QUOTED, TRUSTED

PolicyLabel = Literal[
    "harassment", "hate", "self_harm", "sexual", "violence", "spam", "pii_exposure", "none"
]
"""The fixed policy set: an enum in the output schema, so no other label can be sent."""
Violation = Literal["harassment", "hate", "self_harm", "sexual", "violence", "spam", "pii_exposure"]
Severity = Literal["none", "low", "medium", "high"]
POLICY: tuple[str, ...] = get_args(PolicyLabel)
SEVERITIES: tuple[str, ...] = get_args(Severity)
"""Lowest first."""
MAX_RATIONALE = 1_000
MAX_QUOTE = 500

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class DenyTerm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    term: Phrase = Field(description="A word or phrase that is a violation wherever it occurs.")
    label: Violation
    severity: Literal["low", "medium", "high"] = "medium"


class ModerationSummaryInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(
        max_length=50_000, description="The text to moderate (empty: no model is asked)."
    )
    # The tenant's own settings of the job; the content is a third party's.
    context: Annotated[str | None, TRUSTED] = Field(
        default=None, max_length=300, description="Where it was posted, e.g. 'a product review'."
    )
    allow_list: Annotated[list[Phrase], TRUSTED] = Field(
        default_factory=list,
        max_length=200,
        description="Phrases the tenant allows (its own support address, product names): "
        "never flagged by the rule stage; content made only of them needs no model.",
    )
    deny_list: list[DenyTerm] = Field(
        default_factory=list,
        max_length=200,
        description="Terms that decide a violation by themselves, before any model call.",
    )


class Passage(BaseModel):
    label: PolicyLabel = Field(description="The label this passage is evidence of.")
    # Evidence for the moderator, checked against the content: it may quote a contact.
    quote: Annotated[str, QUOTED] = Field(
        description="The offending passage, copied word for word from the content."
    )


class ModerationJudgement(BaseModel):
    """What a model is asked for (the output schema it is sent)."""

    labels: list[PolicyLabel] = Field(description='The policies broken, or ["none"].')
    severity: Severity
    rationale: str = Field(description="Why, in a few sentences, citing the passages.")
    passages: list[Passage]
    outcome: Literal["moderated", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> ModerationJudgement:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self


class ModerationSummary(ModerationJudgement):
    """The job's result: the judgement and the stage that made it."""

    decided_by: Literal["rules", "model"] = Field(
        description="'rules': the rule stage decided before any model call; 'model': the "
        "job's model provider did (the job's model names which, 'extractive' offline)."
    )


def most_severe(severities: Iterable[Severity]) -> Severity:
    return max(severities, key=SEVERITIES.index, default="none")
