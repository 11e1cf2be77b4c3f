"""``email_reply``'s rules: citations name messages of the thread or document chunks
retrieved for the job, and quote them word for word; subject and body within their
limits; a draft cites what it uses."""

from __future__ import annotations

from collections.abc import Iterator

from app.llm.rules import Grounded, Rules, not_in_text, too_long, unknown_names
from tasks.kinds.email_reply.models import (
    MAX_BODY,
    MAX_SUBJECT,
    EmailReplyDraft,
    EmailReplyInput,
    source_id,
)

Job = Grounded[EmailReplyInput]


def given_sources(job: Job) -> dict[str, str]:
    """What a draft may cite, by id: the thread's messages and the retrieved chunks."""
    return {source_id(i): m.body for i, m in enumerate(job.input.thread)} | dict(job.documents)


def citations_name_given_sources(job: Job, draft: EmailReplyDraft) -> Iterator[str]:
    yield from unknown_names(
        "citations.source", [c.source for c in draft.citations], given_sources(job)
    )


def quotes_occur_in_their_source(job: Job, draft: EmailReplyDraft) -> Iterator[str]:
    texts = given_sources(job)
    for index, citation in enumerate(draft.citations):
        if citation.source in texts:
            yield from not_in_text(
                f"citations[{index}].quote", citation.quote, texts[citation.source]
            )


def within_limits(job: Job, draft: EmailReplyDraft) -> Iterator[str]:
    yield from too_long("subject", draft.subject, MAX_SUBJECT)
    yield from too_long("body", draft.body, MAX_BODY)


RULES: Rules[Job, EmailReplyDraft] = Rules(
    [citations_name_given_sources, quotes_occur_in_their_source, within_limits]
)
