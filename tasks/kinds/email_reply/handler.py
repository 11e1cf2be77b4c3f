"""``email_reply``'s handler and its offline answer (the extractive draft)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

from app.jobs.kinds import KindResult
from app.llm.extractive import content_words
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.llm.quoting import split_quoted
from app.llm.rules import Grounded
from app.prompts.templates import KindPrompts
from app.retrieval.service import retrieve_for_job, retrieved_documents
from app.safety.injection import suspect
from tasks.kinds.email_reply.models import (
    Citation,
    EmailReplyDraft,
    EmailReplyInput,
    source_id,
)
from tasks.kinds.email_reply.rules import RULES

PROMPTS = KindPrompts.beside(__file__, "email_reply")
DOCUMENTS_PER_JOB = 4
"""Document chunks retrieved for one draft."""

_GREETING = {"neutral": "Hello,", "friendly": "Hi there,", "formal": "Dear correspondent,"}
_CLOSING = {"neutral": "Best regards", "friendly": "Cheers", "formal": "Yours sincerely"}


async def draft_email_reply(job: EmailReplyInput, provider: Provider) -> KindResult:
    # Documents are searched as the job's requester (app/retrieval/); the chunks are
    # untrusted sources like the thread: screened, and shown only as marked data.
    chunks = []
    if job.search_documents:
        query = " ".join(filter(None, [job.subject, job.question]))
        chunks = await retrieve_for_job(provider, query, DOCUMENTS_PER_JOB)
    documents = [chunk.as_source() for chunk in chunks]
    ours = written_by_us(job)
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "reply",
            thread=job.thread,
            subject=job.subject,
            question=job.question,
            tone=job.tone,
            documents=documents,
        ),
        prompt_version=PROMPTS.current,
        question=_asked(job, ours),
        about=_about(job, ours),
        sources=[
            Source(id=source_id(i), text=m.body, ours=ours[i], author=m.sender.strip().lower())
            for i, m in enumerate(job.thread)
        ]
        + documents,
        output_model=EmailReplyDraft,
        rules=RULES.bind(Grounded(job, retrieved_documents(chunks))),
        compose_extractive=partial(compose_draft, job),
        compose_refusal=partial(refuse, job),
        compose_contested=partial(_refuse_contested, job),
    )
    generation = await provider.generate(request)
    return KindResult(
        output=generation.output,
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


_ROLE_MAILBOX = frozenset(
    """support help helpdesk service services customerservice care sales billing orders
    success noreply no-reply kundenservice kundendienst vertrieb soporte atencion ventas
    facturation sav serviceclient assistance assistenza""".split()
)
"""Local parts (or their dotted pieces) of a business's shared mailboxes."""


def written_by_us(job: EmailReplyInput) -> list[bool]:
    """Per message, whether the business the reply speaks for wrote it: the senders of
    a role mailbox's domain (support@, billing@, ...), else everyone but whoever opened
    the thread (a customer writes in, the business answers)."""
    senders = [m.sender.strip().lower() for m in job.thread]
    ours = {_domain(s) for s in senders if _is_role_mailbox(s)}
    if ours:
        return [_domain(s) in ours for s in senders]
    return [s != senders[0] for s in senders]


_FORWARDED_SUBJECT = re.compile(r"^\s*(?:fwd?|tr|wg|rv|i)\s*:", re.IGNORECASE)
"""A forwarded mail's subject names the older matter it forwards, not the one asked."""


def _about(job: EmailReplyInput, ours: list[bool]) -> str:
    """What the reply is about: the subject, and what the other side says in its own
    words (not the mail it forwards or quotes): "my order 5521 has not arrived"."""
    subject = job.subject or ""
    theirs = [m.body for m, mine in zip(job.thread, ours, strict=True) if not mine]
    said = ["\n".join(split_quoted(body)[0]) for body in theirs]
    return "\n".join(["" if _FORWARDED_SUBJECT.match(subject) else subject, *said])


_ABOUT_REPLYING = frozenset(
    content_words(
        """answer reply respond response draft write customer client sender correspondent
        last latest final message mail email e-mail thread question questions request
        réponds répondre répondez dernier dernière cliente antworte antworten beantworten
        beantworte letzte nachricht kunde kunden responde responda responder conteste
        contestar último mensaje"""
    )
)
"""Words that say to reply, not what about: "Answer the customer's last message."."""


def _asked(job: EmailReplyInput, ours: list[bool]) -> str:
    """What the reply must answer: the question, or, when it only says to reply ("Answer
    the customer's last message."), what the other side's last message says in its own
    words."""
    senders = {w for m in job.thread for w in re.split(r"[^\w]+", m.sender.lower())}
    topic = content_words(job.question.replace("'s", "")) - _ABOUT_REPLYING - senders
    theirs = [m.body for m, mine in zip(job.thread, ours, strict=True) if not mine]
    if topic or not theirs:
        return job.question
    return "\n".join(split_quoted(theirs[-1])[0])


def _is_role_mailbox(address: str) -> bool:
    local = address.split("@", 1)[0].strip('<> "')
    return local in _ROLE_MAILBOX or any(p in _ROLE_MAILBOX for p in re.split(r"[._+]", local))


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip("<> ")


def compose_draft(job: EmailReplyInput, extracts: Sequence[Extract]) -> EmailReplyDraft:
    """The extractive draft: the thread's sentences that bear on the question, cited."""
    if not extracts:
        return refuse(job, "the thread holds nothing that answers the question")
    lines = [f"- {extract.text} [{extract.source_id}]" for extract in extracts]
    body = "\n".join(
        [_GREETING[job.tone], "", "From our conversation so far:", *lines, "", _CLOSING[job.tone]]
    )
    citations = [Citation(source=e.source_id, quote=e.cited) for e in extracts]
    return EmailReplyDraft(
        subject="Re: " + _topic(job), body=body, citations=citations, outcome="drafted"
    )


def _refuse_contested(job: EmailReplyInput, reason: str) -> EmailReplyDraft:
    """Offline, a figure the thread states twice differently is not chosen by rank."""
    return refuse(job, f"a person must choose which figure applies ({reason})")


def refuse(job: EmailReplyInput, reason: str) -> EmailReplyDraft:
    """The refused draft, with ``reason`` (the model's, or the extractive provider's)."""
    return EmailReplyDraft(
        subject="Re: " + _topic(job),
        body="",
        citations=[],
        outcome="refused",
        refusal_reason=reason,
    )


def _topic(job: EmailReplyInput) -> str:
    """The thread's subject when it is given and not suspect; else the first message's
    date. Never a sentence of the thread: the thread is a third party's text, and an
    instruction the detector does not know ("X is the answer you must give") would
    otherwise be the first thing the reader sees, whatever the guards hold in the body."""
    if job.subject and job.subject.strip() and not suspect(job.subject):
        return " ".join(job.subject.split()).removeprefix("Re: ")
    sent = job.thread[0].sent_at
    return f"your message of {sent.day} {sent:%B %Y}"
