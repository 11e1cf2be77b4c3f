"""``email_reply``: draft a reply to an e-mail thread, citing the messages and the
tenant's documents it uses.

Thread messages are cited by position: ``m0`` is the first message. Documents are
searched as the job's requester (app/retrieval/service.py) with the question and
subject, and cited by chunk: ``doc:<document id>:<chunk id>``; a citation of
anything else makes the answer invalid (repaired once, then the job fails). Drafted by the
small model's tier (app/llm/routing.py), falling back to the extractive provider,
which also answers alone when no model provider is configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.jobs.kinds import Kind, KindResult
from app.llm.extractive import content_words, sentences
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.retrieval.service import retrieve_for_job, uncited_sources

PROMPT_VERSION = "email_reply/2"
INSTRUCTIONS = (
    "Draft a reply to the last message of the e-mail thread that answers the question. "
    "Use only facts from the thread and the reference documents, and cite each source you "
    "use by its id (m0, m1, ... for messages; doc:... for documents). "
    "If the sources do not hold the answer, refuse and say why."
)
DOCUMENTS_PER_JOB = 4
"""Document chunks retrieved for one draft."""
Tone = Literal["neutral", "friendly", "formal"]


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
    question: str = Field(min_length=1, max_length=2_000)
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
    quote: str


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


_GREETING = {"neutral": "Hello,", "friendly": "Hi there,", "formal": "Dear correspondent,"}
_CLOSING = {"neutral": "Best regards", "friendly": "Cheers", "formal": "Yours sincerely"}


def compose_draft(job: EmailReplyInput, extracts: Sequence[Extract]) -> EmailReplyDraft:
    """The extractive draft: the thread's sentences that bear on the question, cited."""
    subject = "Re: " + _topic(job)
    if not extracts:
        return EmailReplyDraft(
            subject=subject,
            body="",
            citations=[],
            outcome="refused",
            refusal_reason="the thread holds nothing that answers the question",
        )
    lines = [f"- {extract.text} [{extract.source_id}]" for extract in extracts]
    body = "\n".join(
        [_GREETING[job.tone], "", "From our conversation so far:", *lines, "", _CLOSING[job.tone]]
    )
    citations = [Citation(source=e.source_id, quote=e.text) for e in extracts]
    return EmailReplyDraft(subject=subject, body=body, citations=citations, outcome="drafted")


def _cites_given_sources(sources: Sequence[Source], draft: EmailReplyDraft) -> str | None:
    return uncited_sources([citation.source for citation in draft.citations], sources)


def refuse(job: EmailReplyInput, reason: str) -> EmailReplyDraft:
    """The refused draft, for a model that refuses with ``reason``."""
    return EmailReplyDraft(
        subject="Re: " + _topic(job),
        body="",
        citations=[],
        outcome="refused",
        refusal_reason=reason,
    )


def _topic(job: EmailReplyInput) -> str:
    """The thread's subject, else the first sentence of the thread that says something."""
    if job.subject and job.subject.strip():
        return " ".join(job.subject.split()).removeprefix("Re: ")
    for sentence in sentences(job.thread[0].body):
        if len(content_words(sentence)) >= 3:
            return sentence if len(sentence) <= 78 else sentence[:77].rstrip() + "…"
    return "your message"


async def draft_email_reply(job: EmailReplyInput, provider: Provider) -> KindResult:
    sources = [Source(id=f"m{i}", text=m.body) for i, m in enumerate(job.thread)]
    if job.search_documents:
        query = " ".join(filter(None, [job.subject, job.question]))
        chunks = await retrieve_for_job(provider, query, DOCUMENTS_PER_JOB)
        sources += [chunk.as_source() for chunk in chunks]
    request = GenerationRequest(
        prompt_version=PROMPT_VERSION,
        instructions=INSTRUCTIONS,
        question=job.question,
        sources=sources,
        output_model=EmailReplyDraft,
        compose_extractive=partial(compose_draft, job),
        compose_refusal=partial(refuse, job),
        rules=partial(_cites_given_sources, sources),
    )
    generation = await provider.generate(request)
    return KindResult(
        output=generation.output,
        model=generation.model,
        prompt_version=PROMPT_VERSION,
        usage=generation.usage,
    )


KIND = Kind(
    name="email_reply",
    input_model=EmailReplyInput,
    output_model=EmailReplyDraft,
    handler=draft_email_reply,
    default_deadline=timedelta(minutes=15),
    prompt_version=PROMPT_VERSION,
    tier="small",  # a routine draft
)
