"""``support_answer``'s handler and its offline answer: the sources' sentences that
answer the question, cited, or an escalation when none clearly does."""

from __future__ import annotations

from collections.abc import Sequence

from app.jobs.kinds import KindResult
from app.llm.provider import Extract, GenerationRequest, Provider, Source
from app.prompts.templates import KindPrompts
from tasks.kinds.support_answer.models import SupportAnswer, SupportAnswerInput, SupportCitation
from tasks.kinds.support_answer.rules import RULES

PROMPTS = KindPrompts.beside(__file__, "support_answer")
MIN_SCORE = 0.5
"""Offline, a sentence answers when it shares at least half of the question's content
words: below that the extractive answer escalates rather than guess."""


async def answer_question(job: SupportAnswerInput, provider: Provider) -> KindResult:
    request = GenerationRequest(
        prompt=PROMPTS.call(
            "answer", question=job.question, conversation=job.conversation, sources=job.sources
        ),
        prompt_version=PROMPTS.current,
        question=job.question,
        sources=[Source(id=s.id, text=s.text) for s in job.sources],
        output_model=SupportAnswer,
        rules=RULES.bind(job),
        compose_extractive=compose_answer,
        compose_refusal=escalate,
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
        citations=[SupportCitation(source=e.source_id, quote=e.text) for e in used],
        outcome="answered",
    )


def escalate(reason: str) -> SupportAnswer:
    return SupportAnswer(answer="", citations=[], outcome="escalated", refusal_reason=reason)
