"""``account_summary``'s input (an account's e-mails and CRM notes, each with an id) and
output (key facts, open issues and the sentiment, each naming the sources it rests on,
with word-for-word quotes)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.safety.trust import TRUSTED

SourceId = str
SOURCE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
Sentiment = Literal["positive", "neutral", "negative", "mixed"]
MAX_SUMMARY = 2_000
MAX_POINT = 500
_RISK = re.compile(
    r"\b(lawyer|attorney|legal action|lawsuit|sue|court|breach|gdpr|terminate|termination|"
    r"cancel\w*|other vendors|churn)\b",
    re.IGNORECASE,
)


class AccountEmail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SOURCE_ID, description="Cited by this id.")
    sender: str | None = Field(default=None, max_length=320)
    sent_at: datetime | None = None
    subject: str | None = Field(default=None, max_length=300)
    body: str = Field(min_length=1, max_length=50_000)


class CrmNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SOURCE_ID, description="Cited by this id.")
    author: str | None = Field(default=None, max_length=200)
    written_at: datetime | None = None
    text: str = Field(min_length=1, max_length=20_000)


class AccountSummaryInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: Annotated[str, TRUSTED] = Field(
        min_length=1, max_length=200, description="The account's name."
    )
    emails: list[AccountEmail] = Field(default_factory=list, max_length=200)
    crm_notes: list[CrmNote] = Field(default_factory=list, max_length=200)
    focus: Annotated[str | None, TRUSTED] = Field(
        default=None, max_length=1_000, description="What the reader wants to know, if anything."
    )
    max_points: int = Field(
        default=5, ge=1, le=20, description="At most this many key facts, and as many open issues."
    )
    search_documents: bool = Field(
        default=False,
        description=(
            "Search the tenant's documents the requester may read (for the focus, else the "
            "account) and add the best passages to the sources (cited as doc:<id>:<chunk>)."
        ),
    )

    @model_validator(mode="after")
    def _sources(self) -> AccountSummaryInput:
        ids = [e.id for e in self.emails] + [n.id for n in self.crm_notes]
        if not ids:
            raise ValueError("give at least one e-mail or CRM note")
        if len(set(ids)) != len(ids):
            raise ValueError("e-mail and CRM note ids must be unique (together)")
        # doc:... names a retrieved chunk, which the API resolves for its readers.
        if any(i.startswith("doc:") for i in ids):
            raise ValueError("ids starting with 'doc:' are reserved for documents")
        return self

    def sources(self) -> dict[str, str]:
        """Each source's id and text, e-mails first."""
        return {e.id: e.body for e in self.emails} | {n.id: n.text for n in self.crm_notes}


def is_high_risk(job: AccountSummaryInput) -> bool:
    """A legal threat, a breach or a cancellation in the sources: the summary must not
    miss it, so the job starts at the large tier."""
    return any(_RISK.search(text) for text in job.sources().values())


class Citation(BaseModel):
    source: str = Field(description="The id of a given e-mail, CRM note or document passage.")
    quote: str = Field(description="The sentence relied on, copied word for word from it.")


class Point(BaseModel):
    text: str = Field(description="One key fact or open issue, in one sentence.")
    sources: list[str] = Field(description="The ids of the e-mails or notes it rests on.")


class AccountSummary(BaseModel):
    summary: str = Field(description="Two or three sentences on the account's state.")
    key_facts: list[Point]
    open_issues: list[Point]
    sentiment: Sentiment = Field(description="The customer's sentiment across the sources.")
    sentiment_sources: list[str] = Field(description="The ids the sentiment is read from.")
    citations: list[Citation] = Field(description="A quote of every source used.")
    outcome: Literal["summarized", "refused"]
    refusal_reason: str | None = None

    @model_validator(mode="after")
    def _refusal_has_reason(self) -> AccountSummary:
        if (self.outcome == "refused") != (self.refusal_reason is not None):
            raise ValueError("refusal_reason is given exactly when outcome is 'refused'")
        return self
