"""``email_reply``'s rules: citations name messages of the thread and quote them word
for word; subject and body within their limits; a draft cites what it uses."""

from __future__ import annotations

from collections.abc import Iterator

from app.llm.rules import Rules, not_in_text, too_long, unknown_names
from tasks.kinds.email_reply.models import (
    MAX_BODY,
    MAX_SUBJECT,
    EmailReplyDraft,
    EmailReplyInput,
    source_id,
)


def citations_name_given_messages(job: EmailReplyInput, draft: EmailReplyDraft) -> Iterator[str]:
    given = {source_id(i) for i in range(len(job.thread))}
    yield from unknown_names("citations.source", [c.source for c in draft.citations], given)


def quotes_occur_in_their_message(job: EmailReplyInput, draft: EmailReplyDraft) -> Iterator[str]:
    bodies = {source_id(i): m.body for i, m in enumerate(job.thread)}
    for index, citation in enumerate(draft.citations):
        if citation.source in bodies:
            yield from not_in_text(
                f"citations[{index}].quote", citation.quote, bodies[citation.source]
            )


def within_limits(job: EmailReplyInput, draft: EmailReplyDraft) -> Iterator[str]:
    yield from too_long("subject", draft.subject, MAX_SUBJECT)
    yield from too_long("body", draft.body, MAX_BODY)


RULES: Rules[EmailReplyInput, EmailReplyDraft] = Rules(
    [citations_name_given_messages, quotes_occur_in_their_message, within_limits]
)
