"""``follow_up_draft``'s handler and its offline answer: the conversation's sentences in
which someone commits to something ("I will send ...", "we agreed to ..."), quoted
under their speaker's name in a plain follow-up e-mail, each cited."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

from app.jobs.kinds import KindResult
from app.llm.extractive import addressed_to_the_model, hedged, sentences
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.llm.rules import Grounded
from app.prompts.templates import KindPrompts
from app.retrieval.service import retrieve_for_job, retrieved_documents
from tasks.kinds.follow_up_draft.models import (
    MAX_COMMITMENT,
    MAX_COMMITMENTS,
    Citation,
    Commitment,
    FollowUpDraft,
    FollowUpDraftInput,
)
from tasks.kinds.follow_up_draft.rules import RULES

PROMPTS = KindPrompts.beside(__file__, "follow_up_draft")
DOCUMENTS_PER_JOB = 4
"""Document chunks retrieved for one draft."""

_COMMITMENT = re.compile(
    r"\b(I'll|I will|we'll|we will|I'm going to|we're going to|I can send|we can send|"
    r"agreed(?: to| that)?|promise[sd]?|committed to|next steps?|action items?|"
    r"will (?:send|share|schedule|call|check|provide|prepare|get back|follow up|book|confirm))\b",
    re.IGNORECASE,
)
_GREETING = {"neutral": "Hello{name},", "friendly": "Hi{name},", "formal": "Dear{name},"}
_CLOSING = {"neutral": "Best regards", "friendly": "Cheers", "formal": "Yours sincerely"}


async def draft_follow_up(job: FollowUpDraftInput, provider: Provider) -> KindResult:
    # Retrieved as the job's requester; untrusted like the turns: screened, and printed
    # only as marked data with their ids. The offline draft uses none (it follows up
    # what the conversation committed to, nothing else).
    chunks = []
    if job.search_documents:
        query = job.about or job.conversation[-1].text
        chunks = await retrieve_for_job(provider, query, DOCUMENTS_PER_JOB)
    documents = [chunk.as_source() for chunk in chunks]
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "follow_up",
            conversation=job.conversation,
            about=job.about,
            sender=job.sender,
            recipient=job.recipient,
            tone=job.tone,
            documents=documents,
        ),
        prompt_version=PROMPTS.current,
        question=job.about or "",
        # The sender's own turns are ours: their later words supersede earlier ones.
        sources=[
            Source(
                id=t.id,
                text=t.text,
                ours=t.speaker.casefold() == job.sender.casefold(),
                author=t.speaker.casefold(),
            )
            for t in job.conversation
        ]
        + documents,
        output_model=FollowUpDraft,
        rules=RULES.bind(Grounded(job, retrieved_documents(chunks))),
        compose_extractive=partial(compose_follow_up, job),
        compose_refusal=partial(refuse, job),
    )
    generation = await provider.generate(request)
    return KindResult(
        output=generation.output,
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


def compose_follow_up(job: FollowUpDraftInput, extracts: Sequence[Extract]) -> FollowUpDraft:
    """The offline draft: every sentence that commits someone, in conversation order,
    quoted under its speaker (at most ``MAX_COMMITMENTS``; none addressed to the model)."""
    promised = [
        (turn, sentence)
        for turn in job.conversation
        for sentence in sentences(turn.text)
        if _COMMITMENT.search(sentence)
        and len(sentence) <= MAX_COMMITMENT
        and not addressed_to_the_model(sentence)
        and not hedged(sentence)
    ][:MAX_COMMITMENTS]
    if not promised:
        return refuse(job, "the conversation holds no commitment to follow up")
    name = f" {job.recipient}" if job.recipient else ""
    topic = f"our conversation about {job.about}" if job.about else "our conversation"
    lines = [f"- {turn.speaker}: {sentence} [{turn.id}]" for turn, sentence in promised]
    body = "\n".join(
        [
            _GREETING[job.tone].format(name=name),
            "",
            f"Thank you for {topic}. As agreed, these are the next steps:",
            *lines,
            "",
            f"{_CLOSING[job.tone]},",
            job.sender,
        ]
    )
    return FollowUpDraft(
        subject=_subject(job),
        body=body,
        commitments=[
            Commitment(text=sentence, owner=turn.speaker, sources=[turn.id])
            for turn, sentence in promised
        ],
        citations=[Citation(source=turn.id, quote=sentence) for turn, sentence in promised],
        outcome="drafted",
    )


def refuse(job: FollowUpDraftInput, reason: str) -> FollowUpDraft:
    return FollowUpDraft(
        subject=_subject(job),
        body="",
        commitments=[],
        citations=[],
        outcome="refused",
        refusal_reason=reason,
    )


def _subject(job: FollowUpDraftInput) -> str:
    if job.about:
        return f"Follow-up: {' '.join(job.about.split())}"
    return "Follow-up on our conversation"
