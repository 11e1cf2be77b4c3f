"""``follow_up_draft``'s input (a conversation: the turns of a call or meeting, or its
notes, each with an id and its speaker) and output (a follow-up e-mail with the
commitments it follows up, each naming the turns it rests on, quoted word for word)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.safety.trust import TRUSTED

Tone = Literal["neutral", "friendly", "formal"]
MAX_SUBJECT = 300
MAX_BODY = 10_000
MAX_COMMITMENTS = 20
MAX_COMMITMENT = 500
_RISK = re.compile(
    r"\b(refund\w*|discount\w*|credit(?:ed|s)?|compensat\w*|waive\w*|penalt\w*|price|pricing|"
    r"contract\w*|legal|liabilit\w*|guarantee\w*)\b",
    re.IGNORECASE,
)


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$", description="Cited by this id.")
    speaker: str = Field(min_length=1, max_length=200, description="Who said or wrote it.")
    at: datetime | None = None
    text: str = Field(min_length=1, max_length=20_000)


class FollowUpDraftInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation: list[Turn] = Field(
        min_length=1, max_length=500, description="The turns or notes, oldest first."
    )
    # Who writes to whom about what: the product team's; the conversation is not.
    about: Annotated[str | None, TRUSTED] = Field(
        default=None, max_length=300, description="The topic, if known."
    )
    sender: Annotated[str, TRUSTED] = Field(
        min_length=1, max_length=200, description="Who signs the e-mail."
    )
    recipient: Annotated[str | None, TRUSTED] = Field(
        default=None, max_length=200, description="Who it is to."
    )
    tone: Tone = "neutral"
    search_documents: bool = Field(
        default=False,
        description=(
            "Search the tenant's documents the requester may read (for the topic, else the "
            "last turn) and give the best passages as reference (cited as doc:<id>:<chunk>)."
        ),
    )

    @field_validator("conversation")
    @classmethod
    def _unique_ids(cls, conversation: list[Turn]) -> list[Turn]:
        if len({t.id for t in conversation}) != len(conversation):
            raise ValueError("turn ids must be unique")
        # doc:... names a retrieved chunk, which the API resolves for its readers.
        if any(t.id.startswith("doc:") for t in conversation):
            raise ValueError("turn ids starting with 'doc:' are reserved for documents")
        return conversation

    def turns(self) -> dict[str, Turn]:
        return {t.id: t for t in self.conversation}


def is_high_risk(job: FollowUpDraftInput) -> bool:
    """Money or contract terms in the conversation: an e-mail that confirms them to a
    customer starts at the large tier."""
    return any(_RISK.search(t.text) for t in job.conversation)


class Citation(BaseModel):
    source: str = Field(description="The id of a turn of the conversation or a document passage.")
    quote: str = Field(description="The sentence relied on, copied word for word from it.")


class Commitment(BaseModel):
    text: str = Field(description="What was promised, in one sentence.")
    owner: str = Field(description="Who promised it: a speaker of the conversation, as given.")
    sources: list[str] = Field(description="The ids of the turns where it was promised.")


class FollowUpDraft(BaseModel):
    subject: str
    body: str
    commitments: list[Commitment]
    citations: list[Citation] = Field(description="A quote of every turn used.")
    outcome: Literal["drafted", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> FollowUpDraft:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self
