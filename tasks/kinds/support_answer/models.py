"""``support_answer``'s input (a question, earlier turns, the sources) and output (a
grounded, cited answer or an escalation with its reason)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.safety.trust import TRUSTED

MAX_ANSWER = 4_000


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str = Field(min_length=1, max_length=10_000)


class SupportSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$", description="Cited by this id.")
    title: str | None = Field(default=None, max_length=300)
    text: str = Field(min_length=1, max_length=50_000)


class SupportAnswerInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The requester's own question (its reader's); the sources and earlier turns are not.
    question: Annotated[str, TRUSTED] = Field(min_length=1, max_length=4_000)
    conversation: list[Turn] = Field(
        default_factory=list, max_length=50, description="Earlier turns, oldest first."
    )
    sources: list[SupportSource] = Field(
        default_factory=list,
        max_length=50,
        description="Passages the answer may use, besides the documents searched for it.",
    )
    search_documents: bool = Field(
        default=False,
        description=(
            "Search the tenant's documents the requester may read for the question and "
            "add the best passages to the sources (cited as doc:<document id>:<chunk id>)."
        ),
    )

    @field_validator("sources")
    @classmethod
    def _unique_ids(cls, sources: list[SupportSource]) -> list[SupportSource]:
        if len({s.id for s in sources}) != len(sources):
            raise ValueError("source ids must be unique")
        # doc:... names a retrieved chunk, which the API resolves for its readers: a
        # caller's own passage must not pass for one.
        if any(s.id.startswith("doc:") for s in sources):
            raise ValueError("source ids starting with 'doc:' are reserved for documents")
        return sources


class SupportCitation(BaseModel):
    source: str = Field(description="The id of a given source.")
    quote: str = Field(description="The sentence relied on, copied word for word from it.")


class SupportAnswer(BaseModel):
    answer: str
    citations: list[SupportCitation]
    outcome: Literal["answered", "escalated"]
    refusal_reason: str | None = Field(
        default=None, description="Why the question goes to a person: given exactly when escalated."
    )

    @model_validator(mode="after")
    def _escalation_has_reason(self) -> SupportAnswer:
        if (self.outcome == "escalated") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'escalated'")
        return self
