"""``support_answer``'s handler and its offline answer: the sources' sentences that
answer the question, cited, or an escalation when none clearly does. With
``search_documents`` the tenant's documents the requester may read are searched for
the question (app/retrieval/) and the best chunks join the input's sources."""

from __future__ import annotations

from collections.abc import Sequence

from app.jobs.kinds import KindResult
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.llm.rules import Grounded
from app.prompts.templates import KindPrompts
from app.retrieval.service import retrieve_for_job, retrieved_documents
from tasks.kinds.support_answer.models import SupportAnswer, SupportAnswerInput, SupportCitation
from tasks.kinds.support_answer.rules import RULES

PROMPTS = KindPrompts.beside(__file__, "support_answer")
MIN_SCORE = 0.5
"""Offline, a sentence answers when it shares at least half of the question's content
words: below that the extractive answer escalates rather than guess."""
DOCUMENTS_PER_JOB = 4
"""Document chunks retrieved for one answer."""


async def answer_question(job: SupportAnswerInput, provider: Provider) -> KindResult:
    # Retrieved as the job's requester; untrusted like the input's sources: screened,
    # and printed only as marked data with their ids.
    chunks = (
        await retrieve_for_job(provider, job.question, DOCUMENTS_PER_JOB)
        if job.search_documents
        else []
    )
    documents = [chunk.as_source() for chunk in chunks]
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "answer",
            question=job.question,
            conversation=job.conversation,
            sources=job.sources,
            documents=documents,
        ),
        prompt_version=PROMPTS.current,
        question=job.question,
        # The customer's earlier turns say which order, plan or product the question is about.
        about=" ".join(t.content for t in job.conversation if t.role == "user"),
        sources=[Source(id=s.id, text=s.text, title=s.title) for s in job.sources] + documents,
        output_model=SupportAnswer,
        rules=RULES.bind(Grounded(job, retrieved_documents(chunks))),
        compose_extractive=compose_answer,
        compose_refusal=escalate,
        # Two articles answer for different plans or regions and nothing says which is
        # the customer's: a person decides rather than a guess.
        compose_conflict=_escalate_conflict,
    )
    generation = await provider.generate(request)
    return KindResult(
        output=generation.output,
        model=generation.model,
        prompt_version=generation.prompt_version or PROMPTS.current,
        usage=generation.usage,
    )


def compose_answer(extracts: Sequence[Extract]) -> SupportAnswer:
    used = [e for e in extracts if e.score >= MIN_SCORE]
    if not used:
        return escalate("the sources do not answer the question")
    return SupportAnswer(
        answer=" ".join(f"{e.text} [{e.source_id}]" for e in used),
        citations=[SupportCitation(source=e.source_id, quote=e.cited) for e in used],
        outcome="answered",
    )


def _escalate_conflict(reason: str) -> SupportAnswer:
    return escalate(
        f"the sources answer differently and the question does not say which applies ({reason})"
    )


def escalate(reason: str) -> SupportAnswer:
    return SupportAnswer(answer="", citations=[], outcome="escalated", refusal_reason=reason)
