"""What the review endpoints read and write."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.jobs.schemas import JobState


class ReviewReasonView(BaseModel):
    code: str = Field(
        description=(
            "Why the output was held: high_risk_kind, high_risk, low_confidence, escalation "
            "(the kind's risk policy), injection_suspected or guard_violation (the safety "
            "checks)."
        )
    )
    detail: str = Field(description="What was found, for the reviewer.")


class ReviewLinks(BaseModel):
    self: str
    approve: str = Field(description="POST here to approve the output, optionally edited.")
    reject: str = Field(description="POST here to reject the output, with a reason.")
    job: str


class HeldJob(BaseModel):
    """A job waiting in the review queue."""

    job_id: UUID
    kind: str
    created_at: datetime
    held_at: datetime = Field(description="When the output was held for review.")
    expires_at: datetime = Field(
        description="The review deadline: past it the job expires and its output is never shown."
    )
    reasons: list[ReviewReasonView]
    model: str | None
    prompt_version: str | None
    links: ReviewLinks


class ReviewQueuePage(BaseModel):
    items: list[HeldJob]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null on the last page."
    )


class ReviewDecision(BaseModel):
    id: UUID
    decision: Literal["approved", "rejected"]
    edited: bool = Field(description="The reviewer approved their own version of the output.")
    reason: str | None = Field(description="The reviewer's reason (a rejection) or note.")
    reviewer: str = Field(description="The reviewer's user id in your system.")
    decided_at: datetime


class Review(BaseModel):
    """A held job as its reviewer sees it: the output, what it was made from, why it
    was held, and the decision once made."""

    job_id: UUID
    kind: str
    state: JobState
    reasons: list[ReviewReasonView]
    output: dict[str, Any] | None = Field(
        description=(
            "The output as the model produced it (held until a decision; kept after it). "
            "Null when the job expired in review."
        )
    )
    edited_output: dict[str, Any] | None = Field(
        description="The reviewer's version, when they approved an edit (the delivered result)."
    )
    output_withheld: bool = Field(
        default=False,
        description=(
            "The output cites a document this reviewer's groups do not reach now: it is withheld "
            "(null), and so is the edited version; a reviewer who may read it decides."
        ),
    )
    input: dict[str, Any] | None = Field(
        description=(
            "The job's input: the sources the output was made from (thread, documents, ...)."
        )
    )
    model: str | None
    prompt_version: str | None
    expires_at: datetime
    decision: ReviewDecision | None
    links: ReviewLinks


class ApproveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    output: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Your edited version of the output, a complete output of the job's kind; omit to "
            "approve the output as it is. Both versions are kept."
        ),
    )
    note: str | None = Field(default=None, min_length=1, max_length=2_000)


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1, max_length=2_000, description="Why: the job fails with rejected_in_review."
    )
