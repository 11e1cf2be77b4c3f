"""``email_reply``'s input (a thread and a question) and output (a draft citing the
thread's messages and the tenant's documents it uses)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.safety.trust import TRUSTED

Tone = Literal["neutral", "friendly", "formal"]
MAX_BODY = 10_000
MAX_SUBJECT = 300


class ThreadMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sender: str = Field(min_length=1, max_length=320)
    sent_at: datetime
    body: str = Field(min_length=1, max_length=50_000)


class EmailReplyInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    thread: list[ThreadMessage] = Field(min_length=1, max_length=200)
    subject: str | None = Field(
        default=None, max_length=300, description="The thread's subject line, if known."
    )
    # The product team's own request: the one field of the job not written by a third party.
    question: Annotated[str, TRUSTED] = Field(min_length=1, max_length=2_000)
    tone: Tone = "neutral"
    search_documents: bool = Field(
        default=True,
        description="Ground the reply in the tenant's documents the requester may read too.",
    )


class Citation(BaseModel):
    source: str = Field(
        pattern=r"^(m\d+|doc:[0-9a-f-]{36}:\d+)$",
        description="The cited thread message (m0, ...) or document chunk (doc:<id>:<chunk>).",
    )
    quote: str = Field(description="The sentence relied on, copied word for word from it.")


class EmailReplyDraft(BaseModel):
    subject: str
    body: str
    citations: list[Citation]
    outcome: Literal["drafted", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> EmailReplyDraft:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self


def source_id(index: int) -> str:
    """The id a thread message is cited by: ``m0`` is the first."""
    return f"m{index}"
